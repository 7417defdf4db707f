"""Idempotency keys' rows: a caller's key, what its request was (a digest) and the
answer kept for it. The rules (a key answered once, reused for another request, in
flight) are ``giftflow.service.once``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.store.tx import Tx

IN_FLIGHT: Final = 0
"""The status of a claim without an answer. giftflow no longer writes one; a row left
in this state by an older version is still refused as in flight."""


@dataclass(frozen=True, slots=True)
class StoredKey:
    request_sha256: str
    status_code: int
    """``IN_FLIGHT`` for a claim an older version left without an answer."""
    body: str


def by_key(tx: Tx, principal: str, key: str) -> StoredKey | None:
    """The caller's key as stored, or ``None``."""
    row = tx.named(
        "SELECT request_sha256, status_code, body FROM idempotency_keys"
        " WHERE principal = ? AND key = ?",
        (principal, key),
    )
    if row is None:
        return None
    return StoredKey(
        request_sha256=row["request_sha256"], status_code=row["status_code"], body=row["body"]
    )


def insert(tx: Tx, principal: str, key: str, answer: StoredKey, *, now_ns: int) -> bool:
    """Keep the answer under the caller's key; False when the key holds one already
    (the row stays as it was)."""
    tx.execute(
        "INSERT INTO idempotency_keys (principal, key, request_sha256, status_code,"
        " body, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (principal, key) DO NOTHING",
        (principal, key, answer.request_sha256, answer.status_code, answer.body, now_ns),
    )
    return tx.rowcount == 1


def in_flight_count(tx: Tx) -> int:
    """How many keys are claimed and were never answered."""
    row = tx.named(
        "SELECT COUNT(*) AS keys FROM idempotency_keys WHERE status_code = ?", (IN_FLIGHT,)
    )
    return 0 if row is None else int(row["keys"])
