"""Promotions and campaigns: what a creator asks for (the plan, its audience and
bursts), what is answered, and the times and ids they are written with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, Strict, StringConstraints
from pydantic_core import PydanticCustomError

from giftflow.http.schemas.common import (
    TOKEN,
    Name,
    Reason,
    RegionCode,
    Request,
    UserId,
    WholeNumber,
    at,
    at_or_none,
)
from giftflow.promote.promotions import (
    BUDGET_COINS_MAX,
    BURSTS_MAX,
    FREQUENCY_CAP_DEFAULT,
    FREQUENCY_WINDOW_S_DEFAULT,
    INTERESTS_MAX,
    REGIONS_MAX,
    AgeBand,
    Audience,
    Burst,
    ContentKind,
    Goal,
    Plan,
    PromotionState,
)
from giftflow.service.promote import (
    Campaign,
    Promotion,
)

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
NS_PER_US = 1_000


def _in_range(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise PydanticCustomError("datetime_range", "a time between 2000 and 2100")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
"""An RFC 3339 time with its offset, 2000 to 2100."""
Interest = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=TOKEN)]
ContentId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=TOKEN)]
PromotionId = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=TOKEN)]
ImpressionId = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=TOKEN)]
ViewerId = Annotated[int, Strict(), Field(ge=1, le=2**63 - 1), WholeNumber]


def ns(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * NS_PER_US


class AudienceBody(Request):
    """Empty everywhere: automatic (every viewer). Otherwise every dimension given must
    match (AND), any one value within it (OR); see docs/promote.md."""

    regions: Annotated[list[RegionCode], Field(max_length=REGIONS_MAX)] = Field(
        default_factory=list
    )
    age_bands: Annotated[list[AgeBand], Field(max_length=len(AgeBand))] = Field(
        default_factory=list
    )
    interests: Annotated[list[Interest], Field(max_length=INTERESTS_MAX)] = Field(
        default_factory=list
    )

    def audience(self) -> Audience:
        return Audience(
            frozenset(self.regions), frozenset(self.age_bands), frozenset(self.interests)
        )

    @classmethod
    def of(cls, audience: Audience) -> Self:
        return cls(
            regions=sorted(audience.regions),
            age_bands=sorted(audience.age_bands),
            interests=sorted(audience.interests),
        )


class BurstBody(Request):
    starts_at: Moment
    ends_at: Moment
    share_bps: Annotated[int, Strict(), Field(ge=1, le=10_000), WholeNumber]

    def burst(self) -> Burst:
        return Burst(ns(self.starts_at), ns(self.ends_at), self.share_bps)


class PromotionCreate(Request):
    creator_id: UserId
    content_kind: ContentKind
    content_id: ContentId
    goal: Goal
    budget_coins: Annotated[int, Strict(), Field(ge=1, le=BUDGET_COINS_MAX), WholeNumber]
    starts_at: Moment
    ends_at: Moment
    audience: AudienceBody = AudienceBody()
    bursts: Annotated[list[BurstBody], Field(max_length=BURSTS_MAX)] = Field(default_factory=list)
    frequency_cap: Annotated[int, Strict(), Field(ge=1, le=100), WholeNumber] = (
        FREQUENCY_CAP_DEFAULT
    )
    frequency_window_s: Annotated[int, Strict(), Field(ge=60, le=30 * 86_400), WholeNumber] = (
        FREQUENCY_WINDOW_S_DEFAULT
    )
    campaign_id: PromotionId | None = None

    def plan(self) -> Plan:
        return Plan(
            content_kind=self.content_kind,
            content_id=self.content_id,
            goal=self.goal,
            budget_coins=self.budget_coins,
            starts_at=ns(self.starts_at),
            ends_at=ns(self.ends_at),
            audience=self.audience.audience(),
            bursts=tuple(burst.burst() for burst in self.bursts),
            frequency_cap=self.frequency_cap,
            frequency_window_s=self.frequency_window_s,
        )


class PromotionReject(Request):
    reason: Reason


class BurstPublic(BaseModel):
    starts_at: datetime
    ends_at: datetime
    share_bps: int


class PromotionPublic(BaseModel):
    id: str
    creator_id: int
    campaign_id: str | None
    content_kind: ContentKind
    content_id: str
    goal: Goal
    audience: AudienceBody
    automatic_audience: bool
    budget_coins: int
    price_per_1000_coins: int
    starts_at: datetime
    ends_at: datetime
    bursts: list[BurstPublic]
    frequency_cap: int
    frequency_window_s: int
    state: PromotionState
    reason: str | None
    reserved_coins: int
    """Held by the open pending transfer."""
    billed_millicoins: int
    posted_coins: int
    released_coins: int
    created_at: datetime
    submitted_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, promotion: Promotion) -> Self:
        plan = promotion.plan
        return cls(
            id=promotion.id,
            creator_id=promotion.creator_id,
            campaign_id=promotion.campaign_id,
            content_kind=plan.content_kind,
            content_id=plan.content_id,
            goal=plan.goal,
            audience=AudienceBody.of(plan.audience),
            automatic_audience=plan.audience.automatic,
            budget_coins=plan.budget_coins,
            price_per_1000_coins=promotion.price_per_1000_coins,
            starts_at=at(plan.starts_at),
            ends_at=at(plan.ends_at),
            bursts=[
                BurstPublic(starts_at=at(b.starts_at), ends_at=at(b.ends_at), share_bps=b.share_bps)
                for b in plan.bursts
            ],
            frequency_cap=plan.frequency_cap,
            frequency_window_s=plan.frequency_window_s,
            state=promotion.state,
            reason=promotion.reason,
            reserved_coins=promotion.reserved_coins,
            billed_millicoins=promotion.billed_millicoins,
            posted_coins=promotion.posted_coins,
            released_coins=promotion.released_coins,
            created_at=at(promotion.created_at),
            submitted_at=at_or_none(promotion.submitted_at),
            closed_at=at_or_none(promotion.closed_at),
        )


class PromotionList(BaseModel):
    promotions: list[PromotionPublic]


class CampaignCreate(Request):
    creator_id: UserId
    name: Name


class CampaignPublic(BaseModel):
    id: str
    creator_id: int
    name: str
    created_at: datetime
    promotion_ids: list[str]

    @classmethod
    def of(cls, campaign: Campaign) -> Self:
        return cls(
            id=campaign.id,
            creator_id=campaign.creator_id,
            name=campaign.name,
            created_at=at(campaign.created_at),
            promotion_ids=list(campaign.promotion_ids),
        )


class CampaignList(BaseModel):
    campaigns: list[CampaignPublic]
