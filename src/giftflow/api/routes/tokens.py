"""Short-lived user tokens, issued to the platform for its users."""

from __future__ import annotations

from fastapi import APIRouter

from giftflow.api import auth
from giftflow.api.deps import EconomyDep, PrincipalDep, StateDep
from giftflow.api.errors import RoleNotAllowedError, ScopeMissingError
from giftflow.api.problems import RESPONSES
from giftflow.api.schemas import Role, TokenCreate, TokenPublic, at

router = APIRouter(prefix="/v1/tokens", tags=["auth"], responses=RESPONSES)


@router.post("", status_code=201, response_model=TokenPublic)
def issue_token(
    body: TokenCreate, principal: PrincipalDep, economy: EconomyDep, state: StateDep
) -> TokenPublic:
    """A token for one user in one role (``tokens:write``). ``creator`` only for a user
    who is a creator; ``admin`` only for a key that also holds ``admin``."""
    auth.require_scope(principal, "tokens:write")
    if body.role == Role.ADMIN and auth.ADMIN not in principal.scopes:
        raise ScopeMissingError("only a key with the admin scope issues admin tokens")
    user = economy.user(body.user_id)
    if body.role == Role.CREATOR and not user.is_creator:
        raise RoleNotAllowedError(f"user {user.id} is not a creator")
    issued = state.authenticator.issue(user.id, body.role)
    return TokenPublic(
        token=issued.token,
        user_id=issued.user_id,
        role=issued.role,
        expires_at=at(issued.expires_at_ns),
    )
