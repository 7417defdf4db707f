"""Reading one session's raw facts out of the store (``giftflow.analytics.facts``).

Everything is read in one transaction, so the gifts, presences, interactions, follows
and chapters of a report are one consistent snapshot, whatever is being written.
"""

from __future__ import annotations

from typing import Final

from giftflow.analytics import PreviousSummary, session_summary
from giftflow.analytics.facts import (
    ChapterFact,
    FollowFact,
    GiftFact,
    InteractionFact,
    InteractionKind,
    LiveFacts,
    PresenceFact,
    SessionFact,
)
from giftflow.live.errors import LiveNotFoundError
from giftflow.service.live.context import LiveContext, optional
from giftflow.store.tx import Tx

PREVIOUS_SESSIONS: Final = 5
FOLLOWS_AFTER_NS: Final = 24 * 3_600 * 1_000_000_000
"""Follower growth is counted up to a day after a LIVE ends."""
_COUNTED_KINDS: Final = tuple(str(kind) for kind in InteractionKind)
"""Likes, comments and shares; follows are read from ``follows`` (first follows only)."""


def session_fact(tx: Tx, session_id: int) -> SessionFact:
    row = tx.execute(
        "SELECT s.id, s.creator_id, u.display_name, s.title, s.started_at, s.ended_at"
        " FROM live_sessions s JOIN users u ON u.id = s.creator_id WHERE s.id = ?",
        (session_id,),
    ).fetchone()
    if row is None:
        raise LiveNotFoundError(f"no session {session_id}", code="session_not_found")
    return SessionFact(row[0], row[1], row[2], row[3], row[4], optional(row[5]))


def _gifts(tx: Tx, session_id: int) -> tuple[GiftFact, ...]:
    rows = tx.execute(
        "SELECT g.sender_id, u.display_name, g.quantity, g.coins, g.diamond_units, g.sent_at"
        " FROM gifts g JOIN users u ON u.id = g.sender_id WHERE g.session_id = ?"
        " ORDER BY g.sent_at, g.id",
        (session_id,),
    ).fetchall()
    return tuple(GiftFact(*row) for row in rows)


def _presences(tx: Tx, session_id: int) -> tuple[PresenceFact, ...]:
    rows = tx.execute(
        "SELECT viewer_id, joined_at, left_at FROM session_viewers WHERE session_id = ?"
        " ORDER BY joined_at, id",
        (session_id,),
    ).fetchall()
    return tuple(PresenceFact(row[0], row[1], optional(row[2])) for row in rows)


def _interactions(tx: Tx, session_id: int) -> tuple[InteractionFact, ...]:
    marks = ", ".join("?" for _ in _COUNTED_KINDS)
    rows = tx.execute(
        "SELECT user_id, kind, at FROM interactions"
        f" WHERE session_id = ? AND kind IN ({marks}) ORDER BY at, id",
        (session_id, *_COUNTED_KINDS),
    ).fetchall()
    return tuple(InteractionFact(row[0], InteractionKind(row[1]), row[2]) for row in rows)


def _follows(tx: Tx, session: SessionFact, now: int) -> tuple[FollowFact, ...]:
    until = (now if session.ended_at is None else session.ended_at) + FOLLOWS_AFTER_NS
    rows = tx.execute(
        "SELECT user_id, followed_at FROM follows"
        " WHERE creator_id = ? AND followed_at >= ? AND followed_at < ?"
        " ORDER BY followed_at, user_id",
        (session.creator_id, session.started_at, until),
    ).fetchall()
    return tuple(FollowFact(row[0], row[1]) for row in rows)


def _chapters(tx: Tx, session_id: int) -> tuple[ChapterFact, ...]:
    rows = tx.execute(
        "SELECT id, position, kind, title, started_at, ended_at FROM chapters"
        " WHERE session_id = ? AND started_at > 0 ORDER BY position",
        (session_id,),
    ).fetchall()
    return tuple(
        ChapterFact(row[0], row[1], row[2], row[3], row[4], optional(row[5])) for row in rows
    )


def read_facts(tx: Tx, session_id: int, now: int) -> LiveFacts:
    session = session_fact(tx, session_id)
    return LiveFacts(
        session=session,
        now=now,
        gifts=_gifts(tx, session_id),
        presences=_presences(tx, session_id),
        interactions=_interactions(tx, session_id),
        follows=_follows(tx, session, now),
        chapters=_chapters(tx, session_id),
    )


def live_facts(context: LiveContext, session_id: int) -> LiveFacts:
    """Everything the session's series and report are computed from, as of now."""
    now = context.now()
    return context.read(lambda tx: read_facts(tx, session_id, now))


def _previous_ids(tx: Tx, session: SessionFact) -> list[int]:
    rows = tx.execute(
        "SELECT id FROM live_sessions WHERE creator_id = ?"
        " AND (started_at < ? OR (started_at = ? AND id < ?))"
        " ORDER BY started_at DESC, id DESC LIMIT ?",
        (
            session.creator_id,
            session.started_at,
            session.started_at,
            session.id,
            PREVIOUS_SESSIONS,
        ),
    ).fetchall()
    return [int(row[0]) for row in rows]


def previous_summaries(context: LiveContext, session: SessionFact) -> list[PreviousSummary]:
    """The creator's (up to) five sessions started before ``session``, newest first,
    each summarised by the same code as its own report (so the figures compared are
    the figures that were reported). Read in one snapshot."""
    now = context.now()

    def read(tx: Tx) -> list[LiveFacts]:
        return [read_facts(tx, earlier, now) for earlier in _previous_ids(tx, session)]

    return [session_summary(facts) for facts in context.read(read)]
