"""Promotions, campaigns, feed fills, impression events, reports and planning."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, Strict, StringConstraints
from pydantic_core import PydanticCustomError

from giftflow.http.schemas.common import (
    INT32_MAX,
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
from giftflow.promote.delivery import SLOTS_MAX, FeedRequest
from giftflow.promote.highlights import Highlight
from giftflow.promote.planning import BestWindow, ChapterRetention, RegionSummary
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
    EventKind,
    EventOutcome,
    ImpressionEvent,
    Planning,
    Promotion,
    Report,
    Served,
)

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
NS_PER_US = 1_000
EVENTS_MAX = 1_000


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
            self.viewer_id,
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


class PacingPointPublic(BaseModel):
    at: datetime
    target_millicoins: int
    actual_millicoins: int


class StatementEntryPublic(BaseModel):
    transfer_id: int
    kind: str
    coins: int
    at: datetime


class ReportPublic(BaseModel):
    promotion_ids: list[str]
    served: int
    viewable: int
    billed: int
    invalid: dict[str, int]
    unbilled: dict[str, int]
    clicks: int
    live_entries: int
    profile_visits: int
    follows_click_7d: int
    follows_view_1d: int
    follows_attributed: int
    budget_coins: int
    billed_millicoins: int
    spent_coins: int
    released_coins: int
    reserved_coins: int
    coins_per_follow: float | None
    pacing: list[PacingPointPublic]
    statement: list[StatementEntryPublic]

    @classmethod
    def of(cls, report: Report) -> Self:
        return cls(
            promotion_ids=list(report.promotion_ids),
            served=report.served,
            viewable=report.viewable,
            billed=report.billed,
            invalid=report.invalid,
            unbilled=report.unbilled,
            clicks=report.clicks,
            live_entries=report.live_entries,
            profile_visits=report.profile_visits,
            follows_click_7d=report.follows_click_7d,
            follows_view_1d=report.follows_view_1d,
            follows_attributed=report.follows_attributed,
            budget_coins=report.budget_coins,
            billed_millicoins=report.billed_millicoins,
            spent_coins=report.spent_coins,
            released_coins=report.released_coins,
            reserved_coins=report.reserved_coins,
            coins_per_follow=report.coins_per_follow,
            pacing=[
                PacingPointPublic(
                    at=at(p.at),
                    target_millicoins=p.target_millicoins,
                    actual_millicoins=p.actual_millicoins,
                )
                for p in report.pacing
            ],
            statement=[
                StatementEntryPublic(
                    transfer_id=e.transfer_id, kind=e.kind, coins=e.coins, at=at(e.at)
                )
                for e in report.statement
            ],
        )


class RetentionPublic(BaseModel):
    chapter_id: int
    title: str
    viewers_at_start: int
    stayed_through: int
    retention_bps: int

    @classmethod
    def of(cls, r: ChapterRetention) -> Self:
        return cls(
            chapter_id=r.chapter_id,
            title=r.title,
            viewers_at_start=r.viewers_at_start,
            stayed_through=r.stayed_through,
            retention_bps=r.retention_bps,
        )


class WindowPublic(BaseModel):
    weekday: int
    """0 Monday .. 6 Sunday, UTC."""
    hour: int
    coins: int
    follows: int
    viewers: int

    @classmethod
    def of(cls, w: BestWindow) -> Self:
        return cls(
            weekday=w.weekday, hour=w.hour, coins=w.coins, follows=w.follows, viewers=w.viewers
        )


class RegionPublic(BaseModel):
    region: str
    viewers: int
    coins: int
    watched_s_mean: int

    @classmethod
    def of(cls, r: RegionSummary) -> Self:
        return cls(
            region=r.region, viewers=r.viewers, coins=r.coins, watched_s_mean=r.watched_s_mean
        )


class PlanningPublic(BaseModel):
    creator_id: int
    sessions: int
    retention: list[RetentionPublic]
    best_windows: list[WindowPublic]
    regions: list[RegionPublic]
    suggested_audience: AudienceBody
    """The regions where the creator's LIVEs earn most: a starting point, not a rule."""

    @classmethod
    def of(cls, planning: Planning) -> Self:
        return cls(
            creator_id=planning.creator_id,
            sessions=planning.sessions,
            retention=[RetentionPublic.of(r) for r in planning.retention],
            best_windows=[WindowPublic.of(w) for w in planning.best_windows],
            regions=[RegionPublic.of(r) for r in planning.regions],
            suggested_audience=AudienceBody(regions=list(planning.suggested_regions)),
        )


class HighlightPublic(BaseModel):
    starts_at: datetime
    ends_at: datetime
    coins: int
    follows: int
    score_bps: int

    @classmethod
    def of(cls, h: Highlight) -> Self:
        return cls(
            starts_at=at(h.starts_at),
            ends_at=at(h.ends_at),
            coins=h.coins,
            follows=h.follows,
            score_bps=h.score_bps,
        )


class HighlightList(BaseModel):
    session_id: int
    highlights: list[HighlightPublic]
