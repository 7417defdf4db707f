"""The API's answers as frozen dataclasses: generated from docs/openapi.json by
``python -m giftflow.client.codegen docs/openapi.json src/giftflow/client/models.py``;
do not edit by hand.

One module of well over 400 lines, on purpose: it is the document's schemas written
out, not code anyone edits, regenerated whole whenever the API changes and compared
whole with what the generator writes (tests/client/test_generated.py). One file keeps a
change of the API one diff here, and every call imports its types from one place.

``Literal`` types list the values the document names; ``giftflow.client.decode`` accepts
others too (a newer server may add a state) and ignores fields it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, TypeAlias

AgeBand: TypeAlias = Literal["18-24", "25-34", "35-44", "45-54", "55+"]


Answer: TypeAlias = Literal["pending", "accepted", "declined"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AudienceBody:
    """Empty everywhere: automatic (every viewer). Otherwise every dimension given must
    match (AND), any one value within it (OR); see docs/promote.md.
    """

    regions: list[str] | None = None
    age_bands: list[AgeBand] | None = None
    interests: list[str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BattlePublic:
    id: int
    state: Literal["running", "ended"]
    started_at: datetime
    ends_at: datetime
    ended_at: datetime | None
    winner_session_id: int | None
    sides: list[SidePublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class BioFiguresPublic:
    creator_id: int
    views: int
    clicks: int
    click_through_bps: int
    links: list[LinkFiguresPublic]
    referrers: list[CountPublic]
    regions: list[CountPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class BioPublic:
    creator_id: int
    slug: str
    url: str
    title: str
    about: str
    consent_version: int
    consent_text: str | None
    consent_text_sha256: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class BoosterPublic:
    multiplier: int
    started_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class BurstPublic:
    starts_at: datetime
    ends_at: datetime
    share_bps: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignList:
    campaigns: list[CampaignPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class CampaignPublic:
    id: str
    creator_id: int
    name: str
    created_at: datetime
    promotion_ids: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class CardAttemptPublic:
    """What the test card did now (``event``: null while it is still processing) and
    the provider event that follows, sent once this answer is out (``follows``).
    """

    card_outcome: CardOutcome
    failure_code: str | None
    message: str
    event: WebhookOutcomePublic | None
    follows: Literal["payment.failed", "payment.disputed"] | None


CardOutcome: TypeAlias = Literal["succeeds", "declined", "fails_after_processing", "disputed_later"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogGiftList:
    catalog_version: str
    region: str | None
    gifts: list[CatalogGiftPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogGiftPublic:
    id: int
    name: str
    display_name: str
    image_url: str | None
    animation_url: str | None
    coins: int
    streakable: bool
    broadcast: bool
    on_panel: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogRegionList:
    catalog_version: str
    regions: list[CatalogRegionPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogRegionPublic:
    code: str
    name: str
    currency: str
    channels: list[ChannelTermsPublic]
    payout: PayoutTermsPublic


Channel: TypeAlias = Literal["web", "app_store"]


ChannelFormat: TypeAlias = Literal["discord", "telegram", "json"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelTermsPublic:
    """How coins are sold in a region through one channel (the packs themselves:
    ``GET /v1/catalog/packs``).
    """

    channel: Channel
    store_fee_bps: int
    pack_ids: list[str]
    custom_min_coins: int
    custom_max_coins: int


ChapterKind: TypeAlias = Literal["hook", "value", "community", "goal", "battle", "outro", "segment"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChapterList:
    chapters: list[ChapterPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChapterPublic:
    id: int
    session_id: int
    position: int
    kind: ChapterKind
    title: str
    planned_s: int
    started_at: datetime | None
    ended_at: datetime | None


ContentKind: TypeAlias = Literal["live", "video", "highlight"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CountPublic:
    value: str
    views: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CountdownPublic:
    """The countdown overlay's state (times in nanoseconds, as the events')."""

    room_id: int
    at: int
    last_event_id: str | None
    schedule: CountdownSchedulePublic | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CountdownSchedulePublic:
    schedule_id: str
    title: str
    starts_at: int
    state: ScheduleState
    session_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomAmountPublic:
    """Any number of coins in ``min_coins..max_coins``, priced per 1,000, rounded up."""

    channel: Channel
    min_coins: int
    max_coins: int
    per_1000_coins_minor: int
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveringPerkList:
    perks: list[DeliveringPerkPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveringPerkPublic:
    id: str
    creator_id: int
    level: int
    kind: DeliveryKind
    file_id: str | None
    product_id: str | None
    schedule_id: str | None
    early_access: EarlyAccessPublic | None
    created_at: datetime


DeliveryKind: TypeAlias = Literal["file", "early_access"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DownloadLinkPublic:
    url: str
    file_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class EarlyAccessPublic:
    level: int
    opens_at: datetime
    early_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class EarningsPublic:
    """Diamonds in diamond units (10,000 units = 1 diamond), and whole diamonds;
    ``holds``: when the pending ones mature (earliest first, at most 100 parts).
    """

    user_id: int
    pending_units: int
    available_units: int
    in_payout_units: int
    withdrawn_units: int
    earned_units: int
    pending_diamonds: int
    available_diamonds: int
    next_matures_at: datetime | None
    holds: list[HoldPublic]


EventKind: TypeAlias = Literal["viewable", "click", "live_entry", "profile_visit"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EventOutcomePublic:
    impression_id: str
    kind: EventKind
    result: str
    reason: str | None
    billed_millicoins: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EventsPublic:
    outcomes: list[EventOutcomePublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldProblem:
    location: str
    message: str
    type: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FileList:
    files: list[FilePublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class FilePublic:
    id: str
    creator_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FillPublic:
    placements: list[PlacementPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class FiringList:
    rule_id: int
    firings: list[FiringPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class FiringPublic:
    rule_id: int
    gift_event_id: str
    fired_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowPublic:
    creator_id: int
    user_id: int
    first: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class FraudDecisionList:
    decisions: list[FraudDecisionPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class FraudDecisionPublic:
    id: int
    rule: str
    action: str
    user_id: int | None
    subject: str
    detail: str
    created_at: datetime
    review_state: str
    reviewed_by: str | None
    reviewed_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class GiftBatchError:
    status: Literal["error"] = "error"
    code: str
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GiftBatchOk:
    status: Literal["ok"] = "ok"
    gift: GiftSentPublic


@dataclass(frozen=True, slots=True, kw_only=True)
class GiftBatchPublic:
    """One result per gift, in the order sent."""

    results: list[GiftBatchOk | GiftBatchError]


@dataclass(frozen=True, slots=True, kw_only=True)
class GiftRuleList:
    rules: list[GiftRulePublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class GiftRulePublic:
    id: int
    room_id: int
    action: str
    payload: str
    min_coins: int | None
    gift_id: int | None
    cooldown_s: int
    fired: int
    last_fired_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class GiftSentPublic:
    """A booked gift event. ``quantity`` is what this event added (a streak's delta):
    count it, and a streak is counted exactly once.
    """

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


Goal: TypeAlias = Literal["views", "profile_visits", "live_viewers", "followers"]


GoalKind: TypeAlias = Literal["coins", "gift_count"]


@dataclass(frozen=True, slots=True, kw_only=True)
class GoalList:
    goals: list[GoalPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class GoalPublic:
    id: int
    session_id: int
    kind: GoalKind
    target: int
    gift_id: int | None
    promise: str
    deadline_at: datetime | None
    progress: int
    state: GoalState
    created_at: datetime
    completed_at: datetime | None


GoalState: TypeAlias = Literal["open", "completed", "expired"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Health:
    status: Literal["ok", "ready"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HighlightList:
    session_id: int
    highlights: list[HighlightPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class HighlightPublic:
    starts_at: datetime
    ends_at: datetime
    coins: int
    follows: int
    score_bps: int


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldPublic:
    """Pending diamonds maturing within one UTC hour: all of them are available from
    ``matures_at``, the first of them from ``first_matures_at``. Each gift's time was
    fixed when it was booked (sent + the holding period then in force).
    """

    diamond_units: int
    gifts: int
    first_matures_at: datetime
    matures_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportSummaryPublic:
    paid: list[str]
    failed: list[str]
    unchanged: list[str]


InteractionKind: TypeAlias = Literal["follow", "like", "comment", "share"]


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractionPublic:
    id: int
    session_id: int
    user_id: int
    kind: InteractionKind
    chapter_id: int | None
    text: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class InvitationList:
    invitations: list[InvitationPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class InvitationPublic:
    id: int
    session_id: int
    creator_id: int
    state: InvitationState
    duration_s: int
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    battle_id: int | None
    invitees: list[InviteePublic]


InvitationState: TypeAlias = Literal["pending", "accepted", "declined", "cancelled", "expired"]


@dataclass(frozen=True, slots=True, kw_only=True)
class InviteePublic:
    session_id: int
    creator_id: int
    answer: Answer
    answered_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LeadList:
    creator_id: int
    leads: list[LeadPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class LeadPublic:
    id: str
    email: str
    state: LeadState
    consent_version: int
    consent_text_sha256: str
    consented_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None


LeadState: TypeAlias = Literal["pending", "confirmed", "unsubscribed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaderboardPublic:
    scope: Literal["session", "week", "all"]
    top: list[StandingPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkFiguresPublic:
    link_id: str
    title: str
    url: str
    removed: bool
    clicks: int
    click_through_bps: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkList:
    creator_id: int
    links: list[LinkPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkPublic:
    id: str
    position: int
    title: str
    url: str
    click_path: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneChannelCreated:
    id: str
    room_id: int
    format: ChannelFormat
    name: str
    url: str | None
    telegram: TelegramPublic | None
    link_url: str
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    rules: list[RulePublic]
    created_at: datetime
    updated_at: datetime
    signing_secret: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneChannelList:
    channels: list[MilestoneChannelPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneChannelPublic:
    id: str
    room_id: int
    format: ChannelFormat
    name: str
    url: str | None
    telegram: TelegramPublic | None
    link_url: str
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    rules: list[RulePublic]
    created_at: datetime
    updated_at: datetime


MilestoneKind: TypeAlias = Literal[
    "goal_completed", "followers_reached", "supporter_level_reached", "live_started"
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestonePostList:
    posts: list[MilestonePostPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestonePostPublic:
    id: int
    channel_id: str
    milestone: str
    kind: str
    text: str
    created_at: datetime
    state: str | None
    attempts: int
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MismatchPublic:
    account_id: int
    field: str
    stored: int
    recomputed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlayBattlePublic:
    """A ``battle.score`` event's data (running) or a ``battle.ended`` one's, less MVPs."""

    battle_id: int
    started_at: int
    ends_at: int
    ended_at: int | None
    winner_session_id: int | None
    winner_creator_id: int | None
    draw: bool
    sides: list[OverlaySidePublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlayBoosterPublic:
    multiplier: int
    started_at: int
    ends_at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlayGoalPublic:
    """A ``goal.progress`` event's data, less ``added`` and ``sender_id``."""

    goal_id: int
    session_id: int
    kind: GoalKind
    target: int
    gift_id: int | None
    promise: str
    deadline_at: int | None
    progress: int
    state: GoalState


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlayLeaderboardPublic:
    """A ``leaderboard.changed`` event's data."""

    session_id: int
    scope: Literal["session"] = "session"
    top: list[OverlayStandingPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlaySessionPublic:
    session_id: int
    title: str
    started_at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlaySidePublic:
    session_id: int
    creator_id: int
    creator_name: str
    score: int
    booster: OverlayBoosterPublic | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlayStandingPublic:
    rank: int
    user_id: int
    user_name: str
    coins: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlayStatePublic:
    room_id: int
    at: int
    last_event_id: str | None
    session: OverlaySessionPublic | None
    goals: list[OverlayGoalPublic]
    leaderboard: OverlayLeaderboardPublic | None
    battle: OverlayBattlePublic | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PacingPointPublic:
    at: datetime
    target_millicoins: int
    actual_millicoins: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PackList:
    catalog_version: str
    region: str
    packs: list[PackPublic]
    custom_amounts: list[CustomAmountPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class PackPublic:
    id: str
    region: str
    channel: Channel
    coins: int
    amount_minor: int
    currency: str


PayeeKind: TypeAlias = Literal["iban", "bank_account", "paypal", "other"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PayeePublic:
    """A destination as giftflow shows it: masked, ``••••`` and its last four characters
    (the partner's batch file alone holds it in full).
    """

    kind: PayeeKind
    destination_masked: str
    holder_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentFailurePublic:
    """The last attempt to pay that failed: ``code`` as the provider names it
    (``card_declined``, ``insufficient_funds``, ``expired_card``, ``incorrect_cvc``,
    ``processing_error`` …), ``message`` for people.
    """

    code: str
    message: str
    at: datetime
    attempts: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentPublic:
    """``status``: ``created`` (open, nothing tried yet), ``failed`` (open, the last
    attempt failed: the buyer may try again), ``paid``, ``refunded``, ``disputed``.
    """

    id: str
    provider: str
    provider_payment_id: str | None
    user_id: int
    region: str
    channel: str
    pack_id: str | None
    coins: int
    amount_minor: int
    currency: str
    status: Literal["created", "failed", "paid", "refunded", "disputed"]
    refunded_minor: int
    coins_clawed_back: int
    created_at: datetime
    paid_at: datetime | None
    checkout_url: str | None
    last_failure: PaymentFailurePublic | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PayoutBatchPublic:
    """``batch_id`` is null (and ``count`` 0) when no approved payout was waiting."""

    partner: str
    batch_id: str | None
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PayoutList:
    payouts: list[PayoutPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class PayoutPublic:
    id: str
    creator_id: int
    diamonds: int
    gross_minor: int
    fee_minor: int
    net_minor: int
    currency: str
    region: str
    partner: str
    state: PayoutState
    batch_id: str | None
    partner_reference: str | None
    failure_reason: str | None
    requested_at: datetime
    updated_at: datetime
    payee: PayeePublic | None


PayoutState: TypeAlias = Literal["requested", "held", "approved", "paid", "failed", "rejected"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PayoutTermsPublic:
    """How a creator in the region turns diamonds into cash: amounts in minor units of
    ``currency``; the fee is ``fee_fixed_minor`` plus ``fee_bps`` of the gross.
    """

    currency: str
    minimum_minor: int
    fee_fixed_minor: int
    fee_bps: int
    cash_per_1000_diamonds_minor: int
    daily_maximum_minor: int
    processing_days_max: int
    minimum_age_years: int
    identity_verification_required: bool


PerkKind: TypeAlias = Literal["badge", "qa_priority"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PerkPublic:
    id: int
    level: int
    kind: PerkKind
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PerksPublic:
    room_id: int
    level_thresholds_coins: list[int]
    perks: list[PerkPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacementPublic:
    slot: int
    impression_id: str
    promotion_id: str
    content_kind: ContentKind
    content_id: str
    label: str = "Promoted"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedChapterPublic:
    kind: ChapterKind
    title: str
    planned_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedGoalPublic:
    kind: GoalKind
    target: int
    gift_id: int | None
    promise: str
    deadline_s: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanningPublic:
    creator_id: int
    sessions: int
    retention: list[RetentionPublic]
    best_windows: list[WindowPublic]
    regions: list[RegionPublic]
    suggested_audience: AudienceBody


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """RFC 9457 problem details, with giftflow's stable ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None
    facts: dict[str, int | str | bool | None] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductList:
    products: list[ProductPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductPublic:
    id: str
    creator_id: int
    title: str
    price_coins: int
    state: ProductState
    file_ids: list[str]
    early_access: EarlyAccessPublic | None
    buy_path: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductPurchaseList:
    purchases: list[ProductPurchasePublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductPurchasePublic:
    id: str
    product_id: str
    title: str
    buyer_id: int
    creator_id: int
    price_coins: int
    share_bps: int
    diamond_units: int
    state: PurchaseState
    purchased_at: datetime
    matures_at: datetime
    matured_at: datetime | None
    refunded_at: datetime | None
    clawed_back_units: int


ProductState: TypeAlias = Literal["active", "archived"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PromotionList:
    promotions: list[PromotionPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class PromotionPublic:
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
    billed_millicoins: int
    posted_coins: int
    released_coins: int
    created_at: datetime
    submitted_at: datetime | None
    closed_at: datetime | None


PromotionState: TypeAlias = Literal[
    "draft", "in_review", "active", "paused", "completed", "cancelled", "rejected"
]


PurchaseState: TypeAlias = Literal["paid", "refunded"]


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionList:
    session_id: int
    questions: list[QuestionPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionPublic:
    id: str
    session_id: int
    creator_id: int
    user_id: int
    level: int
    text: str
    state: QuestionState
    submitted_at: datetime
    closed_at: datetime | None


QuestionState: TypeAlias = Literal["queued", "answered", "skipped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconcilePublic:
    ok: bool
    transfers: int
    accounts: int
    units: list[UnitTotalsPublic]
    mismatches: list[MismatchPublic]
    problems: list[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionPublic:
    region: str
    viewers: int
    coins: int
    watched_s_mean: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationList:
    schedule_id: str
    registrations: list[RegistrationPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationPublic:
    schedule_id: str
    user_id: int
    registered_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportLinkPublic:
    """A link that opens the session's report page in a browser, without headers. The
    URL holds a credential (read-only, this report only): share it like a password.
    """

    link_id: str
    session_id: int
    url: str
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportLinkRevokedPublic:
    link_id: str
    revoked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportPublic:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionPublic:
    chapter_id: int
    title: str
    viewers_at_start: int
    stayed_through: int
    retention_bps: int


Role: TypeAlias = Literal["viewer", "creator", "admin"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomTokenPublic:
    token: str
    room_id: int
    scope: Literal["room:read"] = "room:read"
    generation: int
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomTokensRevokedPublic:
    room_id: int
    generation: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RulePublic:
    kind: MilestoneKind
    template: str
    thresholds: list[int]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleFiguresPublic:
    """Counted from the rows: registered viewers, those of them who joined the linked
    session, and those of them who sent it a gift.
    """

    schedule_id: str
    session_id: int | None
    registered: int
    attended: int
    gifted: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleList:
    schedules: list[SchedulePublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class SchedulePublic:
    id: str
    room_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    state: ScheduleState
    chapters: list[PlannedChapterPublic]
    goal: PlannedGoalPublic | None
    reminder_offsets_s: list[int]
    session_id: int | None
    registered: int
    sequence: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


ScheduleState: TypeAlias = Literal["scheduled", "live", "done", "missed", "cancelled"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionDetailPublic:
    id: int
    room_id: int
    title: str
    state: Literal["live", "ended"]
    started_at: datetime
    ended_at: datetime | None
    totals: SessionTotalsPublic


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionList:
    creator_id: int
    sessions: list[SessionPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPublic:
    id: int
    room_id: int
    title: str
    state: Literal["live", "ended"]
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionTotalsPublic:
    concurrent_viewers: int
    gifts: int
    coins: int
    watch_time_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SidePublic:
    session_id: int
    creator_id: int
    score: int
    booster: BoosterPublic | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInLinkPublic:
    url: str
    user_id: int
    role: SignInRole
    expires_at: datetime


SignInRole: TypeAlias = Literal["creator", "admin"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StandingPublic:
    rank: int
    user_id: int
    coins: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementEntryPublic:
    transfer_id: int
    kind: str
    coins: int
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementLinePublic:
    at: datetime
    kind: str
    account: Literal["pending", "available"]
    units: int
    transfer_id: int
    reference: int
    payout_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementPublic:
    user_id: int
    units_per_diamond: int = 10000
    lines: list[StatementLinePublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class StreakPublic:
    id: str
    sender_id: int
    creator_id: int
    gift_id: int
    repeat_count: int
    started_at: datetime
    last_at: datetime
    ended_at: datetime | None
    end_reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SubathonList:
    subathons: list[SubathonPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class SubathonPublic:
    id: str
    room_id: int
    number: int
    state: SubathonState
    started_at: datetime
    ends_at: datetime | None
    remaining_ms: int
    remaining_ns: int
    initial_s: int
    cap_s: int
    granted_ns: int
    added_ns: int
    gifts: int
    coins: int
    tiers: list[TierPublic]
    ms_per_coin: int
    ended_at: datetime | None
    at: datetime


SubathonState: TypeAlias = Literal["running", "paused", "ended"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SubathonStatePublic:
    """The subathon overlay's state (times in nanoseconds, as the events')."""

    room_id: int
    at: int
    last_event_id: str | None
    subathon: SubathonTimerPublic | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SubathonTimerPublic:
    subathon_id: str
    state: SubathonState
    ends_at: int | None
    remaining_ns: int
    paused: bool
    gifts: int
    added_ns: int
    cap_s: int
    granted_ns: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TelegramPublic:
    chat_id: str
    bot_token: str
    api_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TestClockPublic:
    """The economy's time and how far ahead of the host's clock it runs."""

    now: datetime
    offset_s: int
    offset_ns: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TierPublic:
    min_coins: int
    add_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPublic:
    token: str
    token_type: Literal["bearer"] = "bearer"
    token_id: str
    user_id: int
    role: Role
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenRevokedPublic:
    token_id: str
    revoked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitTotalsPublic:
    unit: str
    accounts: int
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int
    balanced: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPublic:
    id: int
    external_id: str
    display_name: str
    birth_date: date
    region: str
    is_creator: bool
    identity_verified: bool
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class UserTokensRevokedPublic:
    user_id: int
    not_before: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewersPublic:
    session_id: int
    concurrent_viewers: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WalletPublic:
    user_id: int
    coins: int
    frozen: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookAttemptPublic:
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookDeliveryList:
    deliveries: list[WebhookDeliveryPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookDeliveryPublic:
    id: int
    endpoint_id: str
    event_id: str
    room_id: int
    type: str
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    last_status_code: int | None
    last_error: str | None
    payload: str
    log: list[WebhookAttemptPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookEndpointCreated:
    id: str
    url: str
    description: str
    event_types: list[str] | None
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime
    secret: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookEndpointList:
    endpoints: list[WebhookEndpointPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookEndpointPublic:
    id: str
    url: str
    description: str
    event_types: list[str] | None
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookOutcomePublic:
    """What a provider's event did. ``ignored``: a well-signed event of a kind giftflow
    does not act on.
    """

    event: Literal["paid", "failed", "refunded", "disputed", "ignored"]
    payment: PaymentPublic | None = None
    coins_minted: int = 0
    coins_from_wallet: int = 0
    reversed_diamond_units: int = 0
    loss_coins: int = 0
    wallet_frozen: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowPublic:
    weekday: int
    hour: int
    coins: int
    follows: int
    viewers: int
