"""What the scheduled LIVEs show: a LIVE's figures (registered, attended, gifted),
a creator's counts per state (missed among them), the countdown overlay's state."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.live.schedules import Figures, ScheduledLive, ScheduleState, missed_before
from giftflow.service.live.context import LiveContext
from giftflow.service.live.schedules import find
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class Countdown:
    """What the countdown overlay shows: the room's LIVE that is linked and live, else
    its next scheduled one not yet missed (``None``: nothing planned)."""

    room_id: int
    at: int
    last_event_id: str | None
    schedule: ScheduledLive | None


def figures(context: LiveContext, schedule_id: str) -> Figures:
    return context.read(lambda tx: _figures(tx, find(tx, schedule_id)))


def figures_of_session(context: LiveContext, session_id: int) -> Figures | None:
    """The figures of the schedule the session took up, if any."""

    def read(tx: Tx) -> Figures | None:
        schedule_id = tx.scalar(
            "SELECT id FROM scheduled_lives WHERE session_id = ?", (session_id,)
        )
        return None if schedule_id is None else _figures(tx, find(tx, str(schedule_id)))

    return context.read(read)


def _figures(tx: Tx, live: ScheduledLive) -> Figures:
    attended = gifted = 0
    if live.session_id is not None:
        attended = int(
            tx.scalar(
                "SELECT COUNT(*) FROM schedule_registrations r WHERE r.schedule_id = ? AND"
                " EXISTS (SELECT 1 FROM session_viewers v"
                " WHERE v.session_id = ? AND v.viewer_id = r.user_id)",
                (live.id, live.session_id),
            )
        )
        gifted = int(
            tx.scalar(
                "SELECT COUNT(*) FROM schedule_registrations r WHERE r.schedule_id = ? AND"
                " EXISTS (SELECT 1 FROM gifts g"
                " WHERE g.session_id = ? AND g.sender_id = r.user_id)",
                (live.id, live.session_id),
            )
        )
    return Figures(live.id, live.session_id, live.registered, attended, gifted)


def counts(context: LiveContext, creator_id: int) -> dict[str, int]:
    """The creator's scheduled LIVEs per state. A LIVE past its grace period that the
    sweep has not marked yet counts as missed already."""
    before = missed_before(context.now(), grace_s=context.economy.settings.schedule_grace_s)

    def read(tx: Tx) -> dict[str, int]:
        rows = tx.execute(
            "SELECT CASE WHEN state = 'scheduled' AND starts_at <= ? THEN 'missed'"
            " ELSE state END, COUNT(*) FROM scheduled_lives WHERE creator_id = ?"
            " GROUP BY 1",
            (before, creator_id),
        ).fetchall()
        found = {str(row[0]): int(row[1]) for row in rows}
        return {str(state): found.get(str(state), 0) for state in ScheduleState}

    return context.read(read)


def countdown(context: LiveContext, room_id: int) -> Countdown:
    last_event_id = context.bus.last_id(room_id)  # first: the state read counts it
    now = context.now()
    before = missed_before(now, grace_s=context.economy.settings.schedule_grace_s)

    def read(tx: Tx) -> ScheduledLive | None:
        schedule_id = tx.scalar(
            "SELECT id FROM scheduled_lives WHERE creator_id = ? AND (state = 'live'"
            " OR (state = 'scheduled' AND starts_at > ?))"
            " ORDER BY CASE WHEN state = 'live' THEN 0 ELSE 1 END, starts_at, id LIMIT 1",
            (room_id, before),
        )
        return None if schedule_id is None else find(tx, str(schedule_id))

    return Countdown(room_id, now, last_event_id, context.read(read))
