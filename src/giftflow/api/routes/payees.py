"""Payee destinations: where a creator's payouts are paid. Stored in full for the
payout partner, answered masked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from giftflow.http import auth
from giftflow.http.deps import EconomyDep, PrincipalDep
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import USER_ID_MAX, Role
from giftflow.http.schemas.payouts import PayeePublic, PayeePut
from giftflow.ids import UserId

router = APIRouter(prefix="/v1/creators", tags=["payouts"], responses=RESPONSES)
CreatorIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX)]


@router.put("/{creator_id}/payee-destination", response_model=PayeePublic)
def put_payee_destination(
    creator_id: CreatorIdPath, body: PayeePut, principal: PrincipalDep, economy: EconomyDep
) -> PayeePublic:
    """Set or replace where the creator is paid: the creator's own token, an
    administrator, or a key with ``payouts:write``. Payouts requested from now on go
    there; those requested before keep the destination they were requested with."""
    auth.require_self_or_scope(principal, creator_id, "payouts:write", Role.CREATOR)
    payee = economy.set_payee(
        creator_id, kind=body.kind, destination=body.destination, holder_name=body.holder_name
    )
    return PayeePublic.of(payee)


@router.get("/{creator_id}/payee-destination", response_model=PayeePublic)
def get_payee_destination(
    creator_id: CreatorIdPath, principal: PrincipalDep, economy: EconomyDep
) -> PayeePublic:
    """The creator's destination, masked (who may: as above)."""
    auth.require_self_or_scope(principal, creator_id, "payouts:write", Role.CREATOR)
    return PayeePublic.of(economy.payee(creator_id))
