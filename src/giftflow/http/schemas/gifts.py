"""Gift events, batches and streaks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, Strict, Tag

from giftflow.economy.gifting import GIFT_QUANTITY_MAX
from giftflow.economy.streaks import Streak
from giftflow.http.schemas.common import (
    BATCH_GIFTS_MAX,
    INT32_MAX,
    ClientId,
    Request,
    UserId,
    WholeNumber,
    at,
    at_or_none,
    branch,
    two_branches,
)
from giftflow.ledger.limits import INT64_MAX
from giftflow.service.economy import GiftSent


class StreakEvent(Request):
    id: ClientId
    """The sender's own id for the streak."""
    repeat_count: Annotated[int, Strict(), Field(ge=1, le=INT32_MAX), WholeNumber]
    """The streak's count so far; each event is charged for what it adds."""


class _Gift(Request):
    sender_id: UserId
    creator_id: UserId
    gift_id: Annotated[int, Strict(), Field(ge=1, le=INT32_MAX), WholeNumber]
    session_id: Annotated[int, Strict(), Field(ge=0, le=INT64_MAX), WholeNumber] = 0


class GiftEventCreate(_Gift):
    """A one-off gift event: ``quantity`` gifts under the sender's own ``event_id``
    (sending the same event id again books nothing more)."""

    event_id: ClientId
    quantity: Annotated[int, Strict(), Field(ge=1, le=GIFT_QUANTITY_MAX), WholeNumber] = 1


class GiftStreakCreate(_Gift):
    """An event of a streak (combo): charged for what its ``repeat_count`` adds."""

    streak: StreakEvent


GiftCreate = Annotated[
    Annotated[GiftEventCreate, Tag(branch("event"))]
    | Annotated[GiftStreakCreate, Tag(branch("streak"))],
    two_branches("streak", GiftStreakCreate, present="streak", absent="event"),
]
"""One gift event: a one-off (``event_id``, ``quantity``) or a streak's (``streak``)."""


class GiftSentPublic(BaseModel):
    """A booked gift event. ``quantity`` is what this event added (a streak's delta):
    count it, and a streak is counted exactly once."""

    id: int
    sender_id: int
    creator_id: int
    gift_id: int
    quantity: int
    repeat_count: int
    streak_id: str | None
    coins: int
    diamond_units: int
    session_id: int
    sent_at: datetime
    replayed: bool
    """The event was booked before (the same ``event_id`` or streak count)."""

    @classmethod
    def of(cls, gift: GiftSent) -> Self:
        # Built from a booked gift, typed already: no validation (a batch renders 1,000
        # of these inside its transaction, on the writer).
        return cls.model_construct(
            id=gift.id,
            sender_id=gift.sender_id,
            creator_id=gift.creator_id,
            gift_id=gift.gift_id,
            quantity=gift.quantity,
            repeat_count=gift.repeat_count,
            streak_id=gift.streak_id,
            coins=gift.coins,
            diamond_units=gift.diamond_units,
            session_id=gift.session_id,
            sent_at=at(gift.sent_at),
            replayed=gift.replayed,
        )


class GiftBatchCreate(Request):
    gifts: Annotated[list[GiftCreate], Field(min_length=1, max_length=BATCH_GIFTS_MAX)]


class GiftBatchOk(BaseModel):
    status: Literal["ok"] = "ok"
    gift: GiftSentPublic


class GiftBatchError(BaseModel):
    status: Literal["error"] = "error"
    code: str
    detail: str


class GiftBatchPublic(BaseModel):
    """One result per gift, in the order sent."""

    results: list[Annotated[GiftBatchOk | GiftBatchError, Field(discriminator="status")]]


class StreakEnd(Request):
    sender_id: UserId


class StreakPublic(BaseModel):
    id: str
    sender_id: int
    creator_id: int
    gift_id: int
    repeat_count: int
    started_at: datetime
    last_at: datetime
    ended_at: datetime | None
    end_reason: str | None

    @classmethod
    def of(cls, streak: Streak) -> Self:
        return cls(
            id=streak.id.split(":", 1)[1],
            sender_id=streak.sender_id,
            creator_id=streak.creator_id,
            gift_id=streak.gift_id,
            repeat_count=streak.repeat_count,
            started_at=at(streak.started_at),
            last_at=at(streak.last_at),
            ended_at=at_or_none(streak.ended_at),
            end_reason=streak.end_reason,
        )
