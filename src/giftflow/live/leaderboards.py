"""Rankings of supporters by coins, with a deterministic tie-break.

Equal coins rank by who got there first (the earlier ``last_at``: the supporter whose
total stood first), then by the smaller user id, so every reader of the same rows
computes the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs

TOP_DEFAULT = 10


@dataclass(frozen=True, slots=True)
class Support:
    user_id: UserId
    coins: int
    last_at: UnixNs
    """When the supporter's total last grew (nanoseconds)."""


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    user_id: UserId
    coins: int


def sort_key(support: Support) -> tuple[int, int, int]:
    return -support.coins, support.last_at, support.user_id


def rank(supports: Iterable[Support], *, limit: int = TOP_DEFAULT) -> list[Standing]:
    """The top ``limit`` supporters with coins, ranked 1..n."""
    ordered = sorted((s for s in supports if s.coins > 0), key=sort_key)[:limit]
    return [Standing(index + 1, s.user_id, s.coins) for index, s in enumerate(ordered)]


def top_ids(standings: Iterable[Standing]) -> list[UserId]:
    """What a change of the leaderboard means: the ranked ids, not their coins."""
    return [standing.user_id for standing in standings]
