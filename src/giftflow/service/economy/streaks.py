"""Ending streaks: on the client's word, or by the timeout sweep; either tells the
creator's room ``streak.ended`` when the streak's last gift was in a LIVE."""

from __future__ import annotations

from giftflow.economy.errors import StreakError
from giftflow.economy.streaks import Streak, streak_key
from giftflow.ids import UserId
from giftflow.live.events import EventType
from giftflow.service.economy.context import EconomyContext, PendingEvent
from giftflow.store import gifts as stored_gifts
from giftflow.store.tx import Tx


def end_streak(context: EconomyContext, sender_id: UserId, client_streak_id: str) -> Streak:
    """End a streak on the client's word; ending an ended streak changes nothing."""
    key = streak_key(sender_id, client_streak_id)
    now = context.now()

    def end(tx: Tx) -> tuple[Streak, list[PendingEvent]]:
        ended = stored_gifts.end_streak(tx, key, now_ns=now)
        streak = stored_gifts.streak(tx, key)
        if streak is None:
            raise StreakError(f"no streak {client_streak_id}", code="streak_not_found")
        return streak, _streak_ended(tx, streak) if ended else []

    streak, events = context.ledger.write(end)
    context.publish(events)
    return streak


def end_stale_streaks(context: EconomyContext) -> list[Streak]:
    """End the streaks that had no event for the timeout; returns those just ended."""
    now = context.now()
    cutoff = now - context.settings.streak_timeout_s * 1_000_000_000

    def sweep(tx: Tx) -> tuple[list[Streak], list[PendingEvent]]:
        streaks = stored_gifts.end_stale_streaks(tx, now_ns=now, last_before_ns=cutoff)
        return streaks, [event for streak in streaks for event in _streak_ended(tx, streak)]

    streaks, events = context.ledger.write(sweep)
    context.publish(events)
    return streaks


def _streak_ended(tx: Tx, streak: Streak) -> list[PendingEvent]:
    """``streak.ended`` to the creator's room, for a streak whose last event was in a
    session (streaks outside LIVE have no room to tell)."""
    session_id = stored_gifts.last_session(tx, streak.id)
    if session_id is None:
        return []
    data = {
        "session_id": session_id,
        "streak_id": streak.id.split(":", 1)[1],
        "sender_id": streak.sender_id,
        "gift_id": streak.gift_id,
        "repeat_count": streak.repeat_count,
        "started_at": streak.started_at,
        "ended_at": streak.ended_at,
        "reason": streak.end_reason,
    }
    return [PendingEvent(streak.creator_id, EventType.STREAK_ENDED, data, streak.ended_at)]
