"""What analytics reads of LIVE's rows: one session's raw facts (gifts, presences,
interactions, follows, chapters), the creator's earlier sessions, the gifters' first
gift of each week, and a creator's sessions. Read only; the facts are
``giftflow.analytics.facts``, the reads that put them together
``giftflow.service.analytics``."""

from __future__ import annotations

from collections.abc import Sequence

from giftflow.analytics.facts import (
    ChapterFact,
    FirstGift,
    FollowFact,
    GiftFact,
    InteractionFact,
    InteractionKind,
    PresenceFact,
    SessionFact,
)
from giftflow.ids import UserId
from giftflow.live.sessions import LiveSession
from giftflow.store import sessions
from giftflow.store.tx import Tx


def session(tx: Tx, session_id: int) -> SessionFact | None:
    """The session with its creator's display name."""
    row = tx.named(
        "SELECT s.id AS id, s.creator_id AS creator_id, u.display_name AS creator_name,"
        " s.title AS title, s.started_at AS started_at, s.ended_at AS ended_at"
        " FROM live_sessions s JOIN users u ON u.id = s.creator_id WHERE s.id = ?",
        (session_id,),
    )
    if row is None:
        return None
    return SessionFact(
        id=row["id"],
        creator_id=row["creator_id"],
        creator_name=row["creator_name"],
        title=row["title"],
        started_at=row["started_at"],
        ended_at=row["ended_at"] or None,  # 0 while live
    )


def gifts(tx: Tx, session_id: int) -> tuple[GiftFact, ...]:
    """The session's gifts with their senders' names, in the order they were sent."""
    rows = tx.named_all(
        "SELECT g.sender_id AS sender_id, u.display_name AS sender_name, g.quantity AS gifts,"
        " g.coins AS coins, g.diamond_units AS diamond_units, g.sent_at AS sent_at"
        " FROM gifts g JOIN users u ON u.id = g.sender_id WHERE g.session_id = ?"
        " ORDER BY g.sent_at, g.id",
        (session_id,),
    )
    return tuple(
        GiftFact(
            sender_id=row["sender_id"],
            sender_name=row["sender_name"],
            gifts=row["gifts"],
            coins=row["coins"],
            diamond_units=row["diamond_units"],
            sent_at=row["sent_at"],
        )
        for row in rows
    )


def presences(tx: Tx, session_id: int) -> tuple[PresenceFact, ...]:
    """Every viewer's join (and leave) of the session, in the order they joined."""
    rows = tx.named_all(
        "SELECT viewer_id, joined_at, left_at FROM session_viewers WHERE session_id = ?"
        " ORDER BY joined_at, id",
        (session_id,),
    )
    return tuple(
        PresenceFact(
            viewer_id=row["viewer_id"],
            joined_at=row["joined_at"],
            left_at=row["left_at"] or None,  # 0 while watching
        )
        for row in rows
    )


def interactions(
    tx: Tx, session_id: int, *, kinds: Sequence[InteractionKind]
) -> tuple[InteractionFact, ...]:
    """The session's interactions of these kinds, in time order."""
    marks = ", ".join("?" for _ in kinds)
    rows = tx.named_all(
        "SELECT user_id, kind, at FROM interactions"
        f" WHERE session_id = ? AND kind IN ({marks}) ORDER BY at, id",
        (session_id, *(str(kind) for kind in kinds)),
    )
    return tuple(
        InteractionFact(user_id=row["user_id"], kind=InteractionKind(row["kind"]), at=row["at"])
        for row in rows
    )


def follows(tx: Tx, creator_id: UserId, *, from_ns: int, until_ns: int) -> tuple[FollowFact, ...]:
    """The creator's follows in ``[from_ns, until_ns)``, in time order."""
    rows = tx.named_all(
        "SELECT user_id, followed_at FROM follows"
        " WHERE creator_id = ? AND followed_at >= ? AND followed_at < ?"
        " ORDER BY followed_at, user_id",
        (creator_id, from_ns, until_ns),
    )
    return tuple(FollowFact(user_id=row["user_id"], followed_at=row["followed_at"]) for row in rows)


def chapters(tx: Tx, session_id: int) -> tuple[ChapterFact, ...]:
    """The session's chapters that started, in order."""
    rows = tx.named_all(
        "SELECT id, position, kind, title, started_at, ended_at FROM chapters"
        " WHERE session_id = ? AND started_at > 0 ORDER BY position",
        (session_id,),
    )
    return tuple(
        ChapterFact(
            id=row["id"],
            position=row["position"],
            kind=row["kind"],
            title=row["title"],
            started_at=row["started_at"],
            ended_at=row["ended_at"] or None,  # 0 while it runs
        )
        for row in rows
    )


def earlier_sessions(tx: Tx, session: SessionFact, *, limit: int) -> list[int]:
    """Ids of the creator's sessions started before ``session`` (the same start: a
    lower id), newest first, ``limit`` at most."""
    rows = tx.named_all(
        "SELECT id FROM live_sessions WHERE creator_id = ?"
        " AND (started_at < ? OR (started_at = ? AND id < ?))"
        " ORDER BY started_at DESC, id DESC LIMIT ?",
        (session.creator_id, session.started_at, session.started_at, session.id, limit),
    )
    return [int(row["id"]) for row in rows]


def first_gifts_by_week(
    tx: Tx, creator_id: UserId, *, day_ns: int, epoch_weekday: int
) -> list[FirstGift]:
    """The first gift of each gifter in each week they gifted to the creator: days of
    ``day_ns`` nanoseconds, weeks counted with the epoch's day as weekday
    ``epoch_weekday``."""
    rows = tx.named_all(
        "SELECT sender_id, MIN(sent_at) AS sent_at FROM gifts WHERE creator_id = ?"
        " GROUP BY sender_id, (sent_at / ? + ?) / 7",
        (creator_id, day_ns, epoch_weekday),
    )
    return [FirstGift(sender_id=row["sender_id"], sent_at=row["sent_at"]) for row in rows]


def sessions_of(tx: Tx, creator_id: UserId, *, limit: int, offset: int) -> list[LiveSession]:
    """The creator's sessions, newest first, ``limit`` of them after skipping
    ``offset``."""
    rows = tx.named_all(
        f"SELECT {sessions.COLUMNS} FROM live_sessions"
        " WHERE creator_id = ? ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
        (creator_id, limit, offset),
    )
    return [sessions.session_from(row) for row in rows]
