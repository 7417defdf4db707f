"""Platform API keys (server to server): ``gf_<id>_<secret>``, sent as
``Authorization: Bearer <key>``. Only the secret's SHA-256 is stored
(``giftflow.store.api_keys``), with the key's scopes; a key holding ``admin`` may do
everything any scope allows. Keys are made, listed, rotated and revoked here (the
``giftflow keys`` commands), and a presented key is checked by ``key_principal``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from giftflow.errors import ConfigurationError
from giftflow.http.errors import UnauthenticatedError
from giftflow.http.principals import SCOPES, Principal
from giftflow.ledger.clock import NS_PER_S
from giftflow.service.ledger import Ledger
from giftflow.store import api_keys as stored_keys
from giftflow.store.api_keys import ApiKeyInfo, KeySecret

_KEY = re.compile(r"gf_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A key just made, with its secret: the one time it is seen."""

    id: str
    name: str
    scopes: frozenset[str]
    key: str
    """The whole key, ``gf_<id>_<secret>``: shown once, never stored."""


def check_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """The scopes as a set; ``ConfigurationError`` for none or an unknown one."""
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
    digest, now_ns = _sha256(secret), ledger.clock.now_ns()
    ledger.write(
        lambda tx: stored_keys.insert(
            tx, key_id=key_id, name=name, secret_sha256=digest, scopes=granted, now_ns=now_ns
        )
    )
    return NewApiKey(key_id, name, granted, f"gf_{key_id}_{secret}")


def revoke_api_key(ledger: Ledger, key_id: str, *, after_s: int = 0) -> bool:
    """Revoke a key (and so every user token it issued) ``after_s`` seconds from now;
    False when there is no such key still in force. A key revoked for later may be
    revoked sooner, never later."""
    at_ns = ledger.clock.now_ns() + after_s * NS_PER_S
    return ledger.write(lambda tx: stored_keys.revoke(tx, key_id, at_ns=at_ns))


def api_keys(ledger: Ledger) -> list[ApiKeyInfo]:
    """Every key, oldest first (secrets are never stored, so never shown)."""
    return ledger.read(stored_keys.every_key)


def rotate_api_key(ledger: Ledger, key_id: str, *, grace_s: int) -> NewApiKey:
    """A new key with the old one's name and scopes; the old one (and the user tokens it
    issued) keeps working ``grace_s`` seconds more, while the platform deploys the new."""
    old = next((key for key in api_keys(ledger) if key.id == key_id), None)
    if old is None or revoked(old.revoked_at_ns, ledger.clock.now_ns()):
        raise ConfigurationError(f"there is no API key {key_id} in force")
    new = create_api_key(ledger, name=old.name, scopes=old.scopes)
    revoke_api_key(ledger, key_id, after_s=grace_s)
    return new


def key_parts(credential: str) -> tuple[str, str]:
    """``(key id, secret)`` of a credential shaped like a key; ``UnauthenticatedError``
    for anything else."""
    match = _KEY.fullmatch(credential)
    if match is None:
        raise UnauthenticatedError("this is not a giftflow API key")
    key_id, secret = match.groups()
    return key_id, secret


def key_principal(key_id: str, secret: str, stored: KeySecret | None, *, now_ns: int) -> Principal:
    """The caller a presented key is, once its secret matches the stored hash and the key
    is in force. The hashes are compared even for an unknown key, in constant time."""
    digest = stored.secret_sha256 if stored is not None else ""
    revoked_at_ns = stored.revoked_at_ns if stored is not None else 0
    if not hmac.compare_digest(digest, _sha256(secret)) or revoked(revoked_at_ns, now_ns):
        raise UnauthenticatedError("unknown or revoked API key")
    scopes = stored.scopes if stored is not None else frozenset()
    return Principal(key_id=key_id, scopes=scopes, issuer_key_id=key_id)


def revoked(revoked_at_ns: int, now_ns: int) -> bool:
    """A revocation time (0: none) that has come."""
    return 0 < revoked_at_ns <= now_ns


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
