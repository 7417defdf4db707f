"""The scheduled LIVEs' sweep (the app runs it every second, every process): missed
LIVEs marked, and the reminders due sent through the outbox, each exactly once per
registration and offset (decisions/0071)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from giftflow.ledger.clock import NS_PER_S
from giftflow.live.events import EventType
from giftflow.live.schedules import ScheduledLive, missed_before, remind_at
from giftflow.service.economy.context import PendingEvent
from giftflow.service.live.context import LiveContext
from giftflow.service.live.schedules import event_of, find
from giftflow.store import schedule_registrations, schedules
from giftflow.store.schedule_registrations import DueReminder
from giftflow.store.tx import Tx

REMINDERS_PER_SWEEP: Final = 1_000
"""A sweep sends at most this many reminders (the next sweep, a second later, goes on)."""


def mark_missed(context: LiveContext) -> list[ScheduledLive]:
    """Every ``scheduled`` LIVE whose grace period after its start has passed without a
    session becomes ``missed`` (a compare-and-set: once, whichever process sweeps)."""
    now = context.now()
    before = missed_before(now, grace_s=context.economy.settings.schedule_grace_s)

    def sweep(tx: Tx) -> tuple[list[ScheduledLive], list[PendingEvent]]:
        ids = schedules.mark_missed(tx, missed_before_ns=before, now_ns=now)
        missed = [find(tx, schedule_id) for schedule_id in ids]
        return missed, [event_of(live, EventType.SCHEDULE_MISSED, now) for live in missed]

    return context.write_events(sweep)


def remind_due(context: LiveContext) -> int:
    """Send every reminder whose moment has come (``starts_at - offset``) to the
    viewers registered before that moment, while the LIVE is scheduled or live: one
    ``schedule.reminder`` per registration and offset, ever. Returns how many."""
    now = context.now()
    horizon = now + 30 * 86_400 * NS_PER_S  # no offset reaches further ahead

    def sweep(tx: Tx) -> int:
        due = schedule_registrations.due_reminders(
            tx, now_ns=now, horizon_ns=horizon, limit=REMINDERS_PER_SWEEP
        )
        sent = 0
        for reminder in due:
            if not schedule_registrations.claim_reminder(tx, reminder, now_ns=now):
                continue  # another process sent it first
            sent += 1
            data = _data_of(reminder)
            context.economy.notify(
                tx, reminder.creator_id, str(EventType.SCHEDULE_REMINDER), _constant(data), now
            )
        return sent

    return context.write(sweep)


def _data_of(reminder: DueReminder) -> dict[str, Any]:
    """The ``schedule.reminder`` event's ``data``."""
    return {
        "schedule_id": reminder.schedule_id,
        "user_id": reminder.user_id,
        "offset_s": reminder.offset_s,
        "remind_at": remind_at(reminder.starts_at, reminder.offset_s),
        "starts_at": reminder.starts_at,
        "title": reminder.title,
    }


def _constant(data: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: data
