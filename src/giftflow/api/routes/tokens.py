"""User tokens, issued to the platform for its users; revoking them; dashboard sign-in
links (decision 0026)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Path

from giftflow.economy.users import User
from giftflow.http import auth
from giftflow.http.deps import EconomyDep, PrincipalDep, StateDep
from giftflow.http.errors import ForbiddenError, RoleNotAllowedError, ScopeMissingError
from giftflow.http.principals import ADMIN, Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import USER_ID_MAX, Role, TokenCreate, TokenPublic, at
from giftflow.http.schemas.users import (
    SignInLinkCreate,
    SignInLinkPublic,
    TokenRevoke,
    TokenRevokedPublic,
    UserTokensRevokedPublic,
)
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.service.economy import Economy
from giftflow.store import credentials
from giftflow.store.credentials import SignInGrant

router = APIRouter(tags=["auth"], responses=RESPONSES)
UserIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX)]
SIGN_IN_PATH = "/dashboard/sign-in"


def _may_hold(principal: Principal, economy: Economy, user_id: UserId, role: Role) -> User:
    """The user, when ``principal`` (a ``tokens:write`` key) may give them ``role``:
    ``creator`` only to a creator, ``admin`` only to a staff user and only by a key that
    also holds ``admin``."""
    auth.require_scope(principal, "tokens:write")
    if role == Role.ADMIN and ADMIN not in principal.scopes:
        raise ScopeMissingError("only a key with the admin scope issues admin tokens")
    user = economy.user(user_id)
    if role == Role.CREATOR and not user.is_creator:
        raise RoleNotAllowedError(f"user {user.id} is not a creator")
    if role == Role.ADMIN and not economy.ledger.read(credentials.is_staff(user.id)):
        raise RoleNotAllowedError(
            f"user {user.id} is not staff (giftflow users staff {user.id} makes them)"
        )
    return user


@router.post("/v1/tokens", status_code=201, response_model=TokenPublic)
def issue_token(
    body: TokenCreate, principal: PrincipalDep, economy: EconomyDep, state: StateDep
) -> TokenPublic:
    """A token for one user in one role (``tokens:write``). ``creator`` only for a user
    who is a creator; ``admin`` only for a staff user, by a key that also holds
    ``admin``. Revoking the key revokes the token."""
    user = _may_hold(principal, economy, UserId(body.user_id), body.role)
    assert principal.key_id is not None  # require_scope: a key
    issued = state.authenticator.issue(user.id, body.role, key_id=principal.key_id)
    return TokenPublic(
        token=issued.token,
        token_id=issued.token_id,
        user_id=issued.user_id,
        role=issued.role,
        expires_at=at(issued.expires_at_ns),
    )


@router.post("/v1/tokens/revoke", response_model=TokenRevokedPublic)
def revoke_token(body: TokenRevoke, principal: PrincipalDep, state: StateDep) -> TokenRevokedPublic:
    """Revoke one user token, refused from then on by every server process. Without
    ``token_id``, the token this request is sent with (an app signing out). A key with
    ``tokens:write`` or an administrator may name any token's id."""
    authenticator = state.authenticator
    if body.token_id is None or body.token_id == principal.token_id:
        if principal.token_id is None:
            raise ForbiddenError("name the token_id to revoke; an API key is no token")
        token_id, revoked = principal.token_id, authenticator.revoke(principal)
    else:
        if not (principal.has_scope("tokens:write") or principal.is_admin):
            raise ForbiddenError("a user's token revokes only itself")
        token_id, revoked = body.token_id, authenticator.revoke_id(body.token_id)
    return TokenRevokedPublic(token_id=token_id, revoked=revoked)


@router.post("/v1/users/{user_id}/tokens/revoke", response_model=UserTokensRevokedPublic)
def revoke_user_tokens(
    user_id: UserIdPath, principal: PrincipalDep, economy: EconomyDep, state: StateDep
) -> UserTokensRevokedPublic:
    """Revoke every token of the user issued until now ("sign out everywhere", a lost
    phone): the user themself, a key with ``tokens:write``, or an administrator."""
    auth.require_self_or_scope(principal, user_id, "tokens:write")
    economy.user(user_id)
    not_before_s = state.authenticator.cut_off(user_id)
    return UserTokensRevokedPublic(user_id=user_id, not_before=at(not_before_s * NS_PER_S))


@router.post("/v1/tokens/sign-in-links", status_code=201, response_model=SignInLinkPublic)
def create_sign_in_link(
    body: SignInLinkCreate, principal: PrincipalDep, economy: EconomyDep, state: StateDep
) -> SignInLinkPublic:
    """A one-time link that signs a creator (or a staff user, as admin) in to the
    dashboard, with the same rules as issuing their token (``tokens:write``). The link
    holds a code, not a token: it works once, for ``GIFTFLOW_SIGN_IN_LINK_TTL_S``, and
    only after the person confirms on the page it opens. The dashboard session then
    lasts ``GIFTFLOW_DASHBOARD_SESSION_TTL_S`` unless they sign out."""
    role = Role(body.role.value)
    user = _may_hold(principal, economy, UserId(body.user_id), role)
    assert principal.key_id is not None  # require_scope: a key
    code = secrets.token_urlsafe(32)
    now_ns = economy.context.clock.now_ns()
    expires_at_ns = now_ns + state.settings.sign_in_link_ttl_s * NS_PER_S
    grant = SignInGrant(user.id, role.value, principal.key_id)
    economy.ledger.write(
        credentials.add_sign_in_link(grant, code, now_ns=now_ns, expires_at_ns=expires_at_ns)
    )
    base = state.settings.public_url.rstrip("/")
    return SignInLinkPublic(
        url=f"{base}{SIGN_IN_PATH}/{code}",
        user_id=user.id,
        role=body.role,
        expires_at=at(expires_at_ns),
    )
