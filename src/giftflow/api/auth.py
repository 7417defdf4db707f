"""Who is asking, and what they may do.

Two kinds of credentials, both sent as ``Authorization: Bearer <credential>``:

- **Platform API keys** (server to server): ``gf_<id>_<secret>``. Only the secret's
  SHA-256 is stored (table ``api_keys``), with the key's space-separated scopes. A key
  holding ``admin`` may do everything any scope allows.
- **User tokens** (browsers, apps, dashboards): JWTs signed with HS256 and
  ``GIFTFLOW_TOKEN_SECRET``, issued by a key with ``tokens:write`` for one user and one
  role (``viewer``, ``creator``, ``admin``), valid for ``GIFTFLOW_TOKEN_TTL_S``. Time is
  the economy's clock, so tests can let a token expire without sleeping. A token names
  its id (``jti``) and the key that issued it (``key``), and each use reads its standing
  (``giftflow.store.credentials``): refused once revoked, once its key is revoked,
  once issued before its user's cut-off, or once its user no longer holds its role
  (a creator token needs a creator, an admin token a staff user).

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

from giftflow.api import jwts
from giftflow.api.errors import (
    ForbiddenError,
    ScopeMissingError,
    TokenExpiredError,
    TokenInvalidError,
    TokenRevokedError,
    UnauthenticatedError,
)
from giftflow.api.schemas import USER_ID_MAX, Role
from giftflow.errors import ConfigurationError
from giftflow.ledger.clock import NS_PER_S, Clock
from giftflow.service.ledger import Ledger
from giftflow.store import credentials
from giftflow.store.credentials import Standing
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
_USER_CLAIMS: Final = ("exp", "iat", "sub", "role", "jti", "key")
_KEY = re.compile(r"gf_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_KEY_ID = re.compile(r"[0-9a-f]{16}")
_TOKEN_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a platform key (``scopes``) or a user (``role``)."""

    key_id: str | None = None
    scopes: frozenset[str] = frozenset()
    user_id: int | None = None
    role: Role | None = None
    token_id: str | None = None
    """A user token's id (``jti``): what revoking it names."""
    expires_at_s: int = 0
    """A user token's expiry (Unix seconds)."""
    issuer_key_id: str | None = None
    """The API key behind the caller: the key itself, or the key that issued the user
    token (what a report link the caller makes depends on)."""

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


def revoke_api_key(ledger: Ledger, key_id: str, *, after_s: int = 0) -> bool:
    """Revoke a key (and so every user token it issued) ``after_s`` seconds from now;
    False when there is no such key still in force. A key revoked for later may be
    revoked sooner, never later."""
    at = ledger.clock.now_ns() + after_s * NS_PER_S

    def revoke(tx: Tx) -> bool:
        tx.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ?"
            " AND (revoked_at = 0 OR revoked_at > ?)",
            (at, key_id, at),
        )
        return tx.rowcount == 1

    return ledger.write(revoke)


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    id: str
    name: str
    scopes: frozenset[str]
    created_at_ns: int
    revoked_at_ns: int
    """0: in force; in the future: in force until then (a rotated key's grace)."""


def api_keys(ledger: Ledger) -> list[ApiKeyInfo]:
    """Every key, oldest first (secrets are never stored, so never shown)."""
    rows = ledger.read(
        lambda tx: tx.execute(
            "SELECT id, name, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at, id"
        ).fetchall()
    )
    return [
        ApiKeyInfo(str(id_), str(name), frozenset(str(scopes).split()), int(made), int(revoked))
        for id_, name, scopes, made, revoked in rows
    ]


def rotate_api_key(ledger: Ledger, key_id: str, *, grace_s: int) -> NewApiKey:
    """A new key with the old one's name and scopes; the old one (and the user tokens it
    issued) keeps working ``grace_s`` seconds more, while the platform deploys the new."""
    old = next((key for key in api_keys(ledger) if key.id == key_id), None)
    if old is None or _revoked(old.revoked_at_ns, ledger.clock.now_ns()):
        raise ConfigurationError(f"there is no API key {key_id} in force")
    new = create_api_key(ledger, name=old.name, scopes=old.scopes)
    revoke_api_key(ledger, key_id, after_s=grace_s)
    return new


def _revoked(revoked_at_ns: int, now_ns: int) -> bool:
    return 0 < revoked_at_ns <= now_ns


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- authentication ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    token_id: str
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
            key_id, secret = _key_parts(credential)
            return self._key_principal(key_id, secret, self._ledger.read(_key_row(key_id)))
        claims = self._claims(credential)
        return self._in_standing(claims, self._ledger.read(_standing_of(claims)))

    async def authenticate_async(self, credential: str | None) -> Principal:
        """``authenticate`` from an event loop: the store read through
        ``Ledger.read_async`` (it waits off the loop where the database is a server)."""
        if not credential:
            return self.authenticate(credential)
        if credential.startswith("gf_"):
            key_id, secret = _key_parts(credential)
            row = await self._ledger.read_async(_key_row(key_id))
            return self._key_principal(key_id, secret, row)
        claims = self._claims(credential)
        return self._in_standing(claims, await self._ledger.read_async(_standing_of(claims)))

    def issue(
        self, user_id: int, role: Role, *, key_id: str, ttl_s: int | None = None
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
        if _TOKEN_ID.fullmatch(token_id) is None:
            raise TokenInvalidError("a token id is 32 hexadecimal digits")
        until_s = self._now_s() + TOKEN_TTL_MAX_S if expires_at_s is None else expires_at_s
        revoke = credentials.revoke_token(
            token_id, now_ns=self._clock.now_ns(), expires_at_ns=until_s * NS_PER_S
        )
        return self._ledger.write(revoke)

    def cut_off(self, user_id: int) -> int:
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
        raw = jwts.signed_claims(
            credential, self._secret, require=_USER_CLAIMS, what="a user token"
        )
        claims = TokenClaims.of(raw)
        if check_expiry and claims.expires_at_s <= self._now_s():
            raise TokenExpiredError("the token has expired; ask for a new one")
        return claims

    def _in_standing(self, claims: TokenClaims, standing: Standing) -> Principal:
        refusal = _refusal(standing, claims, now_ns=self._clock.now_ns())
        if refusal is not None:
            raise TokenRevokedError(refusal)
        return Principal(
            user_id=claims.user_id,
            role=claims.role,
            token_id=claims.token_id,
            expires_at_s=claims.expires_at_s,
            issuer_key_id=claims.key_id,
        )

    def _key_principal(self, key_id: str, secret: str, row: Row | None) -> Principal:
        stored, scopes, revoked_at = row if row is not None else ("", "", 0)
        if not hmac.compare_digest(stored, _sha256(secret)) or _revoked(
            int(revoked_at), self._clock.now_ns()
        ):
            raise UnauthenticatedError("unknown or revoked API key")
        return Principal(key_id=key_id, scopes=frozenset(scopes.split()), issuer_key_id=key_id)

    def _now_s(self) -> int:
        return self._clock.now_ns() // NS_PER_S


TOKEN_TTL_MAX_S: Final = 86_400
"""The longest a user token may live (``GIFTFLOW_TOKEN_TTL_S`` and dashboard sessions
are bounded by it)."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """A user token's claims, checked for shape."""

    user_id: int
    role: Role
    key_id: str
    token_id: str
    issued_at_s: int
    expires_at_s: int

    @classmethod
    def of(cls, raw: dict[str, object]) -> TokenClaims:
        issued, expires = jwts.integer(raw["iat"]), jwts.integer(raw["exp"])
        token_id, key_id = raw["jti"], raw["key"]
        if issued is None or expires is None:
            raise TokenInvalidError("the token's times are not times")
        if not isinstance(token_id, str) or _TOKEN_ID.fullmatch(token_id) is None:
            raise TokenInvalidError("the token has no token id")
        if not isinstance(key_id, str) or _KEY_ID.fullmatch(key_id) is None:
            raise TokenInvalidError("the token names no issuing key")
        return cls(_user_id(raw["sub"]), _role(raw["role"]), key_id, token_id, issued, expires)


def _standing_of(claims: TokenClaims) -> Callable[[Tx], Standing]:
    return credentials.standing(claims.user_id, claims.key_id, claims.token_id)


def _refusal(standing: Standing, claims: TokenClaims, *, now_ns: int) -> str | None:
    """Why a well-signed, unexpired token no longer serves; None when it does."""
    if not standing.user_exists:
        return "the token's user no longer exists"
    if standing.key_revoked_at_ns is None or _revoked(standing.key_revoked_at_ns, now_ns):
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
