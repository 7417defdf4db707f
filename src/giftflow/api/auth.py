"""Who is asking, and what they may do.

Two kinds of credentials, both sent as ``Authorization: Bearer <credential>``:

- **Platform API keys** (server to server): ``gf_<id>_<secret>``. Only the secret's
  SHA-256 is stored (table ``api_keys``), with the key's space-separated scopes. A key
  holding ``admin`` may do everything any scope allows.
- **User tokens** (browsers, apps, dashboards): JWTs signed with HS256 and
  ``GIFTFLOW_TOKEN_SECRET``, issued by a key with ``tokens:write`` for one user and one
  role (``viewer``, ``creator``, ``admin``), valid for ``GIFTFLOW_TOKEN_TTL_S``. Time is
  the economy's clock, so tests can let a token expire without sleeping.

The rules of who may reach what are the ``require_*`` functions at the end, called by
the routes before they touch anything.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

import jwt

from giftflow.api.errors import (
    ForbiddenError,
    ScopeMissingError,
    TokenExpiredError,
    TokenInvalidError,
    UnauthenticatedError,
)
from giftflow.api.schemas import USER_ID_MAX, Role
from giftflow.errors import ConfigurationError
from giftflow.ledger.clock import Clock
from giftflow.service.ledger import Ledger
from giftflow.store.tx import Row, Tx

SCOPES: Final = frozenset(
    {
        "users:write",
        "users:verify",
        "users:read",
        "tokens:write",
        "purchases:write",
        "gifts:write",
        "wallets:read",
        "earnings:read",
        "payouts:write",
        "promotions:write",
        "promote:write",
        "rooms:write",
        "live:write",
        "live:read",
        "webhooks:write",
        "metrics:read",
        "admin",
    }
)
ADMIN: Final = "admin"
TOKEN_SECRET_MIN_BYTES: Final = 32
"""HS256 wants a key at least as long as its hash (RFC 7518, section 3.2)."""
_ALGORITHM: Final = "HS256"
_ISSUER: Final = "giftflow"
_KEY = re.compile(r"gf_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_NS_PER_S: Final = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a platform key (``scopes``) or a user (``role``)."""

    key_id: str | None = None
    scopes: frozenset[str] = frozenset()
    user_id: int | None = None
    role: Role | None = None

    @property
    def name(self) -> str:
        """Stable and short: what idempotency records and reviews are filed under."""
        return f"key:{self.key_id}" if self.key_id is not None else f"user:{self.user_id}"

    @property
    def is_key(self) -> bool:
        return self.key_id is not None

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.scopes or self.role == Role.ADMIN

    def has_scope(self, scope: str) -> bool:
        return self.is_key and (scope in self.scopes or ADMIN in self.scopes)

    def is_user(self, user_id: int, *roles: Role) -> bool:
        """This user's own token (in one of ``roles``, when given)."""
        return self.user_id == user_id and (not roles or self.role in roles)


# --- platform keys -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewApiKey:
    id: str
    name: str
    scopes: frozenset[str]
    key: str
    """The whole key, ``gf_<id>_<secret>``: shown once, never stored."""


def check_scopes(scopes: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(scopes)
    unknown = sorted(wanted - SCOPES)
    if unknown or not wanted:
        raise ConfigurationError(
            f"unknown scopes {unknown}; choose from {' '.join(sorted(SCOPES))}"
            if unknown
            else "a key needs at least one scope"
        )
    return wanted


def create_api_key(ledger: Ledger, *, name: str, scopes: Iterable[str]) -> NewApiKey:
    """Store a new key (its secret's SHA-256 only) and return it, the one time it is seen."""
    granted = check_scopes(scopes)
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    row = (key_id, name, _sha256(secret), " ".join(sorted(granted)), ledger.clock.now_ns())
    ledger.write(
        lambda tx: tx.execute(
            "INSERT INTO api_keys (id, name, secret_sha256, scopes, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            row,
        )
    )
    return NewApiKey(key_id, name, granted, f"gf_{key_id}_{secret}")


def revoke_api_key(ledger: Ledger, key_id: str) -> bool:
    """Revoke a key from now on; False when there is no such key still in force."""
    now = ledger.clock.now_ns()

    def revoke(tx: Tx) -> bool:
        tx.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at = 0", (now, key_id)
        )
        return tx.rowcount == 1

    return ledger.write(revoke)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- authentication ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    user_id: int
    role: Role
    expires_at_ns: int


class Authenticator:
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
        if not credential:
            raise UnauthenticatedError("send Authorization: Bearer <API key or user token>")
        if credential.startswith("gf_"):
            return self._key(credential)
        return self._token(credential)

    async def authenticate_async(self, credential: str | None) -> Principal:
        """``authenticate`` from an event loop: a key's lookup through
        ``Ledger.read_async`` (it waits off the loop where the database is a server)."""
        if credential and credential.startswith("gf_"):
            key_id, secret = _key_parts(credential)
            return _key_principal(key_id, secret, await self._ledger.read_async(_key_row(key_id)))
        return self.authenticate(credential)

    def _key(self, credential: str) -> Principal:
        key_id, secret = _key_parts(credential)
        return _key_principal(key_id, secret, self._ledger.read(_key_row(key_id)))

    def issue(self, user_id: int, role: Role) -> IssuedToken:
        now_s = self._clock.now_ns() // _NS_PER_S
        claims = {
            "iss": _ISSUER,
            "sub": str(user_id),
            "role": role.value,
            "iat": now_s,
            "exp": now_s + self.ttl_s,
        }
        token = jwt.encode(claims, self._secret, algorithm=_ALGORITHM)
        return IssuedToken(token, user_id, role, (now_s + self.ttl_s) * _NS_PER_S)

    def _token(self, credential: str) -> Principal:
        try:
            claims = jwt.decode(
                credential,
                self._secret,
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                # Expiry is checked below against the economy's clock, not the host's.
                options={
                    "require": ["exp", "sub", "role", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as error:
            raise TokenInvalidError("the token is not one giftflow signed") from error
        if not isinstance(claims["exp"], int):
            raise TokenInvalidError("the token's expiry is not a time")
        if claims["exp"] <= self._now_s():
            raise TokenExpiredError("the token has expired; ask for a new one")
        return Principal(user_id=_user_id(claims["sub"]), role=_role(claims["role"]))

    def _now_s(self) -> int:
        return self._clock.now_ns() // _NS_PER_S


def _key_parts(credential: str) -> tuple[str, str]:
    match = _KEY.fullmatch(credential)
    if match is None:
        raise UnauthenticatedError("this is not a giftflow API key")
    key_id, secret = match.groups()
    return key_id, secret


def _key_row(key_id: str) -> Callable[[Tx], Row | None]:
    return lambda tx: tx.execute(
        "SELECT secret_sha256, scopes, revoked_at FROM api_keys WHERE id = ?", (key_id,)
    ).fetchone()


def _key_principal(key_id: str, secret: str, row: Row | None) -> Principal:
    stored, scopes, revoked_at = row if row is not None else ("", "", 0)
    if not hmac.compare_digest(stored, _sha256(secret)) or revoked_at:
        raise UnauthenticatedError("unknown or revoked API key")
    return Principal(key_id=key_id, scopes=frozenset(scopes.split()))


def _user_id(subject: object) -> int:
    if isinstance(subject, str) and subject.isdigit() and 0 < int(subject) <= USER_ID_MAX:
        return int(subject)
    raise TokenInvalidError("the token names no user")


def _role(value: object) -> Role:
    if isinstance(value, str) and value in Role.__members__.values():
        return Role(value)
    raise TokenInvalidError("the token names no role")


# --- authorisation -------------------------------------------------------------------


def require_scope(principal: Principal, scope: str) -> None:
    """Platform keys only, with ``scope`` (or ``admin``)."""
    if not principal.is_key:
        raise ForbiddenError("this operation is for platform API keys")
    if not principal.has_scope(scope):
        raise ScopeMissingError(f"this API key lacks the {scope} scope")


def require_admin(principal: Principal) -> None:
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
