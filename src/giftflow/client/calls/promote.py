"""Promote: promotions and campaigns, the feed's fills and impression events, planning
and highlights (docs/promote.md). Calls that move coins carry an Idempotency-Key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from giftflow.client.call import Call, keyed, model, path
from giftflow.client.models import (
    CampaignList,
    CampaignPublic,
    EventsPublic,
    FillPublic,
    HighlightList,
    PlanningPublic,
    PromotionList,
    PromotionPublic,
    ReportPublic,
)
from giftflow.client.requests import without_none


def create_promotion(
    *,
    creator_id: int,
    content_kind: str,
    content_id: str,
    goal: str,
    budget_coins: int,
    starts_at: datetime,
    ends_at: datetime,
    audience: Mapping[str, Any] | None = None,
    bursts: Sequence[Mapping[str, Any]] | None = None,
    frequency_cap: int | None = None,
    frequency_window_s: int | None = None,
    campaign_id: str | None = None,
    idempotency_key: str | None = None,
) -> Call[PromotionPublic]:
    """``POST /v1/promotions``: a draft (nothing reserved until it is submitted)."""
    body = without_none(
        creator_id=creator_id,
        content_kind=content_kind,
        content_id=content_id,
        goal=goal,
        budget_coins=budget_coins,
        starts_at=starts_at.isoformat(),
        ends_at=ends_at.isoformat(),
        audience=None if audience is None else dict(audience),
        bursts=None if bursts is None else [dict(burst) for burst in bursts],
        frequency_cap=frequency_cap,
        frequency_window_s=frequency_window_s,
        campaign_id=campaign_id,
    )
    call = Call("POST", "/v1/promotions", model(PromotionPublic), body=body)
    return keyed(call, idempotency_key)


def list_promotions(
    *, creator_id: int | None = None, state: str | None = None
) -> Call[PromotionList]:
    query = without_none(creator_id=creator_id, state=state)
    return Call("GET", "/v1/promotions", model(PromotionList), query=query)


def get_promotion(promotion_id: str) -> Call[PromotionPublic]:
    return Call("GET", path("/v1/promotions/{}", promotion_id), model(PromotionPublic))


def submit_promotion(
    promotion_id: str, *, idempotency_key: str | None = None
) -> Call[PromotionPublic]:
    """Reserves the budget from the creator's wallet; ``in_review``."""
    where = path("/v1/promotions/{}/submit", promotion_id)
    return keyed(Call("POST", where, model(PromotionPublic)), idempotency_key)


def cancel_promotion(
    promotion_id: str, *, idempotency_key: str | None = None
) -> Call[PromotionPublic]:
    """At any time, review included: what is not billed goes back at once."""
    where = path("/v1/promotions/{}/cancel", promotion_id)
    return keyed(Call("POST", where, model(PromotionPublic)), idempotency_key)


def pause_promotion(
    promotion_id: str, *, idempotency_key: str | None = None
) -> Call[PromotionPublic]:
    """Stops delivery; the reservation stays."""
    where = path("/v1/promotions/{}/pause", promotion_id)
    return keyed(Call("POST", where, model(PromotionPublic)), idempotency_key)


def resume_promotion(
    promotion_id: str, *, idempotency_key: str | None = None
) -> Call[PromotionPublic]:
    """Delivers again, on its pacing curve."""
    where = path("/v1/promotions/{}/resume", promotion_id)
    return keyed(Call("POST", where, model(PromotionPublic)), idempotency_key)


def approve_promotion(
    promotion_id: str, *, idempotency_key: str | None = None
) -> Call[PromotionPublic]:
    """An administrator's review: it may deliver from its start."""
    where = path("/v1/promotions/{}/approve", promotion_id)
    return keyed(Call("POST", where, model(PromotionPublic)), idempotency_key)


def reject_promotion(
    promotion_id: str, *, reason: str, idempotency_key: str | None = None
) -> Call[PromotionPublic]:
    """An administrator's review: the whole budget goes back."""
    where = path("/v1/promotions/{}/reject", promotion_id)
    return keyed(
        Call("POST", where, model(PromotionPublic), body={"reason": reason}), idempotency_key
    )


def promotion_report(promotion_id: str) -> Call[ReportPublic]:
    return Call("GET", path("/v1/promotions/{}/report", promotion_id), model(ReportPublic))


def create_campaign(
    *, creator_id: int, name: str, idempotency_key: str | None = None
) -> Call[CampaignPublic]:
    body = {"creator_id": creator_id, "name": name}
    call = Call("POST", "/v1/campaigns", model(CampaignPublic), body=body)
    return keyed(call, idempotency_key)


def list_campaigns(*, creator_id: int | None = None) -> Call[CampaignList]:
    query = without_none(creator_id=creator_id)
    return Call("GET", "/v1/campaigns", model(CampaignList), query=query)


def get_campaign(campaign_id: str) -> Call[CampaignPublic]:
    return Call("GET", path("/v1/campaigns/{}", campaign_id), model(CampaignPublic))


def campaign_report(campaign_id: str) -> Call[ReportPublic]:
    return Call("GET", path("/v1/campaigns/{}/report", campaign_id), model(ReportPublic))


def fill(
    *,
    viewer_id: int,
    region: str | None = None,
    age_band: str | None = None,
    interests: Sequence[str] | None = None,
    slots: int | None = None,
    bot: bool | None = None,
) -> Call[FillPublic]:
    """``POST /v1/promote/fill``: which promotions fill a real feed request's slots."""
    body = without_none(
        viewer_id=viewer_id,
        region=region,
        age_band=age_band,
        interests=None if interests is None else list(interests),
        slots=slots,
        bot=bot,
    )
    return Call("POST", "/v1/promote/fill", model(FillPublic), body=body)


def promote_events(
    events: Sequence[Mapping[str, Any]], *, idempotency_key: str | None = None
) -> Call[EventsPublic]:
    """``POST /v1/promote/events``: what real viewers did with served impressions."""
    body = {"events": [dict(event) for event in events]}
    call = Call("POST", "/v1/promote/events", model(EventsPublic), body=body)
    return keyed(call, idempotency_key)


def promote_planning(creator_id: int) -> Call[PlanningPublic]:
    where = path("/v1/creators/{}/promote-planning", creator_id)
    return Call("GET", where, model(PlanningPublic))


def session_highlights(session_id: int) -> Call[HighlightList]:
    where = path("/v1/sessions/{}/highlights", session_id)
    return Call("GET", where, model(HighlightList))
