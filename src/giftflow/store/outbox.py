"""The outbox's statements: the subscription version every endpoint change bumps
(``webhook_state``, one row), and the delivery rows a transaction's events add to
``webhook_deliveries``, all in one statement before it commits (decisions/0035)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """One event for one subscribed endpoint, pending."""

    endpoint_id: str
    event_id: str
    room_id: UserId
    type: str
    payload: str
    created_at: UnixNs


def version(tx: Tx) -> int:
    """The subscription version this transaction sees (a primary-key read)."""
    return int(tx.scalar("SELECT version FROM webhook_state WHERE id = 1"))


def bump_version(tx: Tx) -> None:
    """An endpoint changed: every process reloads its subscriptions."""
    tx.execute("UPDATE webhook_state SET version = version + 1 WHERE id = 1")


def insert_deliveries(tx: Tx, rows: Sequence[NewDelivery]) -> None:
    """The rows, in one statement."""
    tx.executemany(
        "INSERT INTO webhook_deliveries (endpoint_id, event_id, room_id, type, payload,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (row.endpoint_id, row.event_id, row.room_id, row.type, row.payload, row.created_at)
            for row in rows
        ],
    )
