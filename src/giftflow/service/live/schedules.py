"""Scheduled LIVEs in the database: schedule, change, cancel; registrations; the link
to the session that takes the schedule up. The sweep (missed LIVEs, reminders) is
``schedule_sweep``; what is shown (figures, counts, the countdown) ``schedule_figures``.

Every change is one transaction with its events: room events for the overlays (the
countdown) and, for endpoints subscribed, outbox rows (webhooks out) in the same
transaction (docs/schedules.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from giftflow.creator.perks import require_open
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.chapters import ChapterKind, ChapterPlan
from giftflow.live.errors import LiveError, LiveNotFoundError, LiveStateError
from giftflow.live.events import EventType
from giftflow.live.goals import GoalKind
from giftflow.live.levels import level_for
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
from giftflow.service.live.context import LiveContext, event, optional
from giftflow.store import products
from giftflow.store.tx import Row, Tx

_COLUMNS: Final = (
    "id, creator_id, title, starts_at, chapters, goal, state, session_id, sequence,"
    " created_at, updated_at, closed_at,"
    " (SELECT COUNT(*) FROM schedule_registrations r WHERE r.schedule_id = scheduled_lives.id)"
)
LIST_MAX: Final = 500


@dataclass(frozen=True, slots=True)
class Changes:
    """What ``update`` changes; ``None`` leaves a field as it is (``goal``: ``clear_goal``
    removes it)."""

    title: str | None = None
    starts_at: int | None = None
    chapters: tuple[ChapterPlan, ...] | None = None
    goal: PlannedGoal | None = None
    clear_goal: bool = False
    reminder_offsets_s: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Registration:
    schedule_id: str
    user_id: int
    registered_at: int


# --- rows ----------------------------------------------------------------------------------


def _goal_json(goal: PlannedGoal | None) -> str:
    if goal is None:
        return "null"
    return json.dumps(
        {
            "kind": str(goal.kind),
            "target": goal.target,
            "gift_id": goal.gift_id,
            "promise": goal.promise,
            "deadline_s": goal.deadline_s,
        }
    )


def _goal_of(text: str) -> PlannedGoal | None:
    raw: dict[str, Any] | None = json.loads(text)
    if raw is None:
        return None
    return PlannedGoal(
        GoalKind(raw["kind"]), raw["target"], raw["gift_id"], raw["promise"], raw["deadline_s"]
    )


def _chapters_json(chapters: Sequence[ChapterPlan]) -> str:
    return json.dumps([[str(c.kind), c.title, c.planned_s] for c in chapters])


def _chapters_of(text: str) -> tuple[ChapterPlan, ...]:
    return tuple(ChapterPlan(ChapterKind(k), t, s) for k, t, s in json.loads(text))


def _of(row: Row, offsets: tuple[int, ...]) -> ScheduledLive:
    return ScheduledLive(
        id=row[0],
        creator_id=row[1],
        title=row[2],
        starts_at=row[3],
        chapters=_chapters_of(row[4]),
        goal=_goal_of(row[5]),
        state=ScheduleState(row[6]),
        session_id=row[7],
        sequence=row[8],
        created_at=row[9],
        updated_at=row[10],
        closed_at=optional(row[11]),
        registered=int(row[12]),
        reminder_offsets_s=offsets,
    )


def _offsets(tx: Tx, schedule_id: str) -> tuple[int, ...]:
    rows = tx.execute(
        "SELECT offset_s FROM schedule_offsets WHERE schedule_id = ? ORDER BY offset_s DESC",
        (schedule_id,),
    ).fetchall()
    return tuple(int(row[0]) for row in rows)


def find(tx: Tx, schedule_id: str) -> ScheduledLive:
    row = tx.execute(
        f"SELECT {_COLUMNS} FROM scheduled_lives WHERE id = ?", (schedule_id,)
    ).fetchone()
    if row is None:
        raise LiveNotFoundError(f"no scheduled LIVE {schedule_id}", code="scheduled_live_not_found")
    return _of(row, _offsets(tx, schedule_id))


def get(context: LiveContext, schedule_id: str) -> ScheduledLive:
    return context.read(lambda tx: find(tx, schedule_id))


def of_room(
    context: LiveContext, creator_id: int, *, state: ScheduleState | None = None
) -> list[ScheduledLive]:
    """The room's scheduled LIVEs by start, at most 500 (the newest starts)."""
    where = "creator_id = ?" + ("" if state is None else " AND state = ?")
    parameters: tuple[Any, ...] = (creator_id,) if state is None else (creator_id, str(state))

    def read(tx: Tx) -> list[ScheduledLive]:
        rows = tx.execute(
            f"SELECT {_COLUMNS} FROM scheduled_lives WHERE {where}"
            f" ORDER BY starts_at DESC, id LIMIT {LIST_MAX}",
            parameters,
        ).fetchall()
        return sorted(
            (_of(row, _offsets(tx, row[0])) for row in rows), key=lambda s: (s.starts_at, s.id)
        )

    return context.read(read)


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
    creator_id: int,
    *,
    title: str,
    starts_at: int,
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
        tx.execute(
            "INSERT INTO scheduled_lives (id, creator_id, title, starts_at, chapters, goal,"
            " state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)",
            (
                schedule_id,
                creator_id,
                title,
                starts_at,
                _chapters_json(chapters),
                _goal_json(goal),
                now,
                now,
            ),
        )
        _write_offsets(tx, schedule_id, offsets)
        live = find(tx, schedule_id)
        return live, [event_of(live, EventType.SCHEDULE_CREATED, now)]

    return context.write_events(add)


def _write_offsets(tx: Tx, schedule_id: str, offsets: Sequence[int]) -> None:
    tx.execute("DELETE FROM schedule_offsets WHERE schedule_id = ?", (schedule_id,))
    if offsets:
        tx.executemany(
            "INSERT INTO schedule_offsets (schedule_id, offset_s) VALUES (?, ?)",
            [(schedule_id, offset) for offset in offsets],
        )


def _require_scheduled(live: ScheduledLive) -> None:
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
        _require_scheduled(live)
        goal = None if changes.clear_goal else (changes.goal or live.goal)
        tx.execute(
            "UPDATE scheduled_lives SET title = ?, starts_at = ?, chapters = ?, goal = ?,"
            " sequence = sequence + 1, updated_at = ? WHERE id = ? AND state = 'scheduled'",
            (
                live.title if changes.title is None else changes.title,
                live.starts_at if changes.starts_at is None else changes.starts_at,
                _chapters_json(live.chapters if changes.chapters is None else changes.chapters),
                _goal_json(goal),
                now,
                schedule_id,
            ),
        )
        if offsets is not None:
            _write_offsets(tx, schedule_id, offsets)
        changed = find(tx, schedule_id)
        return changed, [event_of(changed, EventType.SCHEDULE_UPDATED, now)]

    return context.write_events(change)


def cancel(context: LiveContext, schedule_id: str) -> ScheduledLive:
    """Cancel a scheduled LIVE; cancelling a cancelled one changes nothing."""
    now = context.now()

    def close(tx: Tx) -> tuple[ScheduledLive, list[PendingEvent]]:
        live = find(tx, schedule_id)
        if live.state is ScheduleState.CANCELLED:
            return live, []
        _require_scheduled(live)
        tx.execute(
            "UPDATE scheduled_lives SET state = 'cancelled', closed_at = ?, updated_at = ?,"
            " sequence = sequence + 1 WHERE id = ? AND state = 'scheduled'",
            (now, now, schedule_id),
        )
        cancelled = find(tx, schedule_id)
        return cancelled, [event_of(cancelled, EventType.SCHEDULE_CANCELLED, now)]

    return context.write_events(close)


# --- registrations ---------------------------------------------------------------------------


def register(context: LiveContext, schedule_id: str, user_id: int) -> tuple[Registration, bool]:
    """The viewer registers (True the first time; again changes nothing). Only while
    the LIVE is ``scheduled``; the creator does not register for their own. A LIVE
    with an early-access perk opens to everyone at the perk's ``opens_at``, to its
    supporters ``early_s`` before (docs/products.md); one without is open at once."""
    now = context.now()

    def add(tx: Tx) -> tuple[Registration, bool]:
        live = find(tx, schedule_id)
        users.find(tx, user_id)
        if user_id == live.creator_id:
            raise LiveError(
                "a creator does not register for their own LIVE", code="self_registration"
            )
        existing = tx.scalar(
            "SELECT registered_at FROM schedule_registrations"
            " WHERE schedule_id = ? AND user_id = ?",
            (schedule_id, user_id),
        )
        if existing is not None:
            return Registration(schedule_id, user_id, int(existing)), False
        _require_scheduled(live)
        _require_open(tx, context, live, user_id, now)
        tx.execute(
            "INSERT INTO schedule_registrations (schedule_id, user_id, registered_at)"
            " VALUES (?, ?, ?) ON CONFLICT (schedule_id, user_id) DO NOTHING",
            (schedule_id, user_id, now),
        )
        return Registration(schedule_id, user_id, now), tx.rowcount == 1

    return context.write(add)


def _require_open(
    tx: Tx, context: LiveContext, live: ScheduledLive, user_id: int, now: int
) -> None:
    early = products.early_of_schedule(tx, live.id)
    if early is None:
        return
    coins = products.supporter_coins(tx, live.creator_id, user_id)
    level = level_for(coins, context.settings.level_thresholds_coins)
    require_open(early, level=level, now=now, what=f"registration for {live.id}")


def unregister(context: LiveContext, schedule_id: str, user_id: int) -> bool:
    """True if the viewer was registered. Reminders already sent stay sent: registering
    again does not repeat them."""

    def remove(tx: Tx) -> bool:
        find(tx, schedule_id)
        tx.execute(
            "DELETE FROM schedule_registrations WHERE schedule_id = ? AND user_id = ?",
            (schedule_id, user_id),
        )
        return tx.rowcount == 1

    return context.write(remove)


def registrations(
    context: LiveContext, schedule_id: str, *, limit: int, offset: int = 0
) -> list[Registration]:
    def read(tx: Tx) -> list[Registration]:
        find(tx, schedule_id)
        rows = tx.execute(
            "SELECT user_id, registered_at FROM schedule_registrations WHERE schedule_id = ?"
            " ORDER BY registered_at, user_id LIMIT ? OFFSET ?",
            (schedule_id, limit, offset),
        ).fetchall()
        return [Registration(schedule_id, int(r[0]), int(r[1])) for r in rows]

    return context.read(read)


def is_registered(context: LiveContext, schedule_id: str, user_id: int) -> bool:
    return context.read(
        lambda tx: (
            tx.scalar(
                "SELECT 1 FROM schedule_registrations WHERE schedule_id = ? AND user_id = ?",
                (schedule_id, user_id),
            )
            is not None
        )
    )


# --- going live --------------------------------------------------------------------------


def _due_of(tx: Tx, context: LiveContext, creator_id: int, now: int) -> str | None:
    settings = context.economy.settings
    rows = tx.execute(
        "SELECT id, starts_at FROM scheduled_lives WHERE creator_id = ? AND state = 'scheduled'"
        " AND starts_at <= ? ORDER BY starts_at, id",
        (creator_id, now + settings.schedule_early_s * NS_PER_S),
    ).fetchall()
    for schedule_id, starts_at in rows:
        if is_due(
            starts_at, now=now, early_s=settings.schedule_early_s, grace_s=settings.schedule_grace_s
        ):
            return str(schedule_id)
    return None


def _linkable(tx: Tx, schedule_id: str, creator_id: int) -> ScheduledLive:
    live = find(tx, schedule_id)
    if live.creator_id != creator_id:
        raise LiveError(
            f"scheduled LIVE {schedule_id} is another creator's",
            code="scheduled_live_other_creator",
        )
    _require_scheduled(live)
    return live


def link(
    context: LiveContext,
    tx: Tx,
    *,
    creator_id: int,
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
    tx.execute(
        "UPDATE scheduled_lives SET state = 'live', session_id = ?, updated_at = ?"
        " WHERE id = ? AND state = 'scheduled'",
        (session_id, now, schedule_id),
    )
    if tx.rowcount != 1:  # missed or cancelled by another server since it was read
        raise LiveStateError(
            f"scheduled LIVE {schedule_id} is no longer scheduled",
            code="scheduled_live_state_invalid",
        )
    session_chapters.append(tx, session_id, live.chapters)
    events: list[PendingEvent] = []
    if live.goal is not None:
        goal = live.goal
        deadline_at = 0 if goal.deadline_s is None else now + goal.deadline_s * NS_PER_S
        created = session_goals.insert(
            tx,
            session_id,
            creator_id,
            kind=goal.kind,
            target=goal.target,
            gift_id=goal.gift_id,
            promise=goal.promise,
            deadline_at=deadline_at,
            now=now,
        )
        events.append(session_goals.created_event(created, now))
    linked = find(tx, schedule_id)
    return linked, [event_of(linked, EventType.SCHEDULE_STARTED, now), *events]


def finish(tx: Tx, session_id: int, now: int) -> None:
    """In the session's end: its schedule is ``done``."""
    tx.execute(
        "UPDATE scheduled_lives SET state = 'done', closed_at = ?, updated_at = ?"
        " WHERE session_id = ? AND state = 'live'",
        (now, now, session_id),
    )
