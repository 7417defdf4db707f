"""Gift goals' rows: a session's goals, their progress and the compare-and-sets that
move an open goal (completing it exactly once) and expire it. The rules are
``giftflow.live.goals``; the flows (create, a gift's step, the session's end)
``giftflow.service.live.goals``."""

from __future__ import annotations

from typing import Final

from giftflow.ids import GiftId, UserId
from giftflow.live.goals import Goal, GoalKind, GoalState
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = (
    "id, session_id, creator_id, kind, target, gift_id, promise, deadline_at, progress,"
    " state, created_at, completed_at"
)


def goal_from(row: NamedRow) -> Goal:
    """The goal of a row; the columns keep 0 for "no deadline" and "not completed"."""
    return Goal(
        id=row["id"],
        session_id=row["session_id"],
        creator_id=row["creator_id"],
        kind=GoalKind(row["kind"]),
        target=row["target"],
        gift_id=row["gift_id"],
        promise=row["promise"],
        deadline_at=row["deadline_at"] or None,
        progress=row["progress"],
        state=GoalState(row["state"]),
        created_at=row["created_at"],
        completed_at=row["completed_at"] or None,
    )


def by_id(tx: Tx, goal_id: int) -> Goal | None:
    """The goal of this id, or ``None``."""
    row = tx.named(f"SELECT {COLUMNS} FROM goals WHERE id = ?", (goal_id,))
    return None if row is None else goal_from(row)


def of_session(tx: Tx, session_id: int, *, open_only: bool = False) -> list[Goal]:
    """The session's goals, oldest first; only the open ones with ``open_only``."""
    state = " AND state = 'open'" if open_only else ""
    rows = tx.named_all(
        f"SELECT {COLUMNS} FROM goals WHERE session_id = ?{state} ORDER BY id", (session_id,)
    )
    return [goal_from(row) for row in rows]


def insert(
    tx: Tx,
    *,
    session_id: int,
    creator_id: UserId,
    kind: GoalKind,
    target: int,
    gift_id: GiftId | None,
    promise: str,
    deadline_at_ns: int,
    now_ns: int,
) -> Goal:
    """A new open goal; ``deadline_at_ns`` 0 for none."""
    row = tx.named(
        "INSERT INTO goals (session_id, creator_id, kind, target, gift_id, promise,"
        f" deadline_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}",
        (session_id, creator_id, str(kind), target, gift_id, promise, deadline_at_ns, now_ns),
    )
    assert row is not None  # INSERT … RETURNING answers the row it wrote
    return goal_from(row)


def expire_open(tx: Tx, session_id: int) -> list[int]:
    """Expire the session's open goals; their ids, in order."""
    rows = tx.named_all(
        "UPDATE goals SET state = 'expired' WHERE session_id = ? AND state = 'open' RETURNING id",
        (session_id,),
    )
    return sorted(int(row["id"]) for row in rows)


def expire(tx: Tx, goal_id: int) -> None:
    """Expire the goal if it is still open (its deadline has passed)."""
    tx.execute("UPDATE goals SET state = 'expired' WHERE id = ? AND state = 'open'", (goal_id,))


def advance(tx: Tx, goal_id: int, *, amount: int, at_ns: int) -> Goal | None:
    """Add ``amount`` to an open goal, completing it at ``at_ns`` if that reaches its
    target; ``None`` when the goal is no longer open. A compare-and-set: only an open
    goal moves, and only the step that reaches the target turns it completed; whoever
    comes later finds it closed."""
    row = tx.named(
        "UPDATE goals SET progress = progress + ?,"
        " state = CASE WHEN progress + ? >= target THEN 'completed' ELSE state END,"
        " completed_at = CASE WHEN progress + ? >= target THEN ? ELSE completed_at END"
        f" WHERE id = ? AND state = 'open' RETURNING {COLUMNS}",
        (amount, amount, amount, at_ns, goal_id),
    )
    return None if row is None else goal_from(row)
