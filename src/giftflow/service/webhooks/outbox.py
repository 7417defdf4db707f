"""The outbox: the events platforms subscribed to, written as delivery rows (one per
subscribed endpoint) in the transaction of the change that caused them.

Which endpoints want which type is cached in the process and checked against
``webhook_state.version`` once per transaction: every endpoint change bumps it in its
own transaction, and batches are serialised (the ledger clock's lock on PostgreSQL, the
one writer on SQLite), so a change sees every endpoint that committed before it
(decisions/0035). The rows a batch gathers go in one statement before it commits.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, Protocol, get_args

from giftflow.ids import UserId
from giftflow.store import outbox as store
from giftflow.store.outbox import NewDelivery
from giftflow.store.tx import Tx
from giftflow.store.webhook_endpoints import ALL_TYPES, subscriptions

EventTypeName = Literal[
    "gift.sent",
    "goal.completed",
    "battle.ended",
    "session.started",
    "session.ended",
    "purchase.paid",
    "purchase.refunded",
    "purchase.disputed",
    "purchase.failed",
    "payout.requested",
    "payout.held",
    "payout.approved",
    "payout.paid",
    "payout.failed",
    "payout.rejected",
    "fraud.decision",
    "schedule.created",
    "schedule.updated",
    "schedule.cancelled",
    "schedule.started",
    "schedule.missed",
    "schedule.reminder",
    "subathon.started",
    "subathon.paused",
    "subathon.resumed",
    "subathon.updated",
    "subathon.ended",
    "gift_rule.fired",
    "lead.confirmation_requested",
    "lead.confirmed",
    "lead.unsubscribed",
    "lead.deleted",
    "product.purchased",
    "product.refunded",
]
"""What an endpoint may subscribe to (docs/webhooks.md lists each one's ``data``): the
HTTP API's schema takes its values from here."""
EVENT_TYPES: Final[tuple[str, ...]] = get_args(EventTypeName)
_MEMO: Final = "webhooks.subscriptions"
_ROWS: Final = "webhooks.rows"
_DIRTY: Final = "webhooks.dirty"


class OutboxEvent(Protocol):
    """What the outbox needs of an event (``PendingEvent`` of the economy)."""

    @property
    def room_id(self) -> UserId: ...
    @property
    def type(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...
    @property
    def at(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Subscriptions:
    version: int
    endpoints_by_type: Mapping[str, tuple[str, ...]]
    """The enabled endpoints of each type that has any."""


class Outbox:
    """One per process (``EconomyContext.outbox``); used on the writer thread."""

    def __init__(self) -> None:
        self._cached: Subscriptions | None = None

    def subscriptions(self, tx: Tx) -> Subscriptions:
        """The subscriptions this transaction sees: the version read once per
        transaction (a primary-key read), the endpoints only when it moved."""
        seen: Subscriptions | None = tx.memo.get(_MEMO)
        if seen is not None:
            return seen
        version = store.version(tx)
        cached = self._cached
        if cached is None or cached.version != version:
            cached = _load(tx, version)
            if not tx.memo.get(_DIRTY):  # an uncommitted change is no one else's truth
                self._cached = cached
        tx.memo[_MEMO] = cached
        return cached

    def wants(self, tx: Tx, type: str) -> bool:
        return type in self.subscriptions(tx).endpoints_by_type

    def stage(self, tx: Tx, events: Iterable[OutboxEvent]) -> None:
        """Queue a delivery row per event and subscribed endpoint; they are inserted
        with the transaction's others just before it commits."""
        by_type = self.subscriptions(tx).endpoints_by_type
        for event in events:
            endpoints = by_type.get(event.type)
            if endpoints:
                self._add(tx, event, endpoints)

    def _add(self, tx: Tx, event: OutboxEvent, endpoints: tuple[str, ...]) -> None:
        rows: list[NewDelivery] | None = tx.memo.get(_ROWS)
        if rows is None:
            rows = tx.memo[_ROWS] = []
            tx.before_commit(_ROWS, _flush)
        event_id = f"evt_{secrets.token_hex(12)}"
        body = payload(event_id, event)
        rows.extend(
            NewDelivery(endpoint, event_id, event.room_id, event.type, body, event.at)
            for endpoint in endpoints
        )


def changed(tx: Tx) -> None:
    """An endpoint changed in this transaction: bump the version (every process
    reloads) and let this transaction's later records see the change."""
    store.bump_version(tx)
    tx.memo.pop(_MEMO, None)
    tx.memo[_DIRTY] = True


def payload(event_id: str, event: OutboxEvent) -> str:
    """The body as delivered (Standard Webhooks' ``type``, ``timestamp``, ``data``)."""
    return json.dumps(
        {
            "id": event_id,
            "type": event.type,
            "timestamp": rfc3339(event.at),
            "room_id": event.room_id,
            "data": event.data,
        },
        separators=(",", ":"),
    )


def rfc3339(at_ns: int) -> str:
    moment = datetime.fromtimestamp(at_ns // 1_000_000_000, UTC)
    micros = at_ns // 1000 % 1_000_000
    return moment.replace(microsecond=micros).isoformat().replace("+00:00", "Z")


def _flush(tx: Tx) -> None:
    rows = tx.memo.pop(_ROWS, None)
    if rows:
        store.insert_deliveries(tx, rows)


def _load(tx: Tx, version: int) -> Subscriptions:
    by_type: dict[str, list[str]] = {}
    for subscription in sorted(subscriptions(tx), key=lambda s: (s.endpoint_id, s.event_types)):
        stored = subscription.event_types
        for type in EVENT_TYPES if stored == ALL_TYPES else stored.split():
            by_type.setdefault(type, []).append(subscription.endpoint_id)
    return Subscriptions(version, {type: tuple(ids) for type, ids in by_type.items()})
