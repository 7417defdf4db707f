"""Supporter levels: how much one viewer has given one creator, in steps.

Level ``n`` is reached at ``thresholds[n - 1]`` lifetime coins gifted to that creator
(level 0 below the first threshold). Creators attach perks to levels; a supporter
enjoys every perk of their level and of the levels below it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from giftflow.ids import UserId
from giftflow.live.errors import LiveError

DEFAULT_LEVEL_THRESHOLDS_COINS: tuple[int, ...] = (1, 100, 1_000, 10_000, 100_000)


class PerkKind(StrEnum):
    BADGE = "badge"
    """``value``: the badge's label, shown next to the supporter's name."""
    QA_PRIORITY = "qa_priority"
    """Questions of the supporter come first in the creator's Q&A queue."""


@dataclass(frozen=True, slots=True)
class Perk:
    id: int
    creator_id: UserId
    level: int
    kind: PerkKind
    value: str


@dataclass(frozen=True, slots=True)
class SupporterLevel:
    creator_id: UserId
    user_id: UserId
    coins: int
    level: int
    next_level_coins: int | None
    """Lifetime coins at which the next level starts; ``None`` at the top level."""
    perks: tuple[Perk, ...]


def check_thresholds(thresholds: Sequence[int]) -> None:
    ascending = all(a < b for a, b in pairwise(thresholds))
    if not thresholds or thresholds[0] <= 0 or not ascending:
        raise LiveError("level thresholds must rise from a positive start", code="levels_invalid")


def level_for(coins: int, thresholds: Sequence[int]) -> int:
    return bisect_right(thresholds, coins)


def next_level_coins(level: int, thresholds: Sequence[int]) -> int | None:
    return thresholds[level] if level < len(thresholds) else None


def perks_for(level: int, perks: Iterable[Perk]) -> tuple[Perk, ...]:
    return tuple(sorted((p for p in perks if p.level <= level), key=lambda p: (p.level, p.id)))


def supporter_level(
    *,
    creator_id: UserId,
    user_id: UserId,
    coins: int,
    thresholds: Sequence[int],
    perks: Iterable[Perk],
) -> SupporterLevel:
    level = level_for(coins, thresholds)
    return SupporterLevel(
        creator_id,
        user_id,
        coins,
        level,
        next_level_coins(level, thresholds),
        perks_for(level, perks),
    )
