"""Users: registration by the platform, look-ups, creator and identity status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from giftflow.economy.errors import UserNotFoundError
from giftflow.http import auth
from giftflow.http.deps import EconomyDep, PrincipalDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import USER_ID_MAX, UserCreate, UserPublic, UserUpdate
from giftflow.ids import UserId

router = APIRouter(prefix="/v1/users", tags=["users"], responses=RESPONSES)
UserIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX)]
WRITE = "users:write"
VERIFY = "users:verify"
"""Identity verification gates payouts: a scope of its own, not part of ``users:write``,
so the key that registers users (a sign-up gateway) cannot vouch for them."""


def _may_set(principal: Principal, *, creator: bool, verified: bool) -> None:
    """``is_creator`` needs ``users:write``, ``identity_verified`` ``users:verify``;
    an administrator may set both. A change of nothing still needs ``users:write``: it
    answers the user."""
    if principal.is_admin:
        return
    if verified:
        auth.require_scope(principal, VERIFY)
    if creator or not verified:
        auth.require_scope(principal, WRITE)


@router.post("", status_code=201, response_model=UserPublic, responses={200: {"model": UserPublic}})
def register_user(body: UserCreate, principal: PrincipalDep, economy: EconomyDep) -> JSONResponse:
    """Register a user and open their wallet and earnings (``users:write``; registering
    them ``identity_verified`` also needs ``users:verify``). Idempotent by
    ``external_id``: the same details again answer 200 with the user registered first;
    other details, 409 ``user_exists``."""
    auth.require_scope(principal, WRITE)
    if body.identity_verified:
        auth.require_scope(principal, VERIFY)
    try:
        economy.user_by_external_id(body.external_id)
        status = 200
    except UserNotFoundError:
        status = 201
    user = economy.register_user(**body.model_dump())
    return JSONResponse(UserPublic.of(user).model_dump(mode="json"), status_code=status)


@router.get("/{user_id}", response_model=UserPublic)
def get_user(user_id: UserIdPath, principal: PrincipalDep, economy: EconomyDep) -> UserPublic:
    """The user themself, an administrator, or a key with ``users:read``."""
    auth.require_self_or_scope(principal, user_id, "users:read")
    return UserPublic.of(economy.user(user_id))


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(
    user_id: UserIdPath, body: UserUpdate, principal: PrincipalDep, economy: EconomyDep
) -> UserPublic:
    """Change creator status (``users:write``) or identity status (``users:verify``), or
    both; an administrator may change either."""
    _may_set(
        principal,
        creator=body.is_creator is not None,
        verified=body.identity_verified is not None,
    )
    user = economy.update_user(
        user_id, is_creator=body.is_creator, identity_verified=body.identity_verified
    )
    return UserPublic.of(user)
