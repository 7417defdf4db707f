"""The platform's feed: a fill's request and its placements, impression events and
their outcomes."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, Field, Strict

from giftflow.http.schemas.common import (
    INT32_MAX,
    RegionCode,
    Request,
    WholeNumber,
)
from giftflow.http.schemas.promote.promotions import (
    ImpressionId,
    Interest,
    ViewerId,
)
from giftflow.ids import UserId
from giftflow.promote.delivery import SLOTS_MAX, FeedRequest
from giftflow.promote.promotions import (
    INTERESTS_MAX,
    AgeBand,
    ContentKind,
)
from giftflow.service.promote import (
    EventKind,
    EventOutcome,
    ImpressionEvent,
    Served,
)

EVENTS_MAX = 1_000


class FillCreate(Request):
    """One real feed request of the platform."""

    viewer_id: ViewerId
    region: RegionCode | None = None
    age_band: AgeBand | None = None
    interests: Annotated[list[Interest], Field(max_length=INTERESTS_MAX)] = Field(
        default_factory=list
    )
    slots: Annotated[int, Strict(), Field(ge=1, le=SLOTS_MAX), WholeNumber] = 1
    bot: bool = False
    """The platform flagged the viewer as a bot: nothing is served."""

    def request(self) -> FeedRequest:
        return FeedRequest(
            UserId(self.viewer_id),
            self.region,
            self.age_band.value if self.age_band else None,
            frozenset(self.interests),
            self.slots,
            self.bot,
        )


class PlacementPublic(BaseModel):
    slot: int
    impression_id: str
    promotion_id: str
    content_kind: ContentKind
    content_id: str
    label: str = "Promoted"
    """Shown with the content: a promotion is always labelled as one."""

    @classmethod
    def of(cls, served: Served) -> Self:
        return cls(
            slot=served.slot,
            impression_id=served.impression_id,
            promotion_id=served.promotion_id,
            content_kind=served.content_kind,
            content_id=served.content_id,
        )


class FillPublic(BaseModel):
    placements: list[PlacementPublic]


class EventBody(Request):
    impression_id: ImpressionId
    kind: EventKind
    visible_ms: Annotated[int, Strict(), Field(ge=0, le=INT32_MAX), WholeNumber] = 0
    bot: bool = False
    own_account: bool = False

    def event(self) -> ImpressionEvent:
        return ImpressionEvent(
            self.impression_id, self.kind, self.visible_ms, self.bot, self.own_account
        )


class EventsCreate(Request):
    events: Annotated[list[EventBody], Field(min_length=1, max_length=EVENTS_MAX)]


class EventOutcomePublic(BaseModel):
    impression_id: str
    kind: EventKind
    result: str
    reason: str | None
    billed_millicoins: int

    @classmethod
    def of(cls, outcome: EventOutcome) -> Self:
        return cls(
            impression_id=outcome.impression_id,
            kind=outcome.kind,
            result=outcome.result.value,
            reason=outcome.reason,
            billed_millicoins=outcome.billed_millicoins,
        )


class EventsPublic(BaseModel):
    outcomes: list[EventOutcomePublic]

    @classmethod
    def of(cls, outcomes: list[EventOutcome]) -> Self:
        return cls(outcomes=[EventOutcomePublic.of(o) for o in outcomes])
