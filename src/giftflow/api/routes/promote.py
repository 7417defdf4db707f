"""Promote: creators' promotions and campaigns, administrators' review, the platform's
feed fills and impression events, reports, planning and highlights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from giftflow.http import auth
from giftflow.http.deps import IdempotentDep, PrincipalDep, StateDep
from giftflow.http.errors import ForbiddenError, ScopeMissingError
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import USER_ID_MAX, Role
from giftflow.http.schemas.promote import (
    CampaignCreate,
    CampaignList,
    CampaignPublic,
    EventsCreate,
    EventsPublic,
    FillCreate,
    FillPublic,
    HighlightList,
    HighlightPublic,
    PlacementPublic,
    PlanningPublic,
    PromotionCreate,
    PromotionList,
    PromotionPublic,
    PromotionReject,
    ReportPublic,
)
from giftflow.ids import UserId
from giftflow.promote.promotions import PromotionState
from giftflow.service.once import Once
from giftflow.service.promote import Promote, Promotion

router = APIRouter(prefix="/v1", tags=["promote"], responses=RESPONSES)
PromotionIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
CampaignIdPath = PromotionIdPath
CreatorIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX)]
SessionIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
MANAGE = "promotions:write"
FEED = "promote:write"


async def get_promote(state: StateDep) -> Promote:
    return state.promote


PromoteDep = Annotated[Promote, Depends(get_promote)]


def _may_manage(principal: Principal, creator_id: UserId) -> None:
    """The creator themself, a key with ``promotions:write``, or an administrator."""
    auth.require_self_or_scope(principal, creator_id, MANAGE, Role.CREATOR)


def _visible_creator(principal: Principal, creator_id: UserId | None) -> UserId | None:
    if principal.is_admin or principal.has_scope(MANAGE):
        return creator_id
    if principal.is_key:
        raise ScopeMissingError(f"this API key lacks the {MANAGE} scope")
    if principal.role != Role.CREATOR:
        raise ForbiddenError("promotions are for creators and administrators")
    if creator_id not in (None, principal.user_id):
        raise ForbiddenError("a creator sees only their own promotions")
    return principal.user_id


# --- promotions ---------------------------------------------------------------------


@router.post("/promotions", status_code=201, response_model=PromotionPublic)
def create_promotion(
    body: PromotionCreate, principal: PrincipalDep, promote: PromoteDep, once: IdempotentDep
) -> Response:
    """A draft: nothing is reserved until it is submitted."""
    creator_id = UserId(body.creator_id)
    _may_manage(principal, creator_id)
    return once.run(
        body.model_dump(mode="json"),
        201,
        PromotionPublic.of,
        lambda key: promote.create(
            creator_id=creator_id, plan=body.plan(), campaign_id=body.campaign_id, once=key
        ),
    )


@router.get("/promotions", response_model=PromotionList)
def list_promotions(
    principal: PrincipalDep,
    promote: PromoteDep,
    creator_id: Annotated[UserId | None, Query(ge=1, le=USER_ID_MAX)] = None,
    state: PromotionState | None = None,
) -> PromotionList:
    """Administrators and ``promotions:write`` keys: all (``state=in_review`` is the review
    queue); a creator: their own."""
    creator_id = _visible_creator(principal, creator_id)
    found = promote.listing(creator_id=creator_id, state=state)
    return PromotionList(promotions=[PromotionPublic.of(p) for p in found])


@router.get("/promotions/{promotion_id}", response_model=PromotionPublic)
def get_promotion(
    promotion_id: PromotionIdPath, principal: PrincipalDep, promote: PromoteDep
) -> PromotionPublic:
    promotion = promote.get(promotion_id)
    _may_manage(principal, promotion.creator_id)
    return PromotionPublic.of(promotion)


class Move(Protocol):
    """One of ``Promote``'s transitions (``Promote.submit``, ``Promote.pause``, ...)."""

    def __call__(
        self, promote: Promote, promotion_id: str, /, *, once: Once | None = None
    ) -> Promotion: ...


Guard = Callable[[Principal, Promote, str], None]


def _creator_or_manager(principal: Principal, promote: Promote, promotion_id: str) -> None:
    _may_manage(principal, promote.get(promotion_id).creator_id)


def _administrator(principal: Principal, promote: Promote, promotion_id: str) -> None:
    auth.require_admin(principal)


def _transition(action: str, move: Move, guard: Guard, doc: str | None = None) -> None:
    """``POST /v1/promotions/{id}/{action}``: the guard, then the move under the
    request's idempotency key, answered with the promotion (200). The route's name
    (``{action}_promotion``) gives its OpenAPI operation id and summary."""

    def transition(
        promotion_id: PromotionIdPath,
        principal: PrincipalDep,
        promote: PromoteDep,
        once: IdempotentDep,
    ) -> Response:
        guard(principal, promote, promotion_id)
        return once.run(
            None, 200, PromotionPublic.of, lambda key: move(promote, promotion_id, once=key)
        )

    transition.__name__ = transition.__qualname__ = f"{action}_promotion"
    transition.__doc__ = doc
    path = f"/promotions/{{promotion_id}}/{action}"
    router.add_api_route(path, transition, methods=["POST"], response_model=PromotionPublic)


SUBMIT = "Reserve the whole budget from the creator's wallet; the promotion waits for review."
CANCEL = "At any time, review included: what was billed is posted, the rest released at once."
APPROVE = "Administrators: delivery starts (at its start time)."
_transition("submit", Promote.submit, _creator_or_manager, SUBMIT)
_transition("cancel", Promote.cancel, _creator_or_manager, CANCEL)
_transition("pause", Promote.pause, _creator_or_manager)
_transition("resume", Promote.resume, _creator_or_manager)
_transition("approve", Promote.approve, _administrator, APPROVE)


@router.post("/promotions/{promotion_id}/reject", response_model=PromotionPublic)
def reject_promotion(
    promotion_id: PromotionIdPath,
    body: PromotionReject,
    principal: PrincipalDep,
    promote: PromoteDep,
    once: IdempotentDep,
) -> Response:
    """Administrators: the whole budget is released."""
    auth.require_admin(principal)
    return once.run(
        body.model_dump(mode="json"),
        200,
        PromotionPublic.of,
        lambda key: promote.reject(promotion_id, body.reason, once=key),
    )


@router.get("/promotions/{promotion_id}/report", response_model=ReportPublic)
def promotion_report(
    promotion_id: PromotionIdPath, principal: PrincipalDep, promote: PromoteDep
) -> ReportPublic:
    _may_manage(principal, promote.get(promotion_id).creator_id)
    return ReportPublic.of(promote.report(promotion_id))


# --- campaigns ----------------------------------------------------------------------


@router.post("/campaigns", status_code=201, response_model=CampaignPublic)
def create_campaign(
    body: CampaignCreate, principal: PrincipalDep, promote: PromoteDep, once: IdempotentDep
) -> Response:
    creator_id = UserId(body.creator_id)
    _may_manage(principal, creator_id)
    return once.run(
        body.model_dump(mode="json"),
        201,
        CampaignPublic.of,
        lambda key: promote.create_campaign(creator_id=creator_id, name=body.name, once=key),
    )


@router.get("/campaigns", response_model=CampaignList)
def list_campaigns(
    principal: PrincipalDep,
    promote: PromoteDep,
    creator_id: Annotated[UserId | None, Query(ge=1, le=USER_ID_MAX)] = None,
) -> CampaignList:
    creator_id = _visible_creator(principal, creator_id)
    return CampaignList(
        campaigns=[CampaignPublic.of(c) for c in promote.campaigns(creator_id=creator_id)]
    )


@router.get("/campaigns/{campaign_id}", response_model=CampaignPublic)
def get_campaign(
    campaign_id: CampaignIdPath, principal: PrincipalDep, promote: PromoteDep
) -> CampaignPublic:
    campaign = promote.campaign(campaign_id)
    _may_manage(principal, campaign.creator_id)
    return CampaignPublic.of(campaign)


@router.get("/campaigns/{campaign_id}/report", response_model=ReportPublic)
def campaign_report(
    campaign_id: CampaignIdPath, principal: PrincipalDep, promote: PromoteDep
) -> ReportPublic:
    _may_manage(principal, promote.campaign(campaign_id).creator_id)
    return ReportPublic.of(promote.campaign_report(campaign_id))


# --- the platform's feed ------------------------------------------------------------


@router.post("/promote/fill", response_model=FillPublic)
def fill(body: FillCreate, principal: PrincipalDep, promote: PromoteDep) -> FillPublic:
    """Platform keys with ``promote:write``, once per real feed request: which
    promotions fill which slots, each with its impression id. Nothing is billed here."""
    auth.require_scope(principal, FEED)
    return FillPublic(placements=[PlacementPublic.of(s) for s in promote.fill(body.request())])


@router.post("/promote/events", response_model=EventsPublic)
def record_events(
    body: EventsCreate, principal: PrincipalDep, promote: PromoteDep, once: IdempotentDep
) -> Response:
    """Platform keys with ``promote:write``: what became of impressions. Viewable, valid
    impressions are billed; invalid traffic is refused with its reason."""
    auth.require_scope(principal, FEED)
    events = [event.event() for event in body.events]
    return once.run(
        body.model_dump(mode="json"),
        200,
        EventsPublic.of,
        lambda key: promote.record_events(events, once=key),
    )


# --- planning and highlights --------------------------------------------------------


@router.get("/creators/{creator_id}/promote-planning", response_model=PlanningPublic)
def planning(
    creator_id: CreatorIdPath, principal: PrincipalDep, promote: PromoteDep
) -> PlanningPublic:
    """Retention per chapter, best windows and regions, from the creator's LIVEs."""
    _may_manage(principal, creator_id)
    return PlanningPublic.of(promote.planning(creator_id))


@router.get("/sessions/{session_id}/highlights", response_model=HighlightList)
def highlights(
    session_id: SessionIdPath, principal: PrincipalDep, promote: PromoteDep, state: StateDep
) -> HighlightList:
    """The top moments of an ended LIVE, as candidates to clip and promote."""
    _may_manage(principal, state.live.session(session_id).creator_id)
    found = promote.highlights(session_id)
    return HighlightList(session_id=session_id, highlights=[HighlightPublic.of(h) for h in found])
