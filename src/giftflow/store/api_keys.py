"""Platform API keys' rows (table ``api_keys``): a key's name, its space-separated scopes,
when it was made and revoked, and its secret's SHA-256 (the secret itself is never
stored). What a key may do, and the credential's shape, are ``giftflow.http.keys``;
the standing of the user tokens a key issued is ``giftflow.store.credentials``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = "id, name, scopes, created_at, revoked_at"


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """A key as ``giftflow keys list`` shows it: everything but its secret."""

    id: str
    name: str
    scopes: frozenset[str]
    created_at_ns: int
    revoked_at_ns: int
    """0: in force; in the future: in force until then (a rotated key's grace)."""


@dataclass(frozen=True, slots=True)
class KeySecret:
    """What checking a presented key reads: its secret's hash, its scopes, its revocation."""

    secret_sha256: str
    scopes: frozenset[str]
    revoked_at_ns: int


def key_from(row: NamedRow) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=row["id"],
        name=row["name"],
        scopes=frozenset(str(row["scopes"]).split()),
        created_at_ns=int(row["created_at"]),
        revoked_at_ns=int(row["revoked_at"]),
    )


def insert(
    tx: Tx, *, key_id: str, name: str, secret_sha256: str, scopes: frozenset[str], now_ns: int
) -> None:
    """A new key in force, its scopes stored sorted and space-separated."""
    tx.execute(
        "INSERT INTO api_keys (id, name, secret_sha256, scopes, created_at) VALUES (?, ?, ?, ?, ?)",
        (key_id, name, secret_sha256, " ".join(sorted(scopes)), now_ns),
    )


def revoke(tx: Tx, key_id: str, *, at_ns: int) -> bool:
    """Revoke the key at ``at_ns`` unless it is revoked by then already; False when there
    is no such key still in force at that time (a revocation only comes sooner)."""
    tx.execute(
        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND (revoked_at = 0 OR revoked_at > ?)",
        (at_ns, key_id, at_ns),
    )
    return tx.rowcount == 1


def every_key(tx: Tx) -> list[ApiKeyInfo]:
    """Every key, oldest first."""
    rows = tx.named_all(f"SELECT {COLUMNS} FROM api_keys ORDER BY created_at, id")
    return [key_from(row) for row in rows]


def secret_of(tx: Tx, key_id: str) -> KeySecret | None:
    """The stored hash, scopes and revocation of the key ``key_id``; None when unknown."""
    row = tx.named("SELECT secret_sha256, scopes, revoked_at FROM api_keys WHERE id = ?", (key_id,))
    if row is None:
        return None
    return KeySecret(
        secret_sha256=row["secret_sha256"],
        scopes=frozenset(str(row["scopes"]).split()),
        revoked_at_ns=int(row["revoked_at"]),
    )
