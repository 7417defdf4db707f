"""Streaks (combos): one gift sent again and again, counted exactly once.

A platform reports a streak as events carrying the streak's id and its rising repeat
count. giftflow charges each event for its *delta* (the count minus the count already
charged) and tells every listener that delta, so a streak of 1, 2, 3 … 10 costs and
counts 10 gifts, never 55 and never 1. A streak ends when told to, or when no event
arrived for ``timeout_s``; an event for an ended streak is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.economy.errors import StreakError
from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import UnixNs

STREAK_TIMEOUT_S_DEFAULT = 10
"""Seconds without an event after which an open streak has ended (configurable)."""
_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Streak:
    id: str
    sender_id: UserId
    creator_id: UserId
    gift_id: GiftId
    repeat_count: int
    started_at: UnixNs
    last_at: UnixNs
    ended_at: UnixNs = 0
    end_reason: str | None = None

    def timed_out(self, now: int, timeout_s: int) -> bool:
        return self.ended_at == 0 and now - self.last_at >= timeout_s * _NS


def streak_key(sender_id: UserId, client_streak_id: str) -> str:
    """Streak ids are the sender's own: two senders may use the same client id."""
    return f"{sender_id}:{client_streak_id}"


def delta_for(
    streak: Streak | None,
    *,
    repeat_count: int,
    gift_id: GiftId,
    creator_id: UserId,
    now: int,
    timeout_s: int,
) -> int:
    """How many gifts this streak event adds; raises for an event that cannot count."""
    if repeat_count < 1:
        raise StreakError("repeat_count starts at 1", code="streak_count_invalid")
    if streak is None:
        return repeat_count
    if streak.gift_id != gift_id or streak.creator_id != creator_id:
        raise StreakError("a streak keeps its gift and creator", code="streak_mismatch")
    if streak.ended_at or streak.timed_out(now, timeout_s):
        raise StreakError(f"streak {streak.id} has ended", code="streak_ended")
    if repeat_count <= streak.repeat_count:
        raise StreakError(
            f"repeat_count {repeat_count} does not rise above {streak.repeat_count}",
            code="streak_count_not_rising",
        )
    return repeat_count - streak.repeat_count
