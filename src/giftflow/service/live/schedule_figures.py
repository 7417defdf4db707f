"""What the scheduled LIVEs show: a LIVE's figures (registered, attended, gifted),
a creator's counts per state (missed among them), the countdown overlay's state."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.ids import UserId
from giftflow.live.schedules import Figures, ScheduledLive, ScheduleState, missed_before
from giftflow.service.live.context import LiveContext
from giftflow.service.live.schedules import find
from giftflow.store import schedule_registrations, schedules
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class Countdown:
    """What the countdown overlay shows: the room's LIVE that is linked and live, else
    its next scheduled one not yet missed (``None``: nothing planned)."""

    room_id: UserId
    at: int
    last_event_id: str | None
    schedule: ScheduledLive | None


def figures(context: LiveContext, schedule_id: str) -> Figures:
    return context.read(lambda tx: _figures(tx, find(tx, schedule_id)))


def figures_of_session(context: LiveContext, session_id: int) -> Figures | None:
    """The figures of the schedule the session took up, if any."""

    def read(tx: Tx) -> Figures | None:
        schedule_id = schedules.id_of_session(tx, session_id)
        return None if schedule_id is None else _figures(tx, find(tx, schedule_id))

    return context.read(read)


def _figures(tx: Tx, live: ScheduledLive) -> Figures:
    if live.session_id is None:  # no session yet: nobody attended or gifted
        return Figures(live.id, None, live.registered, 0, 0)
    turnout = schedule_registrations.turnout(tx, live.id, session_id=live.session_id)
    return Figures(live.id, live.session_id, live.registered, turnout.attended, turnout.gifted)


def counts(context: LiveContext, creator_id: UserId) -> dict[str, int]:
    """The creator's scheduled LIVEs per state. A LIVE past its grace period that the
    sweep has not marked yet counts as missed already."""
    before = missed_before(context.now(), grace_s=context.economy.settings.schedule_grace_s)

    def read(tx: Tx) -> dict[str, int]:
        found = schedules.counts(tx, creator_id, missed_before_ns=before)
        return {str(state): found.get(str(state), 0) for state in ScheduleState}

    return context.read(read)


def countdown(context: LiveContext, room_id: UserId) -> Countdown:
    last_event_id = context.bus.last_id(room_id)  # first: the state read counts it
    now = context.now()
    before = missed_before(now, grace_s=context.economy.settings.schedule_grace_s)

    def read(tx: Tx) -> ScheduledLive | None:
        schedule_id = schedules.showing(tx, room_id, missed_before_ns=before)
        return None if schedule_id is None else find(tx, schedule_id)

    return Countdown(room_id, now, last_event_id, context.read(read))
