"""Chapters of a LIVE: plan them, advance from one to the next, and count what
happened in each (gifts from the timeline, interactions by their chapter). An ended
session's schedule can also be recorded afterwards, with explicit windows."""

from __future__ import annotations

from collections.abc import Sequence

from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.chapters import Chapter, ChapterPlan, current, next_to_start
from giftflow.live.errors import LiveError, LiveStateError
from giftflow.live.events import EventType
from giftflow.service.live.context import (
    LiveContext,
    event,
    live_session,
    require_live,
)
from giftflow.store import chapters as stored
from giftflow.store.chapters import ChapterTotals, RecordedChapter
from giftflow.store.tx import Tx


def of_session(tx: Tx, session_id: int) -> list[Chapter]:
    return stored.of_session(tx, session_id)


def current_id(tx: Tx, session_id: int) -> int | None:
    chapter = current(of_session(tx, session_id))
    return None if chapter is None else chapter.id


def close_current(tx: Tx, session_id: int, now: int) -> None:
    stored.close_current(tx, session_id, now_ns=now)


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
    stored.append(tx, session_id, plans)


def chapters(context: LiveContext, session_id: int) -> list[Chapter]:
    return context.read(lambda tx: of_session(tx, session_id))


def advance(context: LiveContext, session_id: int) -> Chapter:
    """End the current chapter and start the next planned one (``chapter.changed``)."""
    now = context.now()

    def step(tx: Tx) -> tuple[UserId, Chapter | None, Chapter]:
        creator_id = require_live(tx, session_id)
        planned = of_session(tx, session_id)
        following = next_to_start(planned)
        if following is None:
            raise LiveStateError("no planned chapter is left", code="chapters_exhausted")
        previous = current(planned)
        close_current(tx, session_id, now)
        stored.start(tx, following.id, now_ns=now)
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
        if stored.count(tx, session_id):
            raise LiveStateError(
                f"session {session_id} has chapters already", code="chapters_recorded"
            )
        recorded = [
            RecordedChapter(title, _planned_s(start, end), started_at=start, ended_at=end)
            for title, start, end in windows
        ]
        stored.insert_recorded(tx, session_id, recorded)
        return of_session(tx, session_id)

    return context.write(add)


def _planned_s(start: int, end: int) -> int:
    """The window's length, at least 1 s (the table wants a positive plan)."""
    return max(1, (end - start) // NS_PER_S)


def totals(context: LiveContext, session_id: int) -> list[ChapterTotals]:
    """Per chapter that started: gifts (events) and coins received during it, and its
    interactions."""
    return context.read(lambda tx: stored.totals(tx, session_id))
