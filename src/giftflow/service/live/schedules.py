"""Scheduled LIVEs: schedule, change, cancel; the link to the session that takes the
schedule up and its end. Registrations are ``schedule_registrations``; the sweep (missed
LIVEs, reminders) ``schedule_sweep``; what is shown (figures, counts, the countdown)
``schedule_figures``; the rows ``giftflow.store.schedules``.

Every change is one transaction with its events: room events for the overlays (the
countdown) and, for endpoints subscribed, outbox rows (webhooks out) in the same
transaction (docs/schedules.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.live.chapters import ChapterPlan
from giftflow.live.errors import LiveError, LiveNotFoundError, LiveStateError
from giftflow.live.events import EventType
from giftflow.live.schedules import (
    REMINDER_OFFSETS_S_DEFAULT,
    PlannedGoal,
    ScheduledLive,
    ScheduleState,
    check_offsets,
    check_plan,
    check_start,
    is_due,
)
from giftflow.service.economy import users
from giftflow.service.economy.context import PendingEvent
from giftflow.service.live import chapters as session_chapters
from giftflow.service.live import goals as session_goals
from giftflow.service.live.context import LiveContext, event
from giftflow.store import goals as stored_goals
from giftflow.store import schedules as stored
from giftflow.store.tx import Tx

LIST_MAX: Final = 500


@dataclass(frozen=True, slots=True)
class Changes:
    """What ``update`` changes; ``None`` leaves a field as it is (``goal``: ``clear_goal``
    removes it)."""

    title: str | None = None
    starts_at: UnixNs | None = None
    chapters: tuple[ChapterPlan, ...] | None = None
    goal: PlannedGoal | None = None
    clear_goal: bool = False
    reminder_offsets_s: tuple[int, ...] | None = None


def find(tx: Tx, schedule_id: str) -> ScheduledLive:
    live = stored.by_id(tx, schedule_id)
    if live is None:
        raise LiveNotFoundError(f"no scheduled LIVE {schedule_id}", code="scheduled_live_not_found")
    return live


def get(context: LiveContext, schedule_id: str) -> ScheduledLive:
    return context.read(lambda tx: find(tx, schedule_id))


def of_room(
    context: LiveContext, creator_id: UserId, *, state: ScheduleState | None = None
) -> list[ScheduledLive]:
    """The room's scheduled LIVEs by start, at most 500 (the newest starts)."""
    return context.read(lambda tx: stored.of_room(tx, creator_id, state=state, limit=LIST_MAX))


def data_of(live: ScheduledLive) -> dict[str, Any]:
    """The ``data`` of the ``schedule.*`` events (times in nanoseconds)."""
    return {
        "schedule_id": live.id,
        "title": live.title,
        "starts_at": live.starts_at,
        "ends_at": live.ends_at,
        "state": str(live.state),
        "session_id": live.session_id,
        "reminder_offsets_s": list(live.reminder_offsets_s),
        "registered": live.registered,
    }


def event_of(live: ScheduledLive, type: EventType, at: int) -> PendingEvent:
    return event(live.creator_id, type, data_of(live), at)


# --- the creator's moves --------------------------------------------------------------------


def _check_goal_gift(context: LiveContext, goal: PlannedGoal | None) -> None:
    if goal is not None and goal.gift_id is not None:
        context.economy.catalog.gift(goal.gift_id)  # raises for a gift the catalog lacks


def create(
    context: LiveContext,
    creator_id: UserId,
    *,
    title: str,
    starts_at: UnixNs,
    chapters: Sequence[ChapterPlan] = (),
    goal: PlannedGoal | None = None,
    reminder_offsets_s: Sequence[int] | None = None,
) -> ScheduledLive:
    now = context.now()
    check_start(starts_at, now=now)
    check_plan(chapters, goal)
    _check_goal_gift(context, goal)
    offsets = check_offsets(
        REMINDER_OFFSETS_S_DEFAULT if reminder_offsets_s is None else reminder_offsets_s
    )
    schedule_id = context.economy.new_id("sl")

    def add(tx: Tx) -> tuple[ScheduledLive, list[PendingEvent]]:
        if not users.find(tx, creator_id).is_creator:
            raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")
        planned = ScheduledLive(
            id=schedule_id,
            creator_id=creator_id,
            title=title,
            starts_at=starts_at,
            state=ScheduleState.SCHEDULED,
            chapters=tuple(chapters),
            goal=goal,
            reminder_offsets_s=offsets,
            created_at=now,
            updated_at=now,
        )
        stored.insert(tx, planned)
        live = find(tx, schedule_id)
        return live, [event_of(live, EventType.SCHEDULE_CREATED, now)]

    return context.write_events(add)


def require_scheduled(live: ScheduledLive) -> None:
    """Refuse a change to a LIVE no longer ``scheduled``."""
    if live.state is not ScheduleState.SCHEDULED:
        raise LiveStateError(
            f"scheduled LIVE {live.id} is {live.state}: only a scheduled one changes",
            code="scheduled_live_state_invalid",
        )


def update(context: LiveContext, schedule_id: str, changes: Changes) -> ScheduledLive:
    """Change a LIVE still ``scheduled``; reminders already sent are not sent again,
    even for a new start (decisions/0071)."""
    now = context.now()
    if changes.starts_at is not None:
        check_start(changes.starts_at, now=now)
    check_plan(changes.chapters or (), changes.goal)
    _check_goal_gift(context, changes.goal)
    offsets = None
    if changes.reminder_offsets_s is not None:
        offsets = check_offsets(changes.reminder_offsets_s)

    def change(tx: Tx) -> tuple[ScheduledLive, list[PendingEvent]]:
        live = find(tx, schedule_id)
        require_scheduled(live)
        goal = None if changes.clear_goal else (changes.goal or live.goal)
        changed = replace(
            live,
            title=live.title if changes.title is None else changes.title,
            starts_at=live.starts_at if changes.starts_at is None else changes.starts_at,
            chapters=live.chapters if changes.chapters is None else changes.chapters,
            goal=goal,
        )
        stored.change(tx, changed, now_ns=now)
        if offsets is not None:
            stored.set_offsets(tx, schedule_id, offsets)
        updated = find(tx, schedule_id)
        return updated, [event_of(updated, EventType.SCHEDULE_UPDATED, now)]

    return context.write_events(change)


def cancel(context: LiveContext, schedule_id: str) -> ScheduledLive:
    """Cancel a scheduled LIVE; cancelling a cancelled one changes nothing."""
    now = context.now()

    def close(tx: Tx) -> tuple[ScheduledLive, list[PendingEvent]]:
        live = find(tx, schedule_id)
        if live.state is ScheduleState.CANCELLED:
            return live, []
        require_scheduled(live)
        stored.cancel(tx, schedule_id, now_ns=now)
        cancelled = find(tx, schedule_id)
        return cancelled, [event_of(cancelled, EventType.SCHEDULE_CANCELLED, now)]

    return context.write_events(close)


# --- going live --------------------------------------------------------------------------


def _due_of(tx: Tx, context: LiveContext, creator_id: UserId, now: int) -> str | None:
    settings = context.economy.settings
    until = now + settings.schedule_early_s * NS_PER_S
    for upcoming in stored.upcoming(tx, creator_id, until_ns=until):
        if is_due(
            upcoming.starts_at,
            now=now,
            early_s=settings.schedule_early_s,
            grace_s=settings.schedule_grace_s,
        ):
            return upcoming.id
    return None


def _linkable(tx: Tx, schedule_id: str, creator_id: UserId) -> ScheduledLive:
    live = find(tx, schedule_id)
    if live.creator_id != creator_id:
        raise LiveError(
            f"scheduled LIVE {schedule_id} is another creator's",
            code="scheduled_live_other_creator",
        )
    require_scheduled(live)
    return live


def link(
    context: LiveContext,
    tx: Tx,
    *,
    creator_id: UserId,
    session_id: int,
    schedule_id: str | None,
    now: int,
) -> tuple[ScheduledLive | None, list[PendingEvent]]:
    """In the new session's transaction: take up ``schedule_id`` (it must be the
    creator's and ``scheduled``), or else the creator's LIVE due now, if any. The
    session gets its planned chapters and goal; the schedule goes ``live``."""
    if schedule_id is None:
        schedule_id = _due_of(tx, context, creator_id, now)
        if schedule_id is None:
            return None, []
    live = _linkable(tx, schedule_id, creator_id)
    if not stored.start(tx, schedule_id, session_id=session_id, now_ns=now):
        # missed or cancelled by another server since it was read
        raise LiveStateError(
            f"scheduled LIVE {schedule_id} is no longer scheduled",
            code="scheduled_live_state_invalid",
        )
    session_chapters.append(tx, session_id, live.chapters)
    events: list[PendingEvent] = []
    if live.goal is not None:
        goal = live.goal
        deadline_at = 0 if goal.deadline_s is None else now + goal.deadline_s * NS_PER_S
        created = stored_goals.insert(
            tx,
            session_id=session_id,
            creator_id=creator_id,
            kind=goal.kind,
            target=goal.target,
            gift_id=goal.gift_id,
            promise=goal.promise,
            deadline_at_ns=deadline_at,
            now_ns=now,
        )
        events.append(session_goals.created_event(created, now))
    linked = find(tx, schedule_id)
    return linked, [event_of(linked, EventType.SCHEDULE_STARTED, now), *events]


def finish(tx: Tx, session_id: int, now: int) -> None:
    """In the session's end: its schedule is ``done``."""
    stored.finish(tx, session_id, now_ns=now)
