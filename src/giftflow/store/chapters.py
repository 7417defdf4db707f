"""Chapters' rows: a LIVE's planned and recorded chapters in order, which one runs, and
what happened in each (gifts from the timeline, interactions by their chapter). The
rules are ``giftflow.live.chapters``; the flows ``giftflow.service.live.chapters``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.ledger.clock import UnixNs
from giftflow.live.chapters import Chapter, ChapterKind, ChapterPlan
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = "id, session_id, position, kind, title, planned_s, started_at, ended_at"
_DURING = (
    "g.session_id = c.session_id"
    " AND g.sent_at >= c.started_at AND (c.ended_at = 0 OR g.sent_at < c.ended_at)"
)
"""A gift received while chapter ``c`` ran."""


@dataclass(frozen=True, slots=True)
class ChapterTotals:
    chapter_id: int
    gifts: int
    coins: int
    interactions: int


@dataclass(frozen=True, slots=True)
class RecordedChapter:
    """A segment of an ended session, recorded afterwards with both ends."""

    title: str
    planned_s: int
    started_at: UnixNs
    ended_at: UnixNs


def chapter_from(row: NamedRow) -> Chapter:
    return Chapter(
        id=row["id"],
        session_id=row["session_id"],
        position=row["position"],
        kind=ChapterKind(row["kind"]),
        title=row["title"],
        planned_s=row["planned_s"],
        started_at=row["started_at"] or None,  # 0: not started yet
        ended_at=row["ended_at"] or None,  # 0: not ended yet
    )


def of_session(tx: Tx, session_id: int) -> list[Chapter]:
    """The session's chapters in their order."""
    rows = tx.named_all(
        f"SELECT {COLUMNS} FROM chapters WHERE session_id = ? ORDER BY position", (session_id,)
    )
    return [chapter_from(row) for row in rows]


def count(tx: Tx, session_id: int) -> int:
    row = tx.named("SELECT COUNT(*) AS chapters FROM chapters WHERE session_id = ?", (session_id,))
    return 0 if row is None else int(row["chapters"])


def append(tx: Tx, session_id: int, plans: Sequence[ChapterPlan]) -> None:
    """The plans after the session's last chapter, in order."""
    if not plans:
        return
    row = tx.named(
        "SELECT COALESCE(MAX(position), 0) AS last FROM chapters WHERE session_id = ?",
        (session_id,),
    )
    last = 0 if row is None else int(row["last"])
    tx.executemany(
        "INSERT INTO chapters (session_id, position, kind, title, planned_s)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (session_id, last + index + 1, str(plan.kind), plan.title, plan.planned_s)
            for index, plan in enumerate(plans)
        ],
    )


def insert_recorded(tx: Tx, session_id: int, chapters: Sequence[RecordedChapter]) -> None:
    """An ended session's ``segment`` chapters, positions 1, 2 … in the order given."""
    tx.executemany(
        "INSERT INTO chapters"
        " (session_id, position, kind, title, planned_s, started_at, ended_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                session_id,
                position,
                str(ChapterKind.SEGMENT),
                chapter.title,
                chapter.planned_s,
                chapter.started_at,
                chapter.ended_at,
            )
            for position, chapter in enumerate(chapters, start=1)
        ],
    )


def start(tx: Tx, chapter_id: int, *, now_ns: int) -> None:
    tx.execute("UPDATE chapters SET started_at = ? WHERE id = ?", (now_ns, chapter_id))


def close_current(tx: Tx, session_id: int, *, now_ns: int) -> None:
    """End the session's chapter that runs, if one does."""
    tx.execute(
        "UPDATE chapters SET ended_at = ? WHERE session_id = ? AND started_at > 0 AND ended_at = 0",
        (now_ns, session_id),
    )


def totals(tx: Tx, session_id: int) -> list[ChapterTotals]:
    """Per chapter that started, in order: gifts (events) and coins received while it
    ran, and its interactions."""
    rows = tx.named_all(
        "SELECT c.id AS chapter_id,"
        f" (SELECT COUNT(*) FROM gifts g WHERE {_DURING}) AS gifts,"
        f" (SELECT COALESCE(SUM(g.coins), 0) FROM gifts g WHERE {_DURING}) AS coins,"
        " (SELECT COUNT(*) FROM interactions i WHERE i.chapter_id = c.id) AS interactions"
        " FROM chapters c WHERE c.session_id = ? AND c.started_at > 0 ORDER BY c.position",
        (session_id,),
    )
    return [
        ChapterTotals(
            chapter_id=int(row["chapter_id"]),
            gifts=int(row["gifts"]),
            coins=int(row["coins"]),
            interactions=int(row["interactions"]),
        )
        for row in rows
    ]
