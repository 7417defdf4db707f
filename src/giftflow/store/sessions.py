"""Live sessions' rows, as the LIVE flows that build on a session read them: whose
session it is and whether it has ended, and a room's session that is live now. The
rules are ``giftflow.live.sessions``; the flows ``giftflow.service.live.sessions``."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class SessionStanding:
    """Whose a session is and when it ended."""

    creator_id: int
    ended_at: int
    """Nanoseconds since the epoch; 0 while the session is live."""


def standing(tx: Tx, session_id: int) -> SessionStanding | None:
    """The session's creator and end, or ``None`` for an unknown session."""
    row = tx.named("SELECT creator_id, ended_at FROM live_sessions WHERE id = ?", (session_id,))
    if row is None:
        return None
    return SessionStanding(creator_id=int(row["creator_id"]), ended_at=int(row["ended_at"]))


def live_id_of(tx: Tx, creator_id: int) -> int | None:
    """The id of the room's session that is live now, if any."""
    row = tx.named(
        "SELECT id FROM live_sessions WHERE creator_id = ? AND ended_at = 0", (creator_id,)
    )
    return None if row is None else int(row["id"])
