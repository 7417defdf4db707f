"""Gift goals: a target in coins, or in a count of one gift, shown with a promise
("dance at 10k coins"), optionally with a deadline.

A goal moves only while it is open and before its deadline, and completes exactly
once: the gift that carries its progress to the target completes it (progress may then
exceed the target by that gift's overshoot); later gifts leave it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import UnixNs
from giftflow.live.errors import LiveError


class GoalKind(StrEnum):
    COINS = "coins"
    GIFT_COUNT = "gift_count"


class GoalState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    EXPIRED = "expired"
    """Its deadline passed, or its session ended, before it was reached."""


@dataclass(frozen=True, slots=True)
class Goal:
    id: int
    session_id: int
    creator_id: UserId
    kind: GoalKind
    target: int
    gift_id: GiftId | None
    promise: str
    deadline_at: UnixNs | None
    progress: int
    state: GoalState
    created_at: UnixNs
    completed_at: UnixNs | None = None


def validate(kind: GoalKind, target: int, gift_id: GiftId | None) -> None:
    if target <= 0:
        raise LiveError("a goal's target must be positive", code="goal_target_invalid")
    if (kind is GoalKind.GIFT_COUNT) != (gift_id is not None):
        raise LiveError(
            "a gift-count goal names its gift, a coin goal does not", code="goal_gift_invalid"
        )


def contribution(goal: Goal, *, gift_id: GiftId, quantity: int, coins: int, at: int) -> int:
    """What one gift adds to the goal: nothing once it is closed or past its deadline."""
    if goal.state is not GoalState.OPEN:
        return 0
    if goal.deadline_at is not None and at >= goal.deadline_at:
        return 0
    if goal.kind is GoalKind.COINS:
        return coins
    return quantity if gift_id == goal.gift_id else 0


def advance(goal: Goal, amount: int, *, at: int) -> tuple[Goal, bool]:
    """The goal after ``amount`` more, and whether this very step completed it."""
    if amount <= 0 or goal.state is not GoalState.OPEN:
        return goal, False
    progress = goal.progress + amount
    if progress < goal.target:
        return replace(goal, progress=progress), False
    return replace(goal, progress=progress, state=GoalState.COMPLETED, completed_at=at), True
