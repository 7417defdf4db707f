"""Chapters of a LIVE: plan them, advance from one to the next, and count what
happened in each (gifts from the timeline, interactions by their chapter). An ended
session's schedule can also be recorded afterwards, with explicit windows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from giftflow.live.chapters import Chapter, ChapterKind, ChapterPlan, current, next_to_start
from giftflow.live.errors import LiveError, LiveStateError
from giftflow.live.events import EventType
from giftflow.service.live.context import (
    NS_PER_S,
    LiveContext,
    event,
    live_session,
    optional,
    require_live,
)
from giftflow.store.tx import Row, Tx

SEGMENT = str(ChapterKind.SEGMENT)
_COLUMNS = "id, session_id, position, kind, title, planned_s, started_at, ended_at"


@dataclass(frozen=True, slots=True)
class ChapterTotals:
    chapter_id: int
    gifts: int
    coins: int
    interactions: int


def chapter_of(row: Row) -> Chapter:
    return Chapter(
        row[0],
        row[1],
        row[2],
        ChapterKind(row[3]),
        row[4],
        row[5],
        optional(row[6]),
        optional(row[7]),
    )


def of_session(tx: Tx, session_id: int) -> list[Chapter]:
    rows = tx.execute(
        f"SELECT {_COLUMNS} FROM chapters WHERE session_id = ? ORDER BY position", (session_id,)
    ).fetchall()
    return [chapter_of(row) for row in rows]


def current_id(tx: Tx, session_id: int) -> int | None:
    chapter = current(of_session(tx, session_id))
    return None if chapter is None else chapter.id


def close_current(tx: Tx, session_id: int, now: int) -> None:
    tx.execute(
        "UPDATE chapters SET ended_at = ? WHERE session_id = ? AND started_at > 0 AND ended_at = 0",
        (now, session_id),
    )


def plan(context: LiveContext, session_id: int, plans: Sequence[ChapterPlan]) -> list[Chapter]:
    """Append chapters to the session's plan, in order; returns the whole plan."""
    if any(p.planned_s <= 0 for p in plans):
        raise LiveError("a chapter is planned for a positive time", code="chapter_invalid")

    def add(tx: Tx) -> list[Chapter]:
        require_live(tx, session_id)
        append(tx, session_id, plans)
        return of_session(tx, session_id)

    return context.write(add)


def append(tx: Tx, session_id: int, plans: Sequence[ChapterPlan]) -> None:
    """The plans after the session's last chapter, in ``tx`` (a scheduled LIVE's plan
    goes in with its session)."""
    if not plans:
        return
    last = tx.scalar(
        "SELECT COALESCE(MAX(position), 0) FROM chapters WHERE session_id = ?", (session_id,)
    )
    tx.executemany(
        "INSERT INTO chapters (session_id, position, kind, title, planned_s)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (session_id, int(last) + index + 1, str(p.kind), p.title, p.planned_s)
            for index, p in enumerate(plans)
        ],
    )


def chapters(context: LiveContext, session_id: int) -> list[Chapter]:
    return context.read(lambda tx: of_session(tx, session_id))


def advance(context: LiveContext, session_id: int) -> Chapter:
    """End the current chapter and start the next planned one (``chapter.changed``)."""
    now = context.now()

    def step(tx: Tx) -> tuple[int, Chapter | None, Chapter]:
        creator_id = require_live(tx, session_id)
        planned = of_session(tx, session_id)
        following = next_to_start(planned)
        if following is None:
            raise LiveStateError("no planned chapter is left", code="chapters_exhausted")
        previous = current(planned)
        close_current(tx, session_id, now)
        tx.execute("UPDATE chapters SET started_at = ? WHERE id = ?", (now, following.id))
        started = next(c for c in of_session(tx, session_id) if c.id == following.id)
        return creator_id, previous, started

    creator_id, previous, started = context.write(step)
    data = {
        "session_id": session_id,
        "previous_chapter_id": None if previous is None else previous.id,
        "chapter_id": started.id,
        "position": started.position,
        "kind": str(started.kind),
        "title": started.title,
        "planned_s": started.planned_s,
    }
    context.publish([event(creator_id, EventType.CHAPTER_CHANGED, data, now)])
    return started


def record(
    context: LiveContext, session_id: int, windows: Sequence[tuple[str, int, int]]
) -> list[Chapter]:
    """Store an ended session's schedule as ``segment`` chapters, one per ``(title,
    started_at_ns, ended_at_ns)``, in that order. Windows are kept as given: real
    schedules overlap, or run a segment for no time at all (the table has no rule
    against an end before the start). A session gets its chapters once."""
    if any(start <= 0 or end <= 0 for _, start, end in windows):
        # 0 in these columns means "not yet": a recorded window has both ends.
        raise LiveError("a recorded chapter has a start and an end", code="chapter_invalid")

    def add(tx: Tx) -> list[Chapter]:
        _, ended_at = live_session(tx, session_id)
        if not ended_at:
            raise LiveStateError(f"session {session_id} is still live", code="session_live")
        if tx.scalar("SELECT COUNT(*) FROM chapters WHERE session_id = ?", (session_id,)):
            raise LiveStateError(
                f"session {session_id} has chapters already", code="chapters_recorded"
            )
        tx.executemany(
            "INSERT INTO chapters"
            " (session_id, position, kind, title, planned_s, started_at, ended_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (session_id, position, SEGMENT, title, _planned_s(start, end), start, end)
                for position, (title, start, end) in enumerate(windows, start=1)
            ],
        )
        return of_session(tx, session_id)

    return context.write(add)


def _planned_s(start: int, end: int) -> int:
    """The window's length, at least 1 s (the table wants a positive plan)."""
    return max(1, (end - start) // NS_PER_S)


def totals(context: LiveContext, session_id: int) -> list[ChapterTotals]:
    """Per chapter that started: gifts (events) and coins received during it, and its
    interactions."""

    def count(tx: Tx) -> list[ChapterTotals]:
        rows = tx.execute(
            "SELECT c.id,"
            " (SELECT COUNT(*) FROM gifts g WHERE g.session_id = c.session_id"
            "   AND g.sent_at >= c.started_at AND (c.ended_at = 0 OR g.sent_at < c.ended_at)),"
            " (SELECT COALESCE(SUM(g.coins), 0) FROM gifts g WHERE g.session_id = c.session_id"
            "   AND g.sent_at >= c.started_at AND (c.ended_at = 0 OR g.sent_at < c.ended_at)),"
            " (SELECT COUNT(*) FROM interactions i WHERE i.chapter_id = c.id)"
            " FROM chapters c WHERE c.session_id = ? AND c.started_at > 0 ORDER BY c.position",
            (session_id,),
        ).fetchall()
        return [ChapterTotals(int(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    return context.read(count)
