"""Gift goals: created by the creator, moved by gifts inside the gift's transaction,
completed exactly once (a compare-and-set on the goal's state)."""

from __future__ import annotations

from typing import Any

from giftflow.ids import GiftId
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.errors import LiveNotFoundError
from giftflow.live.events import EventType
from giftflow.live.goals import Goal, GoalKind, GoalState, contribution, validate
from giftflow.service.economy.context import GiftBooked, PendingEvent
from giftflow.service.live.context import LiveContext, event, require_live
from giftflow.store import goals as stored
from giftflow.store.tx import Tx


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
    """The goal; ``LiveNotFoundError`` (``goal_not_found``) when there is none."""
    goal = stored.by_id(tx, goal_id)
    if goal is None:
        raise LiveNotFoundError(f"no goal {goal_id}", code="goal_not_found")
    return goal


def get(context: LiveContext, goal_id: int) -> Goal:
    return context.read(lambda tx: find(tx, goal_id))


def of_session(context: LiveContext, session_id: int) -> list[Goal]:
    return context.read(lambda tx: stored.of_session(tx, session_id))


def create(
    context: LiveContext,
    session_id: int,
    *,
    kind: GoalKind,
    target: int,
    gift_id: GiftId | None = None,
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
        return stored.insert(
            tx,
            session_id=session_id,
            creator_id=creator_id,
            kind=kind,
            target=target,
            gift_id=gift_id,
            promise=promise,
            deadline_at_ns=deadline_at,
            now_ns=now,
        )

    goal = context.write(add)
    context.publish([created_event(goal, now)])
    return goal


def created_event(goal: Goal, now: int) -> PendingEvent:
    return event(goal.creator_id, EventType.GOAL_CREATED, goal_data(goal), now)


def expire_open(tx: Tx, session_id: int) -> list[int]:
    """Close the session's open goals (its end); returns their ids."""
    return stored.expire_open(tx, session_id)


def on_gift(tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
    events: list[PendingEvent] = []
    for goal in stored.of_session(tx, gift.session_id, open_only=True):
        events.extend(_advance(tx, goal, gift))
    return events


def _advance(tx: Tx, goal: Goal, gift: GiftBooked) -> list[PendingEvent]:
    if goal.deadline_at is not None and gift.sent_at >= goal.deadline_at:
        stored.expire(tx, goal.id)
        return []
    amount = contribution(
        goal, gift_id=gift.gift_id, quantity=gift.quantity, coins=gift.coins, at=gift.sent_at
    )
    if amount == 0:
        return []
    moved = stored.advance(tx, goal.id, amount=amount, at_ns=gift.sent_at)
    if moved is None:  # completed or expired by a gift that came first
        return []
    sender = {"sender_id": gift.sender_id, "sender_name": gift.sender_name}
    data = goal_data(moved) | {"added": amount} | sender
    events = [event(moved.creator_id, EventType.GOAL_PROGRESS, data, gift.sent_at)]
    if moved.state is GoalState.COMPLETED:
        by = {"completed_by": gift.sender_id, "completed_by_name": gift.sender_name}
        done = goal_data(moved) | by
        events.append(event(moved.creator_id, EventType.GOAL_COMPLETED, done, gift.sent_at))
    return events
