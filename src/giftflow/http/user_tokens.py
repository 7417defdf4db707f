"""User tokens (browsers, apps, dashboards): JWTs signed with HS256 and
``GIFTFLOW_TOKEN_SECRET`` through ``giftflow.http.jwts`` (the one decoder), issued by a
key with ``tokens:write`` for one user and one role, valid ``GIFTFLOW_TOKEN_TTL_S``.

A token names its id (``jti``) and the key that issued it (``key``); each use reads its
standing (``giftflow.store.credentials``), and ``refusal`` says why a well-signed,
unexpired token no longer serves. ``giftflow.http.auth.Authenticator`` issues and
checks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from giftflow.http import jwts
from giftflow.http.errors import TokenInvalidError
from giftflow.http.keys import revoked
from giftflow.http.schemas import USER_ID_MAX, Role
from giftflow.ids import UserId
from giftflow.store.credentials import Standing

CLAIMS: Final = ("exp", "iat", "sub", "role", "jti", "key")
"""What a user token must carry (beside ``iss``)."""
TOKEN_TTL_MAX_S: Final = 86_400
"""The longest a user token may live (``GIFTFLOW_TOKEN_TTL_S`` and dashboard sessions
are bounded by it)."""
TOKEN_ID: Final = re.compile(r"[0-9a-f]{32}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just signed, with what it says."""

    token: str
    token_id: str
    user_id: UserId
    role: Role
    expires_at_ns: int


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """A user token's claims, checked for shape."""

    user_id: UserId
    role: Role
    key_id: str
    token_id: str
    issued_at_s: int
    expires_at_s: int

    @classmethod
    def of(cls, raw: dict[str, object]) -> TokenClaims:
        """The claims of a decoded token; ``TokenInvalidError`` when one is malformed."""
        issued, expires = jwts.integer(raw["iat"]), jwts.integer(raw["exp"])
        token_id, key_id = raw["jti"], raw["key"]
        if issued is None or expires is None:
            raise TokenInvalidError("the token's times are not times")
        if not isinstance(token_id, str) or TOKEN_ID.fullmatch(token_id) is None:
            raise TokenInvalidError("the token has no token id")
        if not isinstance(key_id, str) or _KEY_ID.fullmatch(key_id) is None:
            raise TokenInvalidError("the token names no issuing key")
        return cls(_user_id(raw["sub"]), _role(raw["role"]), key_id, token_id, issued, expires)


def refusal(standing: Standing, claims: TokenClaims, *, now_ns: int) -> str | None:
    """Why a well-signed, unexpired token no longer serves; None when it does."""
    if not standing.user_exists:
        return "the token's user no longer exists"
    if standing.key_revoked_at_ns is None or revoked(standing.key_revoked_at_ns, now_ns):
        return "the API key that issued this token was revoked"
    if standing.token_revoked:
        return "the token was revoked"
    if claims.issued_at_s < standing.not_before_s:
        return "the user's tokens issued before now were revoked"
    if claims.role == Role.CREATOR and not standing.is_creator:
        return "the user is no longer a creator"
    if claims.role == Role.ADMIN and not standing.is_staff:
        return "the user is no longer staff"
    return None


def _user_id(subject: object) -> UserId:
    if isinstance(subject, str) and subject.isdigit() and 0 < int(subject) <= USER_ID_MAX:
        return UserId(int(subject))
    raise TokenInvalidError("the token names no user")


def _role(value: object) -> Role:
    if isinstance(value, str) and value in Role.__members__.values():
        return Role(value)
    raise TokenInvalidError("the token names no role")
