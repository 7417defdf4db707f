"""The delivery log: what each endpoint was sent, every attempt, and redelivery."""

from __future__ import annotations

from dataclasses import dataclass, replace

from giftflow.economy.errors import NotFoundError
from giftflow.service.ledger import Ledger
from giftflow.service.webhooks.endpoints import find
from giftflow.store.tx import Row, Tx

STATES = ("pending", "delivered", "failed")
_COLUMNS = (
    "id, endpoint_id, event_id, room_id, type, payload, created_at, state, attempts,"
    " next_attempt_at, delivered_at, last_status_code, last_error"
)


class WebhookDeliveryNotFoundError(NotFoundError):
    code = "webhook_delivery_not_found"


@dataclass(frozen=True, slots=True)
class Attempt:
    attempted_at: int
    duration_ms: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    endpoint_id: str
    event_id: str
    room_id: int
    type: str
    payload: str
    created_at: int
    state: str
    attempts: int
    next_attempt_at: int
    delivered_at: int
    last_status_code: int | None
    last_error: str | None
    log: tuple[Attempt, ...] = ()


def delivery_of(row: Row, log: tuple[Attempt, ...] = ()) -> Delivery:
    delivery = Delivery(*row)
    return replace(delivery, log=log) if log else delivery


def listing(
    ledger: Ledger, endpoint_id: str, *, state: str | None = None, limit: int = 100
) -> list[Delivery]:
    """The endpoint's deliveries, newest first."""
    where, values = "endpoint_id = ?", [endpoint_id]
    if state is not None:
        where += " AND state = ?"
        values.append(state)
    query = f"SELECT {_COLUMNS} FROM webhook_deliveries WHERE {where} ORDER BY id DESC LIMIT ?"

    def read(tx: Tx) -> list[Delivery]:
        find(tx, endpoint_id)
        return [delivery_of(row) for row in tx.execute(query, (*values, limit)).fetchall()]

    return ledger.read(read)


def _find(tx: Tx, endpoint_id: str, delivery_id: int) -> Delivery:
    find(tx, endpoint_id)
    row = tx.execute(
        f"SELECT {_COLUMNS} FROM webhook_deliveries WHERE id = ? AND endpoint_id = ?",
        (delivery_id, endpoint_id),
    ).fetchone()
    if row is None:
        raise WebhookDeliveryNotFoundError(f"no delivery {delivery_id} to {endpoint_id}")
    attempts = tx.execute(
        "SELECT attempted_at, duration_ms, status_code, error FROM webhook_attempts"
        " WHERE delivery_id = ? ORDER BY id",
        (delivery_id,),
    ).fetchall()
    return delivery_of(row, tuple(Attempt(*attempt) for attempt in attempts))


def get(ledger: Ledger, endpoint_id: str, delivery_id: int) -> Delivery:
    return ledger.read(lambda tx: _find(tx, endpoint_id, delivery_id))


def redeliver(ledger: Ledger, endpoint_id: str, delivery_id: int) -> Delivery:
    """Send it again as soon as possible, with a fresh retry schedule: a delivered or
    given-up one goes back in its room's line (in its place: later events of that room
    wait for it again); a pending one is tried now instead of at its next retry."""

    def again(tx: Tx) -> Delivery:
        _find(tx, endpoint_id, delivery_id)
        tx.execute(
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0,"
            " next_attempt_at = 0 WHERE id = ?",
            (delivery_id,),
        )
        return _find(tx, endpoint_id, delivery_id)

    return ledger.write(again)
