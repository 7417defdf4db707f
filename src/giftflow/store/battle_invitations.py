"""Battle invitations' rows: the invitation with its state, each invitee's answer, and
the row locks that make answers to one invitation take turns. The rules are
``giftflow.live.invitations``; the flows ``giftflow.service.live.invitations``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from giftflow.ids import UserId
from giftflow.live.invitations import Answer, Invitation, InvitationState, Invitee
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = (
    "id, session_id, creator_id, duration_s, created_at, expires_at, state, decided_at, battle_id"
)
INVITEE_COLUMNS: Final = "session_id, creator_id, answer, answered_at"


def invitee_from(row: NamedRow) -> Invitee:
    return Invitee(
        session_id=int(row["session_id"]),
        creator_id=UserId(int(row["creator_id"])),
        answer=Answer(row["answer"]),
        answered_at=int(row["answered_at"]) or None,  # 0 until answered
    )


def invitation_from(row: NamedRow, invitees: Sequence[NamedRow]) -> Invitation:
    return Invitation(
        id=int(row["id"]),
        session_id=int(row["session_id"]),
        creator_id=UserId(int(row["creator_id"])),
        duration_s=int(row["duration_s"]),
        created_at=int(row["created_at"]),
        expires_at=int(row["expires_at"]),
        state=InvitationState(row["state"]),
        decided_at=int(row["decided_at"]) or None,  # 0 until decided
        battle_id=None if row["battle_id"] is None else int(row["battle_id"]),
        invitees=tuple(invitee_from(invitee) for invitee in invitees),
    )


def by_id(tx: Tx, invitation_id: int) -> Invitation | None:
    """The invitation with its invitees in session order."""
    row = tx.named(f"SELECT {COLUMNS} FROM battle_invitations WHERE id = ?", (invitation_id,))
    if row is None:
        return None
    invitees = tx.named_all(
        f"SELECT {INVITEE_COLUMNS} FROM battle_invitees WHERE invitation_id = ?"
        " ORDER BY session_id",
        (invitation_id,),
    )
    return invitation_from(row, invitees)


def pending_of_room(tx: Tx, room_id: UserId, *, now_ns: int) -> list[int]:
    """Ids of the pending invitations the room sent or received, unexpired at
    ``now_ns``, oldest first."""
    rows = tx.named_all(
        "SELECT id FROM battle_invitations WHERE state = 'pending' AND expires_at > ?"
        " AND (creator_id = ? OR id IN"
        " (SELECT invitation_id FROM battle_invitees WHERE creator_id = ?)) ORDER BY id",
        (now_ns, room_id, room_id),
    )
    return [int(row["id"]) for row in rows]


def pending_of_session(tx: Tx, session_id: int) -> list[int]:
    """Ids of the pending invitations the session sent or received (expired or not),
    oldest first."""
    rows = tx.named_all(
        "SELECT id FROM battle_invitations WHERE state = 'pending' AND (session_id = ? OR id IN"
        " (SELECT invitation_id FROM battle_invitees WHERE session_id = ?)) ORDER BY id",
        (session_id, session_id),
    )
    return [int(row["id"]) for row in rows]


def pending_sent(tx: Tx, session_id: int, *, now_ns: int) -> int | None:
    """The id of the session's own invitation still pending at ``now_ns``."""
    row = tx.named(
        "SELECT id FROM battle_invitations WHERE session_id = ? AND state = 'pending'"
        " AND expires_at > ?",
        (session_id, now_ns),
    )
    return None if row is None else int(row["id"])


def insert(
    tx: Tx,
    *,
    session_id: int,
    creator_id: UserId,
    invitees: Sequence[tuple[int, int]],
    duration_s: int,
    now_ns: int,
    expires_at_ns: int,
) -> int:
    """A pending invitation from the session to the ``(session_id, creator_id)``
    invitees; its id."""
    row = tx.named(
        "INSERT INTO battle_invitations (session_id, creator_id, duration_s, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (session_id, creator_id, duration_s, now_ns, expires_at_ns),
    )
    assert row is not None, "INSERT … RETURNING answers its row"
    invitation_id = int(row["id"])
    tx.executemany(
        "INSERT INTO battle_invitees (invitation_id, session_id, creator_id) VALUES (?, ?, ?)",
        [(invitation_id, invitee, creator) for invitee, creator in invitees],
    )
    return invitation_id


def lock_session(tx: Tx, session_id: int) -> None:
    """Take the live session's row lock (a no-op write): one invitation is sent from it
    at a time, and it cannot end unseen while one is."""
    tx.execute("UPDATE live_sessions SET ended_at = ended_at WHERE id = ?", (session_id,))


def lock(tx: Tx, invitation_id: int) -> None:
    """Take the invitation's row lock (a no-op write): answers to it take turns."""
    tx.execute("UPDATE battle_invitations SET state = state WHERE id = ?", (invitation_id,))


def set_answer(tx: Tx, invitation_id: int, *, session_id: int, answer: Answer, now_ns: int) -> None:
    tx.execute(
        "UPDATE battle_invitees SET answer = ?, answered_at = ?"
        " WHERE invitation_id = ? AND session_id = ?",
        (answer.value, now_ns, invitation_id, session_id),
    )


def decide(
    tx: Tx, invitation_id: int, *, state: InvitationState, now_ns: int, battle_id: int | None
) -> None:
    """Close a pending invitation in ``state`` (accepted with the battle it opened);
    one no longer pending is left as it is."""
    tx.execute(
        "UPDATE battle_invitations SET state = ?, decided_at = ?, battle_id = ?"
        " WHERE id = ? AND state = 'pending'",
        (state.value, now_ns, battle_id, invitation_id),
    )
