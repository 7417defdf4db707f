"""The delivery log: what each endpoint was sent, every attempt, and redelivery."""

from __future__ import annotations

from giftflow.economy.errors import NotFoundError
from giftflow.service.ledger import Ledger
from giftflow.service.webhooks.endpoints import find
from giftflow.store import webhook_deliveries as store
from giftflow.store.tx import Tx
from giftflow.store.webhook_deliveries import Attempt, Delivery

STATES = ("pending", "delivered", "failed")
__all__ = ["STATES", "Attempt", "Delivery", "WebhookDeliveryNotFoundError"]


class WebhookDeliveryNotFoundError(NotFoundError):
    code = "webhook_delivery_not_found"


def listing(
    ledger: Ledger, endpoint_id: str, *, state: str | None = None, limit: int = 100
) -> list[Delivery]:
    """The endpoint's deliveries, newest first."""

    def read(tx: Tx) -> list[Delivery]:
        find(tx, endpoint_id)
        return store.of_endpoint(tx, endpoint_id, state=state, limit=limit)

    return ledger.read(read)


def _find(tx: Tx, endpoint_id: str, delivery_id: int) -> Delivery:
    find(tx, endpoint_id)
    found = store.delivery(tx, endpoint_id, delivery_id)
    if found is None:
        raise WebhookDeliveryNotFoundError(f"no delivery {delivery_id} to {endpoint_id}")
    return found


def get(ledger: Ledger, endpoint_id: str, delivery_id: int) -> Delivery:
    """The delivery with its attempts."""
    return ledger.read(lambda tx: _find(tx, endpoint_id, delivery_id))


def redeliver(ledger: Ledger, endpoint_id: str, delivery_id: int) -> Delivery:
    """Send it again as soon as possible, with a fresh retry schedule: a delivered or
    given-up one goes back in its room's line (in its place: later events of that room
    wait for it again); a pending one is tried now instead of at its next retry."""

    def again(tx: Tx) -> Delivery:
        _find(tx, endpoint_id, delivery_id)
        store.send_again(tx, delivery_id)
        return _find(tx, endpoint_id, delivery_id)

    return ledger.write(again)
