"""Highlights of an ended LIVE: its top moments, the windows of highest gift velocity
and follows, as candidates to clip and promote. A pure function of per-minute counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.ledger.clock import UnixNs

NS_PER_MINUTE: Final = 60 * 1_000_000_000
WINDOW_MINUTES: Final = 2
HIGHLIGHTS_TOP: Final = 5


@dataclass(frozen=True, slots=True)
class Minute:
    at: int
    """The minute's start."""
    coins: int
    follows: int


@dataclass(frozen=True, slots=True)
class Highlight:
    starts_at: UnixNs
    ends_at: UnixNs
    coins: int
    follows: int
    score_bps: int
    """The window's share of the LIVE's coins plus its share of its follows, over two."""


def highlights(
    minutes: Sequence[Minute], *, window: int = WINDOW_MINUTES, top: int = HIGHLIGHTS_TOP
) -> list[Highlight]:
    """The ``top`` non-overlapping windows of ``window`` minutes by score, in time order."""
    if not minutes:
        return []
    total_coins = max(sum(m.coins for m in minutes), 1)
    total_follows = max(sum(m.follows for m in minutes), 1)
    scored = []
    for first in range(max(len(minutes) - window + 1, 1)):
        part = minutes[first : first + window]
        coins, follows = sum(m.coins for m in part), sum(m.follows for m in part)
        score = (coins * 10_000 // total_coins + follows * 10_000 // total_follows) // 2
        if score > 0:
            scored.append((score, first, coins, follows))
    scored.sort(key=lambda item: (-item[0], item[1]))
    taken: list[tuple[int, int, int, int]] = []
    for item in scored:
        if all(abs(item[1] - other[1]) >= window for other in taken):
            taken.append(item)
        if len(taken) == top:
            break
    return [
        Highlight(
            minutes[first].at,
            minutes[min(first + window, len(minutes)) - 1].at + NS_PER_MINUTE,
            coins,
            follows,
            score,
        )
        for score, first, coins, follows in sorted(taken, key=lambda item: item[1])
    ]
