"""Who is asking, and what they may do.

Two kinds of credentials, both sent as ``Authorization: Bearer <credential>``:
platform API keys (``giftflow.http.keys``) and user tokens (``giftflow.http.user_tokens``).
The ``Authenticator`` turns either into a ``Principal`` (``giftflow.http.principals``),
and issues and revokes user tokens. Time is the economy's clock, so tests can let a
token expire without sleeping. Each use of a user token reads its standing
(``giftflow.store.credentials``): refused once revoked, once its key is revoked, once
issued before its user's cut-off, or once its user no longer holds its role (a creator
token needs a creator, an admin token a staff user).

The rules of who may reach what are the ``require_*`` functions at the end, called by
the routes before they touch anything.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Final

from giftflow.errors import ConfigurationError
from giftflow.http import jwts
from giftflow.http.errors import (
    ForbiddenError,
    ScopeMissingError,
    TokenExpiredError,
    TokenInvalidError,
    TokenRevokedError,
    UnauthenticatedError,
)
from giftflow.http.keys import key_parts, key_principal
from giftflow.http.principals import Principal
from giftflow.http.schemas import Role
from giftflow.http.user_tokens import (
    CLAIMS,
    TOKEN_ID,
    TOKEN_TTL_MAX_S,
    IssuedToken,
    TokenClaims,
    refusal,
)
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, Clock
from giftflow.service.ledger import Ledger
from giftflow.store import api_keys, credentials
from giftflow.store.api_keys import KeySecret
from giftflow.store.credentials import Standing
from giftflow.store.tx import Tx

NOT_A_USER_TOKEN: Final = "the token is not a user token giftflow signed"
TOKEN_SECRET_MIN_BYTES: Final = 32
"""HS256 wants a key at least as long as its hash (RFC 7518, section 3.2)."""


class Authenticator:
    """Checks credentials and issues user tokens, with the token secret and the clock."""

    def __init__(self, ledger: Ledger, clock: Clock, *, secret: bytes, ttl_s: int) -> None:
        if len(secret) < TOKEN_SECRET_MIN_BYTES:
            raise ConfigurationError(
                f"GIFTFLOW_TOKEN_SECRET must be at least {TOKEN_SECRET_MIN_BYTES} bytes"
            )
        self._ledger = ledger
        self._clock = clock
        self._secret = secret
        self.ttl_s = ttl_s

    def authenticate(self, credential: str | None) -> Principal:
        """The caller a key or a user token is; ``UnauthenticatedError`` (none, an
        unknown or revoked key), ``TokenInvalidError``, ``TokenExpiredError`` or
        ``TokenRevokedError`` otherwise."""
        if not credential:
            raise UnauthenticatedError("send Authorization: Bearer <API key or user token>")
        if credential.startswith("gf_"):
            key_id, secret = key_parts(credential)
            return self._key(key_id, secret, self._ledger.read(_secret_of(key_id)))
        claims = self._claims(credential)
        return self._in_standing(claims, self._ledger.read(_standing_of(claims)))

    async def authenticate_async(self, credential: str | None) -> Principal:
        """``authenticate`` from an event loop: the store read through
        ``Ledger.read_async`` (it waits off the loop where the database is a server)."""
        if not credential:
            return self.authenticate(credential)
        if credential.startswith("gf_"):
            key_id, secret = key_parts(credential)
            return self._key(key_id, secret, await self._ledger.read_async(_secret_of(key_id)))
        claims = self._claims(credential)
        return self._in_standing(claims, await self._ledger.read_async(_standing_of(claims)))

    def issue(
        self, user_id: UserId, role: Role, *, key_id: str, ttl_s: int | None = None
    ) -> IssuedToken:
        """A token for the user in the role, issued by the key ``key_id`` (revoking the
        key revokes it), valid ``ttl_s`` (by default the setting's)."""
        now_s = self._now_s()
        expires_s = now_s + (self.ttl_s if ttl_s is None else ttl_s)
        token_id = secrets.token_hex(16)
        claims: dict[str, object] = {
            "sub": str(user_id),
            "role": role.value,
            "key": key_id,
            "jti": token_id,
            "iat": now_s,
            "exp": expires_s,
        }
        token = jwts.sign(claims, self._secret)
        return IssuedToken(token, token_id, user_id, role, expires_s * NS_PER_S)

    def revoke(self, principal: Principal) -> bool:
        """Revoke the user token ``principal`` came from; False when it was already."""
        if principal.token_id is None:
            raise TokenInvalidError("only a user token can be revoked this way")
        return self.revoke_id(principal.token_id, expires_at_s=principal.expires_at_s)

    def revoke_id(self, token_id: str, *, expires_at_s: int | None = None) -> bool:
        """Revoke a user token by its id. Without its expiry, the record is kept as long
        as any token may live."""
        if TOKEN_ID.fullmatch(token_id) is None:
            raise TokenInvalidError("a token id is 32 hexadecimal digits")
        until_s = self._now_s() + TOKEN_TTL_MAX_S if expires_at_s is None else expires_at_s
        revoke = credentials.revoke_token(
            token_id, now_ns=self._clock.now_ns(), expires_at_ns=until_s * NS_PER_S
        )
        return self._ledger.write(revoke)

    def cut_off(self, user_id: UserId) -> int:
        """Revoke every token of the user issued so far ("sign out everywhere"): those
        issued up to this whole second included. The first second a new token of the
        user is good again (Unix seconds)."""
        not_before_s = self._now_s() + 1
        self._ledger.write(credentials.cut_off_user(user_id, not_before_s=not_before_s))
        return not_before_s

    def claims_of(self, credential: str) -> TokenClaims:
        """A token's claims once its signature is checked (expired or not)."""
        return self._claims(credential, check_expiry=False)

    def _claims(self, credential: str, *, check_expiry: bool = True) -> TokenClaims:
        raw = jwts.signed_claims(credential, self._secret, require=CLAIMS, refusal=NOT_A_USER_TOKEN)
        claims = TokenClaims.of(raw)
        if check_expiry and claims.expires_at_s <= self._now_s():
            raise TokenExpiredError("the token has expired; ask for a new one")
        return claims

    def _in_standing(self, claims: TokenClaims, standing: Standing) -> Principal:
        refused = refusal(standing, claims, now_ns=self._clock.now_ns())
        if refused is not None:
            raise TokenRevokedError(refused)
        return Principal(
            user_id=claims.user_id,
            role=claims.role,
            token_id=claims.token_id,
            expires_at_s=claims.expires_at_s,
            issuer_key_id=claims.key_id,
        )

    def _key(self, key_id: str, secret: str, stored: KeySecret | None) -> Principal:
        return key_principal(key_id, secret, stored, now_ns=self._clock.now_ns())

    def _now_s(self) -> int:
        return self._clock.now_ns() // NS_PER_S


def _standing_of(claims: TokenClaims) -> Callable[[Tx], Standing]:
    return credentials.standing(claims.user_id, claims.key_id, claims.token_id)


def _secret_of(key_id: str) -> Callable[[Tx], KeySecret | None]:
    return lambda tx: api_keys.secret_of(tx, key_id)


# --- authorisation -------------------------------------------------------------------


def require_scope(principal: Principal, scope: str) -> None:
    """Platform keys only, with ``scope`` (or ``admin``)."""
    if not principal.is_key:
        raise ForbiddenError("this operation is for platform API keys")
    if not principal.has_scope(scope):
        raise ScopeMissingError(f"this API key lacks the {scope} scope")


def require_admin(principal: Principal) -> None:
    """An administrator: a key with ``admin`` or an admin's user token."""
    if principal.is_admin:
        return
    if principal.is_key:
        raise ScopeMissingError("this API key lacks the admin scope")
    raise ForbiddenError("this operation is for administrators")


def require_self_or_scope(
    principal: Principal, user_id: int, scope: str, *roles: Role, admin: bool = True
) -> None:
    """The user themself (with a token in one of ``roles``, any when none given), a key
    with ``scope``, or (when ``admin``) an administrator."""
    if principal.is_user(user_id, *roles) or principal.has_scope(scope):
        return
    if admin and principal.is_admin:
        return
    if principal.is_key:
        raise ScopeMissingError(f"this API key lacks the {scope} scope")
    if principal.user_id == user_id:
        wanted = " or ".join(role.value for role in roles)
        raise ForbiddenError(f"this operation needs a {wanted} token")
    raise ForbiddenError("a user's token reaches only that user's own data")
