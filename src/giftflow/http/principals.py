"""Who an authenticated caller is: a ``Principal``, and the scopes a platform key may hold.

``giftflow.http.auth`` turns a credential into a principal and holds the ``require_*``
rules of who may reach what; this module is the value both sides share, so the pieces
that only read a caller (idempotency, rate limits, the dashboard) need nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.http.schemas import Role
from giftflow.ids import UserId

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
"""Every scope a platform API key may hold."""
ADMIN: Final = "admin"
"""The scope that allows everything any scope allows."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a platform key (``scopes``) or a user (``role``)."""

    key_id: str | None = None
    scopes: frozenset[str] = frozenset()
    user_id: UserId | None = None
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
        """A platform API key, not a user."""
        return self.key_id is not None

    @property
    def is_admin(self) -> bool:
        """A key with ``admin``, or an administrator's user token."""
        return ADMIN in self.scopes or self.role == Role.ADMIN

    def has_scope(self, scope: str) -> bool:
        """A platform key holding ``scope`` (or ``admin``)."""
        return self.is_key and (scope in self.scopes or ADMIN in self.scopes)

    def is_user(self, user_id: int, *roles: Role) -> bool:
        """This user's own token (in one of ``roles``, when given)."""
        return self.user_id == user_id and (not roles or self.role in roles)
