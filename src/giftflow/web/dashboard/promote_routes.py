"""Promote's dashboard routes (docs/dashboard.md, *Promotions*): a creator's promotions
and each one's report, for the creator or an administrator; the review queue and its
forms, for administrators. The pages read the HTTP API's own documents, so a page and
the API never disagree."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from giftflow.economy.errors import NotFoundError
from giftflow.http import auth
from giftflow.http.deps import ApiState, StateDep
from giftflow.http.schemas.balances import WalletPublic
from giftflow.http.schemas.promote import PromotionPublic, ReportPublic
from giftflow.ids import UserId
from giftflow.promote.promotions import PromotionState
from giftflow.service.promote import Promotion
from giftflow.web.dashboard.promote_page import (
    REVIEW_PAGE,
    promotion_body,
    promotions_body,
    review_body,
)
from giftflow.web.dashboard.responses import PageRoute, html, see_other
from giftflow.web.dashboard.routes import (
    CreatorIdPath,
    RejectionForm,
    admin_form,
    creator_of,
    may_see_creator,
    rejection,
    top,
)
from giftflow.web.dashboard.session import SignedInDep, require_same_origin

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PromotionIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/dashboard/creators/{creator_id}/promotions")
def promotions_page(creator_id: CreatorIdPath, principal: SignedInDep, state: StateDep) -> Response:
    may_see_creator(principal, creator_id)
    creator = creator_of(state.economy, creator_id)
    found = state.promote.listing(creator_id=creator_id)
    documents = [PromotionPublic.of(p).model_dump(mode="json") for p in found]
    shown = {"id": creator.id, "display_name": creator.display_name}
    title = f"{creator.display_name} · promotions"
    wallet = WalletPublic.of(state.economy.wallet(creator_id)).model_dump(mode="json")
    return html(title, top(principal) + promotions_body(shown, documents, wallet))


@router.get("/dashboard/creators/{creator_id}/promotions/{promotion_id}")
def promotion_page(
    creator_id: CreatorIdPath,
    promotion_id: PromotionIdPath,
    principal: SignedInDep,
    state: StateDep,
) -> Response:
    """One promotion's report; another creator's is not found under this creator's URL."""
    may_see_creator(principal, creator_id)
    promotion = _of_creator(state, creator_id, promotion_id)
    document = PromotionPublic.of(promotion).model_dump(mode="json")
    report = ReportPublic.of(state.promote.report(promotion_id)).model_dump(mode="json")
    title = f"{promotion.plan.content_id} · promotion"
    return html(title, top(principal) + promotion_body(document, report))


@router.post("/dashboard/creators/{creator_id}/promotions/{promotion_id}/cancel")
def cancel_promotion(
    creator_id: CreatorIdPath,
    promotion_id: PromotionIdPath,
    request: Request,
    principal: SignedInDep,
    state: StateDep,
) -> Response:
    """The creator (or an administrator) cancels from the promotion's page: what was
    billed is spent, the rest released at once (a closed promotion is a 409)."""
    may_see_creator(principal, creator_id)
    require_same_origin(request)
    _of_creator(state, creator_id, promotion_id)
    state.promote.cancel(promotion_id)
    return see_other(f"/dashboard/creators/{creator_id}/promotions/{promotion_id}")


def _of_creator(state: ApiState, creator_id: UserId, promotion_id: str) -> Promotion:
    """The promotion, when it is this creator's: another creator's is not found here."""
    promotion = state.promote.get(promotion_id)
    if promotion.creator_id != creator_id:
        raise NotFoundError(
            f"no promotion {promotion_id} of this creator", code="promotion_not_found"
        )
    return promotion


@router.get(REVIEW_PAGE)
def review_page(principal: SignedInDep, state: StateDep) -> Response:
    """Promotions in review, the oldest first."""
    auth.require_admin(principal)
    found = state.promote.listing(state=PromotionState.IN_REVIEW)
    waiting = sorted(found, key=lambda p: (p.submitted_at, p.id))
    documents = [PromotionPublic.of(p).model_dump(mode="json") for p in waiting]
    return html("giftflow · promotions to review", top(principal) + review_body(documents))


@router.post(REVIEW_PAGE + "/{promotion_id}/approve")
def approve_promotion(
    promotion_id: PromotionIdPath, request: Request, principal: SignedInDep, state: StateDep
) -> Response:
    """Delivery starts at its start time (a second approval is a 409)."""
    admin_form(request, principal)
    state.promote.approve(promotion_id)
    return see_other(REVIEW_PAGE)


@router.post(REVIEW_PAGE + "/{promotion_id}/reject")
def reject_promotion(
    promotion_id: PromotionIdPath,
    reason: RejectionForm,
    request: Request,
    principal: SignedInDep,
    state: StateDep,
) -> Response:
    """The whole budget is released to the creator at once."""
    admin_form(request, principal)
    state.promote.reject(promotion_id, rejection(reason))
    return see_other(REVIEW_PAGE)
