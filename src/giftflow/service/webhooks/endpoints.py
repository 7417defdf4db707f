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
from giftflow.service.webhooks.outbox import EVENT_TYPES, changed
from giftflow.store import webhook_endpoints as store
from giftflow.store.tx import Tx
from giftflow.store.webhook_endpoints import ALL_TYPES, Endpoint, EndpointChange

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ROTATION_GRACE_NS = 24 * 3600 * 1_000_000_000
"""How long deliveries are signed with the old secret too, after a rotation."""
__all__ = ["Endpoint", "NewSecret", "WebhookEndpointNotFoundError", "WebhookEventTypeError"]


class WebhookEndpointNotFoundError(NotFoundError):
    code = "webhook_endpoint_not_found"


class WebhookEventTypeError(GiftflowError):
    code = "webhook_event_type_unknown"


@dataclass(frozen=True, slots=True)
class NewSecret:
    endpoint: Endpoint
    secret: str
    """``whsec_<base64>``: shown once."""


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
    """The platform's endpoint, or ``WebhookEndpointNotFoundError``."""
    found = store.by_id(tx, endpoint_id)
    if found is None:
        raise WebhookEndpointNotFoundError(f"no webhook endpoint {endpoint_id}")
    return found


def create(
    ledger: Ledger,
    *,
    url: str,
    event_types: Sequence[str] | None,
    description: str,
    created_by: str,
) -> NewSecret:
    """A new endpoint (``event_types`` None: every type) and its secret, shown once."""
    types = check_types(event_types)
    endpoint_id = f"we_{secrets.token_hex(8)}"
    secret = new_secret()
    now = ledger.clock.now_ns()

    def insert(tx: Tx) -> Endpoint:
        store.insert(
            tx,
            endpoint_id=endpoint_id,
            url=url,
            description=description,
            event_types=types,
            secret=secret,
            created_by=created_by,
            now_ns=now,
        )
        changed(tx)
        return find(tx, endpoint_id)

    return NewSecret(ledger.write(insert), secret)


def listing(ledger: Ledger) -> list[Endpoint]:
    """The platform's endpoints, oldest first."""
    return ledger.read(store.platform_endpoints)


def get(ledger: Ledger, endpoint_id: str) -> Endpoint:
    """The platform's endpoint of this id."""
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
    subscribing = event_types is not None or all_types
    change = EndpointChange(
        url=url,
        description=description,
        event_types=check_types(None if all_types else event_types) if subscribing else None,
        enabled=enabled,
    )

    def apply(tx: Tx) -> Endpoint:
        if not store.update(tx, endpoint_id, change, now_ns=now):
            raise WebhookEndpointNotFoundError(f"no webhook endpoint {endpoint_id}")
        changed(tx)
        return find(tx, endpoint_id)

    return ledger.write(apply)


def delete(ledger: Ledger, endpoint_id: str) -> None:
    """Delete the endpoint with its deliveries and their log."""

    def remove(tx: Tx) -> None:
        find(tx, endpoint_id)
        store.delete(tx, endpoint_id)
        changed(tx)

    ledger.write(remove)


def rotate_secret(ledger: Ledger, endpoint_id: str) -> NewSecret:
    """A new secret from now on; for a day deliveries carry a signature with the old
    one too, so a receiver can switch without missing one."""
    secret = new_secret()
    now = ledger.clock.now_ns()

    def rotate(tx: Tx) -> Endpoint:
        rotated = store.rotate_secret(
            tx, endpoint_id, secret=secret, previous_until_ns=now + ROTATION_GRACE_NS, now_ns=now
        )
        if not rotated:
            raise WebhookEndpointNotFoundError(f"no webhook endpoint {endpoint_id}")
        return find(tx, endpoint_id)

    return NewSecret(ledger.write(rotate), secret)
