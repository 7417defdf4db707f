"""Gift goals: created by the creator, moved by gifts inside the gift's transaction,
completed exactly once (a compare-and-set on the goal's state)."""

from __future__ import annotations

from typing import Any

from giftflow.ledger.clock import NS_PER_S
from giftflow.live.errors import LiveNotFoundError
from giftflow.live.events import EventType
from giftflow.live.goals import Goal, GoalKind, GoalState, contribution, validate
from giftflow.service.economy.context import GiftBooked, PendingEvent
from giftflow.service.live.context import LiveContext, event, optional, require_live
from giftflow.store.tx import Row, Tx

_COLUMNS = (
    "id, session_id, creator_id, kind, target, gift_id, promise, deadline_at, progress,"
    " state, created_at, completed_at"
)


def goal_of(row: Row) -> Goal:
    return Goal(
        id=row[0],
        session_id=row[1],
        creator_id=row[2],
        kind=GoalKind(row[3]),
        target=row[4],
        gift_id=row[5],
        promise=row[6],
        deadline_at=optional(row[7]),
        progress=row[8],
        state=GoalState(row[9]),
        created_at=row[10],
        completed_at=optional(row[11]),
    )


def goal_data(goal: Goal) -> dict[str, Any]:
    return {
        "goal_id": goal.id,
        "session_id": goal.session_id,
        "kind": str(goal.kind),
        "target": goal.target,
        "gift_id": goal.gift_id,
        "promise": goal.promise,
        "deadline_at": goal.deadline_at,
        "progress": goal.progress,
        "state": str(goal.state),
    }


def find(tx: Tx, goal_id: int) -> Goal:
    row = tx.execute(f"SELECT {_COLUMNS} FROM goals WHERE id = ?", (goal_id,)).fetchone()
    if row is None:
        raise LiveNotFoundError(f"no goal {goal_id}", code="goal_not_found")
    return goal_of(row)


def get(context: LiveContext, goal_id: int) -> Goal:
    return context.read(lambda tx: find(tx, goal_id))


def in_session(tx: Tx, session_id: int) -> list[Goal]:
    rows = tx.execute(
        f"SELECT {_COLUMNS} FROM goals WHERE session_id = ? ORDER BY id", (session_id,)
    ).fetchall()
    return [goal_of(row) for row in rows]


def of_session(context: LiveContext, session_id: int) -> list[Goal]:
    return context.read(lambda tx: in_session(tx, session_id))


def create(
    context: LiveContext,
    session_id: int,
    *,
    kind: GoalKind,
    target: int,
    gift_id: int | None = None,
    promise: str = "",
    deadline_s: int | None = None,
) -> Goal:
    """A goal for the session; ``deadline_s`` counts from now."""
    validate(kind, target, gift_id)
    if gift_id is not None:
        context.economy.catalog.gift(gift_id)  # raises for a gift the catalog lacks
    now = context.now()
    deadline_at = 0 if deadline_s is None else now + deadline_s * NS_PER_S

    def add(tx: Tx) -> Goal:
        creator_id = require_live(tx, session_id)
        return insert(
            tx,
            session_id,
            creator_id,
            kind=kind,
            target=target,
            gift_id=gift_id,
            promise=promise,
            deadline_at=deadline_at,
            now=now,
        )

    goal = context.write(add)
    context.publish([created_event(goal, now)])
    return goal


def insert(
    tx: Tx,
    session_id: int,
    creator_id: int,
    *,
    kind: GoalKind,
    target: int,
    gift_id: int | None,
    promise: str,
    deadline_at: int,
    now: int,
) -> Goal:
    """The goal's row, in ``tx`` (a scheduled LIVE's goal goes in with its session)."""
    row = tx.execute(
        "INSERT INTO goals (session_id, creator_id, kind, target, gift_id, promise,"
        f" deadline_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
        (session_id, creator_id, str(kind), target, gift_id, promise, deadline_at, now),
    ).fetchone()
    assert row is not None
    return goal_of(row)


def created_event(goal: Goal, now: int) -> PendingEvent:
    return event(goal.creator_id, EventType.GOAL_CREATED, goal_data(goal), now)


def expire_open(tx: Tx, session_id: int) -> list[int]:
    """Close the session's open goals (its end); returns their ids."""
    rows = tx.execute(
        "UPDATE goals SET state = 'expired' WHERE session_id = ? AND state = 'open' RETURNING id",
        (session_id,),
    ).fetchall()
    return sorted(int(row[0]) for row in rows)


def on_gift(tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
    rows = tx.execute(
        f"SELECT {_COLUMNS} FROM goals WHERE session_id = ? AND state = 'open' ORDER BY id",
        (gift.session_id,),
    ).fetchall()
    events: list[PendingEvent] = []
    for goal in map(goal_of, rows):
        events.extend(_advance(tx, goal, gift))
    return events


def _advance(tx: Tx, goal: Goal, gift: GiftBooked) -> list[PendingEvent]:
    if goal.deadline_at is not None and gift.sent_at >= goal.deadline_at:
        tx.execute("UPDATE goals SET state = 'expired' WHERE id = ? AND state = 'open'", (goal.id,))
        return []
    amount = contribution(
        goal, gift_id=gift.gift_id, quantity=gift.quantity, coins=gift.coins, at=gift.sent_at
    )
    if amount == 0:
        return []
    # Compare-and-set: only an open goal moves, and only the step that reaches the
    # target turns it completed; whoever comes later finds it closed.
    row = tx.execute(
        "UPDATE goals SET progress = progress + ?,"
        " state = CASE WHEN progress + ? >= target THEN 'completed' ELSE state END,"
        " completed_at = CASE WHEN progress + ? >= target THEN ? ELSE completed_at END"
        f" WHERE id = ? AND state = 'open' RETURNING {_COLUMNS}",
        (amount, amount, amount, gift.sent_at, goal.id),
    ).fetchone()
    if row is None:
        return []
    moved = goal_of(row)
    sender = {"sender_id": gift.sender_id, "sender_name": gift.sender_name}
    data = goal_data(moved) | {"added": amount} | sender
    events = [event(moved.creator_id, EventType.GOAL_PROGRESS, data, gift.sent_at)]
    if moved.state is GoalState.COMPLETED:
        by = {"completed_by": gift.sender_id, "completed_by_name": gift.sender_name}
        done = goal_data(moved) | by
        events.append(event(moved.creator_id, EventType.GOAL_COMPLETED, done, gift.sent_at))
    return events
