"""Balances: a user's wallet, a creator's earnings and statement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from giftflow.http import auth
from giftflow.http.deps import EconomyDep, PrincipalDep
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import (
    USER_ID_MAX,
    EarningsPublic,
    Role,
    StatementLinePublic,
    StatementPublic,
    WalletPublic,
)
from giftflow.ids import UserId

router = APIRouter(prefix="/v1", tags=["balances"], responses=RESPONSES)
UserIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX)]


@router.get("/wallets/{user_id}", response_model=WalletPublic)
def get_wallet(user_id: UserIdPath, principal: PrincipalDep, economy: EconomyDep) -> WalletPublic:
    """The user themself, an administrator, or a key with ``wallets:read``."""
    auth.require_self_or_scope(principal, user_id, "wallets:read")
    return WalletPublic.of(economy.wallet(user_id))


@router.get("/earnings/{user_id}", response_model=EarningsPublic)
def get_earnings(
    user_id: UserIdPath, principal: PrincipalDep, economy: EconomyDep
) -> EarningsPublic:
    """The creator themself (a creator token), an administrator, or ``earnings:read``.
    Diamonds past their holding period are matured first."""
    auth.require_self_or_scope(principal, user_id, "earnings:read", Role.CREATOR)
    return EarningsPublic.of(economy.earnings(user_id))


@router.get("/earnings/{user_id}/statement", response_model=StatementPublic)
def get_statement(
    user_id: UserIdPath,
    principal: PrincipalDep,
    economy: EconomyDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> StatementPublic:
    """Every movement of the creator's diamonds, newest first (who may: as earnings)."""
    auth.require_self_or_scope(principal, user_id, "earnings:read", Role.CREATOR)
    lines = economy.statement(user_id, limit=limit)
    return StatementPublic(user_id=user_id, lines=[StatementLinePublic.of(li) for li in lines])
