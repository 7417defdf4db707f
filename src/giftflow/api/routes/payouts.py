"""Payouts: creators withdraw available diamonds; administrators review them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from giftflow.economy.payouts import PayoutState
from giftflow.http import auth
from giftflow.http.deps import EconomyDep, IdempotentDep, PrincipalDep
from giftflow.http.errors import ForbiddenError, ScopeMissingError
from giftflow.http.idempotency import Idempotent
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import (
    TOKEN,
    USER_ID_MAX,
    PayoutCreate,
    PayoutList,
    PayoutPublic,
    PayoutReject,
    Role,
)
from giftflow.ids import UserId
from giftflow.service.economy import Payout
from giftflow.service.once import Once

router = APIRouter(prefix="/v1/payouts", tags=["payouts"], responses=RESPONSES)
PayoutIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=TOKEN)]


@router.post("", status_code=201, response_model=PayoutPublic)
def request_payout(
    body: PayoutCreate, principal: PrincipalDep, economy: EconomyDep, once: IdempotentDep
) -> Response:
    """Reserve ``diamonds`` of the creator's available earnings for a payout: the
    creator's own token, or a key with ``payouts:write``. It waits for review in
    ``held`` (or in ``requested`` while a fraud decision about the creator is open)."""
    auth.require_self_or_scope(
        principal, body.creator_id, "payouts:write", Role.CREATOR, admin=False
    )
    return once.run(
        body.model_dump(mode="json"),
        201,
        PayoutPublic.of,
        lambda key: economy.request_payout(
            creator_id=UserId(body.creator_id),
            diamonds=body.diamonds,
            partner=body.partner,
            once=key,
        ),
    )


@router.get("", response_model=PayoutList)
def list_payouts(
    principal: PrincipalDep,
    economy: EconomyDep,
    creator_id: Annotated[UserId | None, Query(ge=1, le=USER_ID_MAX)] = None,
    state: PayoutState | None = None,
) -> PayoutList:
    """Administrators and ``payouts:write`` keys: all, filtered by creator and state. A
    creator token: its own payouts only."""
    creator_id = _visible_creator(principal, creator_id)
    found = economy.payouts(creator_id=creator_id, state=state.value if state else None)
    return PayoutList(payouts=[PayoutPublic.of(payout) for payout in found])


def _visible_creator(principal: Principal, creator_id: UserId | None) -> UserId | None:
    """The creator whose payouts this caller may list: any (or all) for administrators
    and payout keys, only their own for a creator."""
    if principal.is_admin or principal.has_scope("payouts:write"):
        return creator_id
    if principal.is_key:
        raise ScopeMissingError("this API key lacks the payouts:write scope")
    if principal.role != Role.CREATOR:
        raise ForbiddenError("payouts are for creators and administrators")
    if creator_id not in (None, principal.user_id):
        raise ForbiddenError("a creator sees only their own payouts")
    return principal.user_id


@router.get("/{payout_id}", response_model=PayoutPublic)
def get_payout(
    payout_id: PayoutIdPath, principal: PrincipalDep, economy: EconomyDep
) -> PayoutPublic:
    """The creator themself, an administrator, or a key with ``payouts:write``."""
    payout = economy.payout(payout_id)
    auth.require_self_or_scope(principal, payout.creator_id, "payouts:write", Role.CREATOR)
    return PayoutPublic.of(payout)


def _review(
    principal: Principal, once: Idempotent, body: object, move: Callable[[Once], Payout]
) -> Response:
    auth.require_admin(principal)
    return once.run(body, 200, PayoutPublic.of, move)


@router.post("/{payout_id}/hold", response_model=PayoutPublic)
def hold_payout(
    payout_id: PayoutIdPath, principal: PrincipalDep, economy: EconomyDep, once: IdempotentDep
) -> Response:
    """Administrators: clear a payout kept in ``requested`` on to ``held``."""
    return _review(principal, once, None, lambda key: economy.hold_payout(payout_id, once=key))


@router.post("/{payout_id}/approve", response_model=PayoutPublic)
def approve_payout(
    payout_id: PayoutIdPath, principal: PrincipalDep, economy: EconomyDep, once: IdempotentDep
) -> Response:
    """Administrators: approve a ``held`` payout for the partner's next batch."""
    return _review(principal, once, None, lambda key: economy.approve_payout(payout_id, once=key))


@router.post("/{payout_id}/reject", response_model=PayoutPublic)
def reject_payout(
    payout_id: PayoutIdPath,
    body: PayoutReject,
    principal: PrincipalDep,
    economy: EconomyDep,
    once: IdempotentDep,
) -> Response:
    """Administrators: reject a payout not yet approved; its diamonds return."""
    return _review(
        principal,
        once,
        body.model_dump(mode="json"),
        lambda key: economy.reject_payout(payout_id, body.reason, once=key),
    )
