"""A promotion: what is promoted, to whom, for how much, when, and how often a viewer
may see it; and the states it goes through.

All goals are delivered alike: giftflow decides which real feed requests show the
promotion (targeting, frequency cap, schedule, pacing) and bills viewable impressions
only; the goal says what the report leads with and what ``coins_per_result`` divides
by, never how delivery bids. The platform's ranking may use it; giftflow does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.promote.errors import PromoteError, PromotionStateError

BPS_WHOLE: Final = 10_000
BUDGET_COINS_MAX: Final = 10**12
DURATION_S_MAX: Final = 90 * 86_400
BURSTS_MAX: Final = 64
FREQUENCY_CAP_DEFAULT: Final = 3
FREQUENCY_WINDOW_S_DEFAULT: Final = 86_400
REGIONS_MAX: Final = 64
INTERESTS_MAX: Final = 32


class ContentKind(StrEnum):
    LIVE = "live"
    """A LIVE, scheduled or running (the content id is the platform's)."""
    VIDEO = "video"
    HIGHLIGHT = "highlight"


class Goal(StrEnum):
    VIEWS = "views"
    PROFILE_VISITS = "profile_visits"
    LIVE_VIEWERS = "live_viewers"
    FOLLOWERS = "followers"


class AgeBand(StrEnum):
    """The platform's age bands; promotions reach adults only (DESIGN: gifts and
    promotions are for adults), so there is no band below 18."""

    A18_24 = "18-24"
    A25_34 = "25-34"
    A35_44 = "35-44"
    A45_54 = "45-54"
    A55_PLUS = "55+"


class PromotionState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


OPEN_STATES: Final = frozenset(
    {PromotionState.DRAFT, PromotionState.IN_REVIEW, PromotionState.ACTIVE, PromotionState.PAUSED}
)
RESERVED_STATES: Final = frozenset(
    {PromotionState.IN_REVIEW, PromotionState.ACTIVE, PromotionState.PAUSED}
)
"""States in which the budget is held by a pending transfer."""
BILLABLE_STATES: Final = frozenset({PromotionState.ACTIVE, PromotionState.PAUSED})
"""States in which an impression already served may still be billed (a pause stops
serving, not the counting of what was shown before it)."""

_MOVES: Final[Mapping[PromotionState, frozenset[PromotionState]]] = {
    PromotionState.DRAFT: frozenset({PromotionState.IN_REVIEW, PromotionState.CANCELLED}),
    PromotionState.IN_REVIEW: frozenset(
        {PromotionState.ACTIVE, PromotionState.REJECTED, PromotionState.CANCELLED}
    ),
    PromotionState.ACTIVE: frozenset(
        {PromotionState.PAUSED, PromotionState.COMPLETED, PromotionState.CANCELLED}
    ),
    PromotionState.PAUSED: frozenset(
        {PromotionState.ACTIVE, PromotionState.COMPLETED, PromotionState.CANCELLED}
    ),
}


def check_transition(current: PromotionState, target: PromotionState) -> None:
    if target not in _MOVES.get(current, frozenset()):
        raise PromotionStateError(f"a promotion cannot go from {current} to {target}")


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may be shown a promotion.

    ``automatic``: every viewer the platform's feed asks for. Otherwise a viewer matches
    when every dimension that is given matches (AND across dimensions): their region is
    one of ``regions``, their age band one of ``age_bands``, and they share at least one
    of ``interests`` (OR within a dimension). An empty dimension does not constrain; a
    viewer whose value is unknown does not match a dimension that is given."""

    regions: frozenset[str] = frozenset()
    age_bands: frozenset[AgeBand] = frozenset()
    interests: frozenset[str] = frozenset()

    @property
    def automatic(self) -> bool:
        return not (self.regions or self.age_bands or self.interests)

    def matches(self, region: str | None, age_band: str | None, interests: frozenset[str]) -> bool:
        if self.regions and region not in self.regions:
            return False
        if self.age_bands and age_band not in self.age_bands:
            return False
        return not self.interests or not self.interests.isdisjoint(interests)


@dataclass(frozen=True, slots=True)
class Burst:
    """A window of the schedule with its share of the budget in basis points."""

    starts_at: UnixNs
    ends_at: UnixNs
    share_bps: int


@dataclass(frozen=True, slots=True)
class Plan:
    """What a creator asks for; checked by ``check_plan``."""

    content_kind: ContentKind
    content_id: str
    goal: Goal
    budget_coins: int
    starts_at: UnixNs
    ends_at: UnixNs
    audience: Audience = field(default_factory=Audience)
    bursts: tuple[Burst, ...] = ()
    frequency_cap: int = FREQUENCY_CAP_DEFAULT
    frequency_window_s: int = FREQUENCY_WINDOW_S_DEFAULT

    @property
    def frequency_window_ns(self) -> int:
        return self.frequency_window_s * NS_PER_S


def check_plan(plan: Plan, *, now: int) -> None:
    """Raise ``PromoteError`` naming the first rule the plan breaks."""
    if not 1 <= plan.budget_coins <= BUDGET_COINS_MAX:
        raise PromoteError("the budget is 1 coin or more", code="budget_invalid")
    if plan.ends_at <= plan.starts_at:
        raise PromoteError("a promotion ends after it starts", code="schedule_invalid")
    if plan.ends_at <= now:
        raise PromoteError("a promotion ends in the future", code="schedule_invalid")
    if plan.ends_at - plan.starts_at > DURATION_S_MAX * NS_PER_S:
        raise PromoteError("a promotion runs at most 90 days", code="schedule_invalid")
    if not 1 <= plan.frequency_cap <= 100 or not 60 <= plan.frequency_window_s <= 30 * 86_400:
        raise PromoteError(
            "the frequency cap is 1 to 100 per window of 1 minute to 30 days",
            code="frequency_cap_invalid",
        )
    if len(plan.audience.regions) > REGIONS_MAX or len(plan.audience.interests) > INTERESTS_MAX:
        raise PromoteError("too many regions or interests", code="audience_invalid")
    check_bursts(plan.bursts, starts_at=plan.starts_at, ends_at=plan.ends_at)


def check_bursts(bursts: Sequence[Burst], *, starts_at: int, ends_at: int) -> None:
    if not bursts:
        return
    if len(bursts) > BURSTS_MAX:
        raise PromoteError(f"at most {BURSTS_MAX} bursts", code="bursts_invalid")
    previous_end = starts_at
    for burst in bursts:
        if burst.starts_at < previous_end or burst.ends_at <= burst.starts_at:
            raise PromoteError(
                "bursts are in order, do not overlap and each ends after it starts",
                code="bursts_invalid",
            )
        if burst.ends_at > ends_at or burst.share_bps < 1:
            raise PromoteError(
                "bursts lie within the promotion and each has a share", code="bursts_invalid"
            )
        previous_end = burst.ends_at
    if sum(burst.share_bps for burst in bursts) != BPS_WHOLE:
        raise PromoteError("the bursts' shares add up to 10,000 bps", code="bursts_invalid")


def serving_now(plan: Plan, at: int) -> bool:
    """Whether the schedule lets the promotion serve at ``at``."""
    if not plan.starts_at <= at < plan.ends_at:
        return False
    if not plan.bursts:
        return True
    for burst in plan.bursts:  # noqa: SIM110 (no generator: fills call this most)
        if burst.starts_at <= at < burst.ends_at:
            return True
    return False
