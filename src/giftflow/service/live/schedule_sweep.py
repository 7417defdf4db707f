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
from giftflow.store.tx import Tx

REMINDERS_PER_SWEEP: Final = 1_000
"""A sweep sends at most this many reminders (the next sweep, a second later, goes on)."""


def mark_missed(context: LiveContext) -> list[ScheduledLive]:
    """Every ``scheduled`` LIVE whose grace period after its start has passed without a
    session becomes ``missed`` (a compare-and-set: once, whichever process sweeps)."""
    now = context.now()
    before = missed_before(now, grace_s=context.economy.settings.schedule_grace_s)

    def sweep(tx: Tx) -> tuple[list[ScheduledLive], list[PendingEvent]]:
        rows = tx.execute(
            "UPDATE scheduled_lives SET state = 'missed', closed_at = ?, updated_at = ?"
            " WHERE state = 'scheduled' AND starts_at <= ? RETURNING id",
            (now, now, before),
        ).fetchall()
        missed = [find(tx, str(row[0])) for row in sorted(rows)]
        return missed, [event_of(live, EventType.SCHEDULE_MISSED, now) for live in missed]

    return context.write_events(sweep)


_DUE: Final = (
    "SELECT s.id, g.user_id, o.offset_s, s.creator_id, s.title, s.starts_at"
    " FROM scheduled_lives s"
    " JOIN schedule_offsets o ON o.schedule_id = s.id"
    " JOIN schedule_registrations g ON g.schedule_id = s.id"
    " LEFT JOIN schedule_reminders m"
    "  ON m.schedule_id = s.id AND m.user_id = g.user_id AND m.offset_s = o.offset_s"
    " WHERE s.state IN ('scheduled', 'live') AND s.starts_at <= ?"
    " AND s.starts_at - CAST(o.offset_s AS BIGINT) * ? <= ?"
    " AND g.registered_at < s.starts_at - CAST(o.offset_s AS BIGINT) * ?"
    " AND m.schedule_id IS NULL"
    " ORDER BY s.starts_at, s.id, o.offset_s DESC, g.user_id LIMIT ?"
)


def remind_due(context: LiveContext) -> int:
    """Send every reminder whose moment has come (``starts_at - offset``) to the
    viewers registered before that moment, while the LIVE is scheduled or live: one
    ``schedule.reminder`` per registration and offset, ever. Returns how many."""
    now = context.now()
    horizon = now + 30 * 86_400 * NS_PER_S  # no offset reaches further ahead

    def sweep(tx: Tx) -> int:
        due = tx.execute(_DUE, (horizon, NS_PER_S, now, NS_PER_S, REMINDERS_PER_SWEEP)).fetchall()
        sent = 0
        for schedule_id, user_id, offset_s, creator_id, title, starts_at in due:
            tx.execute(
                "INSERT INTO schedule_reminders (schedule_id, user_id, offset_s, sent_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (schedule_id, user_id, offset_s, now),
            )
            if tx.rowcount != 1:
                continue  # another process sent it first
            sent += 1
            data: dict[str, Any] = {
                "schedule_id": schedule_id,
                "user_id": user_id,
                "offset_s": offset_s,
                "remind_at": remind_at(starts_at, offset_s),
                "starts_at": starts_at,
                "title": title,
            }
            context.economy.notify(
                tx, creator_id, str(EventType.SCHEDULE_REMINDER), _constant(data), now
            )
        return sent

    return context.write(sweep)


def _constant(data: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: data
