"""LIVE sessions' rows: the session (start, title, end), its viewers' presences (who
is present now, watch time), its interactions, what it has received in gifts, and each
user's first follow of a creator. The rules are ``giftflow.live.sessions``; the flows
(go live, end, join, leave, interact, follow) ``giftflow.service.live.sessions``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.ids import UserId
from giftflow.live.sessions import LiveSession, Presence
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = "id, creator_id, title, started_at, ended_at"


@dataclass(frozen=True, slots=True)
class Received:
    """What a session has received: its gift events (a streak's events each count) and
    their coins."""

    gifts: int
    coins: int


def session_from(row: NamedRow) -> LiveSession:
    return LiveSession(
        id=row["id"],
        creator_id=row["creator_id"],
        title=row["title"],
        started_at=row["started_at"],
        ended_at=row["ended_at"] or None,  # 0 while live
    )


def by_id(tx: Tx, session_id: int) -> LiveSession | None:
    row = tx.named(f"SELECT {COLUMNS} FROM live_sessions WHERE id = ?", (session_id,))
    return None if row is None else session_from(row)


def live_of(tx: Tx, creator_id: UserId) -> LiveSession | None:
    """The creator's session that is live now, if any (one at most)."""
    row = tx.named(
        f"SELECT {COLUMNS} FROM live_sessions WHERE creator_id = ? AND ended_at = 0",
        (creator_id,),
    )
    return None if row is None else session_from(row)


def insert(tx: Tx, creator_id: UserId, *, title: str, now_ns: int) -> LiveSession:
    """A session of the creator, live from ``now_ns``."""
    row = tx.named(
        "INSERT INTO live_sessions (creator_id, title, started_at) VALUES (?, ?, ?)"
        f" RETURNING {COLUMNS}",
        (creator_id, title, now_ns),
    )
    assert row is not None, "INSERT … RETURNING answers its row"
    return session_from(row)


def set_title(tx: Tx, session_id: int, title: str) -> None:
    tx.execute("UPDATE live_sessions SET title = ? WHERE id = ?", (title, session_id))


def end(tx: Tx, session_id: int, *, now_ns: int) -> None:
    """The session ends at ``now_ns`` and every viewer still present leaves then."""
    tx.execute("UPDATE live_sessions SET ended_at = ? WHERE id = ?", (now_ns, session_id))
    tx.execute(
        "UPDATE session_viewers SET left_at = ? WHERE session_id = ? AND left_at = 0",
        (now_ns, session_id),
    )


# --- viewers ---------------------------------------------------------------------------


def join(tx: Tx, session_id: int, viewer_id: UserId, *, now_ns: int) -> None:
    """A presence of the viewer from ``now_ns`` (a viewer present already gets a second
    one, which watch time and the concurrent count merge)."""
    tx.execute(
        "INSERT INTO session_viewers (session_id, viewer_id, joined_at) VALUES (?, ?, ?)",
        (session_id, viewer_id, now_ns),
    )


def leave(tx: Tx, session_id: int, viewer_id: UserId, *, now_ns: int) -> int:
    """Close the viewer's open presences at ``now_ns``; how many there were."""
    tx.execute(
        "UPDATE session_viewers SET left_at = ?"
        " WHERE session_id = ? AND viewer_id = ? AND left_at = 0",
        (now_ns, session_id, viewer_id),
    )
    return tx.rowcount


def concurrent_viewers(tx: Tx, session_id: int) -> int:
    """The viewers present now, each once."""
    row = tx.named(
        "SELECT COUNT(DISTINCT viewer_id) AS viewers FROM session_viewers"
        " WHERE session_id = ? AND left_at = 0",
        (session_id,),
    )
    return 0 if row is None else int(row["viewers"])


def presences(tx: Tx, session_id: int) -> list[Presence]:
    rows = tx.named_all(
        "SELECT viewer_id, joined_at, left_at FROM session_viewers WHERE session_id = ?",
        (session_id,),
    )
    return [
        Presence(
            viewer_id=row["viewer_id"],
            joined_at=row["joined_at"],
            left_at=row["left_at"] or None,  # 0 while present
        )
        for row in rows
    ]


def received(tx: Tx, session_id: int) -> Received:
    row = tx.named(
        "SELECT COUNT(*) AS gifts, COALESCE(SUM(coins), 0) AS coins FROM gifts"
        " WHERE session_id = ?",
        (session_id,),
    )
    assert row is not None, "an aggregate answers one row"
    return Received(gifts=int(row["gifts"]), coins=int(row["coins"]))


# --- interactions and follows ----------------------------------------------------------


def insert_interaction(
    tx: Tx,
    session_id: int,
    *,
    user_id: UserId,
    kind: str,
    chapter_id: int | None,
    text: str,
    now_ns: int,
) -> int:
    """The interaction's row; its id."""
    row = tx.named(
        "INSERT INTO interactions (session_id, user_id, kind, chapter_id, text, at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (session_id, user_id, kind, chapter_id, text, now_ns),
    )
    assert row is not None, "INSERT … RETURNING answers its row"
    return int(row["id"])


def insert_follow(
    tx: Tx, creator_id: UserId, user_id: UserId, *, at_ns: int, session_id: int | None
) -> bool:
    """Keep the user's first follow of the creator; True if this was it."""
    tx.execute(
        "INSERT INTO follows (creator_id, user_id, followed_at, session_id) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (creator_id, user_id) DO NOTHING",
        (creator_id, user_id, at_ns, session_id),
    )
    return tx.rowcount == 1
