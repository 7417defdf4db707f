"""Scheduled LIVEs' rows: the schedule (its plan and goal as JSON, its state and the
session that took it up), its reminder offsets, and the reads the sweep, the counts and
the countdown make of them. Registrations and reminders sent are
``store.schedule_registrations``; the rules ``giftflow.live.schedules``; the flows
``giftflow.service.live.schedules``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.live.chapters import ChapterKind, ChapterPlan
from giftflow.live.goals import GoalKind
from giftflow.live.schedules import PlannedGoal, ScheduledLive, ScheduleState
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = (
    "id, creator_id, title, starts_at, chapters, goal, state, session_id, sequence,"
    " created_at, updated_at, closed_at,"
    " (SELECT COUNT(*) FROM schedule_registrations r WHERE r.schedule_id = scheduled_lives.id)"
    " AS registered"
)


@dataclass(frozen=True, slots=True)
class Upcoming:
    """A ``scheduled`` LIVE and its start, as going live looks for the one due."""

    id: str
    starts_at: UnixNs


# --- the JSON columns ----------------------------------------------------------------------


def goal_json(goal: PlannedGoal | None) -> str:
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


def goal_from(text: str) -> PlannedGoal | None:
    raw: dict[str, Any] | None = json.loads(text)
    if raw is None:
        return None
    return PlannedGoal(
        kind=GoalKind(raw["kind"]),
        target=raw["target"],
        gift_id=raw["gift_id"],
        promise=raw["promise"],
        deadline_s=raw["deadline_s"],
    )


def chapters_json(chapters: Sequence[ChapterPlan]) -> str:
    return json.dumps([[str(c.kind), c.title, c.planned_s] for c in chapters])


def chapters_from(text: str) -> tuple[ChapterPlan, ...]:
    return tuple(
        ChapterPlan(kind=ChapterKind(kind), title=title, planned_s=planned_s)
        for kind, title, planned_s in json.loads(text)
    )


# --- reads ---------------------------------------------------------------------------------


def schedule_from(row: NamedRow, offsets: tuple[int, ...]) -> ScheduledLive:
    return ScheduledLive(
        id=row["id"],
        creator_id=row["creator_id"],
        title=row["title"],
        starts_at=row["starts_at"],
        chapters=chapters_from(row["chapters"]),
        goal=goal_from(row["goal"]),
        state=ScheduleState(row["state"]),
        session_id=row["session_id"],
        sequence=row["sequence"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        closed_at=row["closed_at"] or None,  # 0 while scheduled or live
        registered=int(row["registered"]),
        reminder_offsets_s=offsets,
    )


def offsets_of(tx: Tx, schedule_ids: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Each schedule's reminder offsets, largest first, in one statement (a schedule
    without any maps to ``()``)."""
    found: dict[str, list[int]] = {schedule_id: [] for schedule_id in schedule_ids}
    if not found:
        return {}
    clause, parameter = tx.any_of(list(found))
    rows = tx.named_all(
        f"SELECT schedule_id, offset_s FROM schedule_offsets WHERE schedule_id {clause}",
        (parameter,),
    )
    for row in rows:
        found[row["schedule_id"]].append(int(row["offset_s"]))
    # sorted here: an ORDER BY ... offset_s DESC costs SQLite a sort of its own
    return {key: tuple(sorted(offsets, reverse=True)) for key, offsets in found.items()}


def by_id(tx: Tx, schedule_id: str) -> ScheduledLive | None:
    row = tx.named(f"SELECT {COLUMNS} FROM scheduled_lives WHERE id = ?", (schedule_id,))
    if row is None:
        return None
    return schedule_from(row, offsets_of(tx, [schedule_id])[schedule_id])


def of_room(
    tx: Tx, creator_id: UserId, *, state: ScheduleState | None, limit: int
) -> list[ScheduledLive]:
    """The room's scheduled LIVEs (in ``state`` when given) by start, then id: the
    ``limit`` that start last."""
    where = "creator_id = ?" + ("" if state is None else " AND state = ?")
    parameters: tuple[Any, ...] = (creator_id,) if state is None else (creator_id, str(state))
    rows = tx.named_all(
        f"SELECT {COLUMNS} FROM scheduled_lives WHERE {where} ORDER BY starts_at DESC, id LIMIT ?",
        (*parameters, limit),
    )
    offsets = offsets_of(tx, [row["id"] for row in rows])
    lives = (schedule_from(row, offsets[row["id"]]) for row in rows)
    return sorted(lives, key=lambda live: (live.starts_at, live.id))


def upcoming(tx: Tx, creator_id: UserId, *, until_ns: int) -> list[Upcoming]:
    """The creator's ``scheduled`` LIVEs that start by ``until_ns``, earliest first."""
    rows = tx.named_all(
        "SELECT id, starts_at FROM scheduled_lives WHERE creator_id = ? AND state = 'scheduled'"
        " AND starts_at <= ? ORDER BY starts_at, id",
        (creator_id, until_ns),
    )
    return [Upcoming(id=row["id"], starts_at=row["starts_at"]) for row in rows]


def id_of_session(tx: Tx, session_id: int) -> str | None:
    """The schedule the session took up, if any."""
    row = tx.named("SELECT id FROM scheduled_lives WHERE session_id = ?", (session_id,))
    return None if row is None else str(row["id"])


def counts(tx: Tx, creator_id: UserId, *, missed_before_ns: int) -> dict[str, int]:
    """The creator's scheduled LIVEs per state (the states that have some), a
    ``scheduled`` one starting at ``missed_before_ns`` or earlier counted as ``missed``."""
    rows = tx.named_all(
        "SELECT CASE WHEN state = 'scheduled' AND starts_at <= ? THEN 'missed'"
        " ELSE state END AS state, COUNT(*) AS lives FROM scheduled_lives WHERE creator_id = ?"
        " GROUP BY 1",
        (missed_before_ns, creator_id),
    )
    return {str(row["state"]): int(row["lives"]) for row in rows}


def showing(tx: Tx, creator_id: UserId, *, missed_before_ns: int) -> str | None:
    """The room's LIVE the countdown shows: the one ``live``, else the next
    ``scheduled`` one starting after ``missed_before_ns``."""
    row = tx.named(
        "SELECT id FROM scheduled_lives WHERE creator_id = ? AND (state = 'live'"
        " OR (state = 'scheduled' AND starts_at > ?))"
        " ORDER BY CASE WHEN state = 'live' THEN 0 ELSE 1 END, starts_at, id LIMIT 1",
        (creator_id, missed_before_ns),
    )
    return None if row is None else str(row["id"])


# --- writes --------------------------------------------------------------------------------


def insert(tx: Tx, live: ScheduledLive) -> None:
    """A ``scheduled`` LIVE: its row and its reminder offsets."""
    tx.execute(
        "INSERT INTO scheduled_lives (id, creator_id, title, starts_at, chapters, goal,"
        " state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)",
        (
            live.id,
            live.creator_id,
            live.title,
            live.starts_at,
            chapters_json(live.chapters),
            goal_json(live.goal),
            live.created_at,
            live.updated_at,
        ),
    )
    set_offsets(tx, live.id, live.reminder_offsets_s)


def set_offsets(tx: Tx, schedule_id: str, offsets: Sequence[int]) -> None:
    """The schedule's reminder offsets become ``offsets``."""
    tx.execute("DELETE FROM schedule_offsets WHERE schedule_id = ?", (schedule_id,))
    if offsets:
        tx.executemany(
            "INSERT INTO schedule_offsets (schedule_id, offset_s) VALUES (?, ?)",
            [(schedule_id, offset) for offset in offsets],
        )


def change(tx: Tx, changed: ScheduledLive, *, now_ns: int) -> None:
    """A ``scheduled`` LIVE takes ``changed``'s title, start, plan and goal; its
    sequence goes up (its offsets are ``set_offsets``)."""
    tx.execute(
        "UPDATE scheduled_lives SET title = ?, starts_at = ?, chapters = ?, goal = ?,"
        " sequence = sequence + 1, updated_at = ? WHERE id = ? AND state = 'scheduled'",
        (
            changed.title,
            changed.starts_at,
            chapters_json(changed.chapters),
            goal_json(changed.goal),
            now_ns,
            changed.id,
        ),
    )


def cancel(tx: Tx, schedule_id: str, *, now_ns: int) -> None:
    """A ``scheduled`` LIVE goes ``cancelled``; its sequence goes up."""
    tx.execute(
        "UPDATE scheduled_lives SET state = 'cancelled', closed_at = ?, updated_at = ?,"
        " sequence = sequence + 1 WHERE id = ? AND state = 'scheduled'",
        (now_ns, now_ns, schedule_id),
    )


def start(tx: Tx, schedule_id: str, *, session_id: int, now_ns: int) -> bool:
    """The compare-and-set of going live: a ``scheduled`` LIVE goes ``live`` with the
    session; False when it was no longer ``scheduled``."""
    tx.execute(
        "UPDATE scheduled_lives SET state = 'live', session_id = ?, updated_at = ?"
        " WHERE id = ? AND state = 'scheduled'",
        (session_id, now_ns, schedule_id),
    )
    return tx.rowcount == 1


def finish(tx: Tx, session_id: int, *, now_ns: int) -> None:
    """The ``live`` schedule of the session, if any, goes ``done``."""
    tx.execute(
        "UPDATE scheduled_lives SET state = 'done', closed_at = ?, updated_at = ?"
        " WHERE session_id = ? AND state = 'live'",
        (now_ns, now_ns, session_id),
    )


def mark_missed(tx: Tx, *, missed_before_ns: int, now_ns: int) -> list[str]:
    """The compare-and-set of the sweep: every ``scheduled`` LIVE starting at
    ``missed_before_ns`` or earlier goes ``missed``; their ids, sorted."""
    rows = tx.named_all(
        "UPDATE scheduled_lives SET state = 'missed', closed_at = ?, updated_at = ?"
        " WHERE state = 'scheduled' AND starts_at <= ? RETURNING id",
        (now_ns, now_ns, missed_before_ns),
    )
    return sorted(str(row["id"]) for row in rows)
