"""The endpoints platforms register: URL, event types, a secret giftflow issues.

Every change bumps the subscription version in its own transaction (``outbox.changed``),
so the next batch of every process sees it (decisions/0035).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from giftflow.economy.errors import NotFoundError
from giftflow.errors import GiftflowError
from giftflow.service.ledger import Ledger
from giftflow.service.webhooks.outbox import ALL_TYPES, EVENT_TYPES, changed
from giftflow.store.tx import Row, Tx

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ROTATION_GRACE_NS = 24 * 3600 * 1_000_000_000
"""How long deliveries are signed with the old secret too, after a rotation."""
_COLUMNS = (
    "id, url, description, event_types, enabled, disabled_reason, failing_since,"
    " created_by, created_at, updated_at"
)
_PLATFORMS = "creator_id IS NULL"
"""The platform's own endpoints: a creator's milestone channel has one too
(docs/milestones.md), which only its creator sees, through the channel."""


class WebhookEndpointNotFoundError(NotFoundError):
    code = "webhook_endpoint_not_found"


class WebhookEventTypeError(GiftflowError):
    code = "webhook_event_type_unknown"


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    url: str
    description: str
    event_types: tuple[str, ...] | None
    """None: every type, present and future."""
    enabled: bool
    disabled_reason: str | None
    failing_since: int
    """When its deliveries began to fail without a success since; 0 while healthy."""
    created_by: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class NewSecret:
    endpoint: Endpoint
    secret: str
    """``whsec_<base64>``: shown once."""


def endpoint_of(row: Row) -> Endpoint:
    types = None if row[3] == ALL_TYPES else tuple(row[3].split())
    return Endpoint(row[0], row[1], row[2], types, bool(row[4]), *row[5:])


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_types(types: Sequence[str] | None) -> str:
    """The stored form of a subscription: ``*`` or the types, space-separated."""
    if types is None:
        return ALL_TYPES
    unknown = sorted(set(types) - set(EVENT_TYPES))
    if unknown or not types:
        raise WebhookEventTypeError(
            f"unknown event types {unknown}; choose from {', '.join(EVENT_TYPES)}"
            if unknown
            else "subscribe to at least one event type, or leave event_types out for all"
        )
    return " ".join(sorted(set(types)))


def find(tx: Tx, endpoint_id: str) -> Endpoint:
    row = tx.execute(
        f"SELECT {_COLUMNS} FROM webhook_endpoints WHERE id = ? AND {_PLATFORMS}", (endpoint_id,)
    ).fetchone()
    if row is None:
        raise WebhookEndpointNotFoundError(f"no webhook endpoint {endpoint_id}")
    return endpoint_of(row)


def create(
    ledger: Ledger,
    *,
    url: str,
    event_types: Sequence[str] | None,
    description: str,
    created_by: str,
) -> NewSecret:
    types = check_types(event_types)
    endpoint_id = f"we_{secrets.token_hex(8)}"
    secret = new_secret()
    now = ledger.clock.now_ns()

    def insert(tx: Tx) -> Endpoint:
        tx.execute(
            "INSERT INTO webhook_endpoints (id, url, description, event_types, secret,"
            " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (endpoint_id, url, description, types, secret, created_by, now, now),
        )
        changed(tx)
        return find(tx, endpoint_id)

    return NewSecret(ledger.write(insert), secret)


def listing(ledger: Ledger) -> list[Endpoint]:
    query = f"SELECT {_COLUMNS} FROM webhook_endpoints WHERE {_PLATFORMS} ORDER BY created_at, id"
    return ledger.read(lambda tx: [endpoint_of(row) for row in tx.execute(query).fetchall()])


def get(ledger: Ledger, endpoint_id: str) -> Endpoint:
    return ledger.read(lambda tx: find(tx, endpoint_id))


def update(
    ledger: Ledger,
    endpoint_id: str,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    all_types: bool = False,
    description: str | None = None,
    enabled: bool | None = None,
) -> Endpoint:
    """Change what is given (``all_types``: subscribe to every type). Enabling an
    endpoint clears its failure streak: its waiting deliveries go on."""
    now = ledger.clock.now_ns()
    sets: list[str] = ["updated_at = ?"]
    values: list[object] = [now]
    for column, value in (("url", url), ("description", description)):
        if value is not None:
            sets.append(f"{column} = ?")
            values.append(value)
    if event_types is not None or all_types:
        sets.append("event_types = ?")
        values.append(check_types(None if all_types else event_types))
    if enabled is not None:
        sets.append("enabled = ?")
        values.append(enabled)
        sets.append("disabled_reason = NULL" if enabled else "disabled_reason = 'disabled by you'")
        if enabled:
            sets.append("failing_since = 0")

    def change(tx: Tx) -> Endpoint:
        tx.execute(
            f"UPDATE webhook_endpoints SET {', '.join(sets)} WHERE id = ? AND {_PLATFORMS}",
            (*values, endpoint_id),
        )
        if tx.rowcount != 1:
            raise WebhookEndpointNotFoundError(f"no webhook endpoint {endpoint_id}")
        changed(tx)
        return find(tx, endpoint_id)

    return ledger.write(change)


def delete(ledger: Ledger, endpoint_id: str) -> None:
    """Delete the endpoint with its deliveries and their log."""

    def remove(tx: Tx) -> None:
        find(tx, endpoint_id)
        tx.execute(
            "DELETE FROM webhook_attempts WHERE delivery_id IN"
            " (SELECT id FROM webhook_deliveries WHERE endpoint_id = ?)",
            (endpoint_id,),
        )
        tx.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = ?", (endpoint_id,))
        tx.execute("DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,))
        changed(tx)

    ledger.write(remove)


def rotate_secret(ledger: Ledger, endpoint_id: str) -> NewSecret:
    """A new secret from now on; for a day deliveries carry a signature with the old
    one too, so a receiver can switch without missing one."""
    secret = new_secret()
    now = ledger.clock.now_ns()

    def rotate(tx: Tx) -> Endpoint:
        tx.execute(
            "UPDATE webhook_endpoints SET previous_secret = secret, secret = ?,"
            f" previous_secret_until = ?, updated_at = ? WHERE id = ? AND {_PLATFORMS}",
            (secret, now + ROTATION_GRACE_NS, now, endpoint_id),
        )
        if tx.rowcount != 1:
            raise WebhookEndpointNotFoundError(f"no webhook endpoint {endpoint_id}")
        return find(tx, endpoint_id)

    return NewSecret(ledger.write(rotate), secret)
