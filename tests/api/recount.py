"""An independent recount of a subathon from the rows the tests read: the gifts table
(each gift event's ``sent_at`` and coins in the room's sessions) and the creator's
recorded controls. It counts the time left down between moments, the way a person
with a stopwatch would, instead of the fold's granted/ran bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NS_PER_S = 1_000_000_000
Rules = tuple[tuple[tuple[int, int], ...], int]
"""``((min_coins, add_s), ...), ms_per_coin``"""


@dataclass(frozen=True)
class Recount:
    ends_at: int | None
    """``None`` while paused."""
    left_ns: int
    """At the last moment counted (for a paused timer, what it will run)."""
    granted_ns: int
    gifts: int
    coins: int


def _added(rules: Rules, coins: int) -> int:
    tiers, ms_per_coin = rules
    tier_s = max((add_s for min_coins, add_s in tiers if coins >= min_coins), default=0)
    return tier_s * NS_PER_S + coins * ms_per_coin * 1_000_000


def recount(
    *,
    started_at: int,
    initial_s: int,
    cap_s: int,
    rules: Rules,
    controls: list[tuple[int, str, Rules | None]],
    gifts: list[tuple[int, int]],
) -> Recount:
    """``controls``: ``(at, kind, rules for a change)``; ``gifts``: ``(sent_at, coins)``.
    At one moment, controls come before gifts."""
    moments: list[tuple[int, int, Any]] = [(at, 0, (kind, r)) for at, kind, r in controls]
    moments += [(at, 1, coins) for at, coins in gifts if at >= started_at]
    left, total, cap = initial_s * NS_PER_S, initial_s * NS_PER_S, cap_s * NS_PER_S
    running, over, last, counted, coins_counted = True, False, started_at, 0, 0
    for at, order, what in sorted(moments, key=lambda m: (m[0], m[1])):
        if running and not over:
            left -= at - last
            if left <= 0:
                left, over = 0, True
        last = at
        if over:
            continue
        if order == 1:
            add = min(_added(rules, what), cap - total)
            left, total = left + add, total + add
            counted, coins_counted = counted + 1, coins_counted + what
            continue
        kind, new_rules = what
        if kind == "pause":
            running = False
        elif kind == "resume":
            running = True
        elif kind == "change":
            rules = new_rules
        else:
            left, over = 0, True
    ends_at = None if (running is False and not over) else last + left
    return Recount(ends_at, left, total, counted, coins_counted)
