"""The delivery worker's statements over ``webhook_deliveries`` (tables in
``webhook_tables.py``): which lines have a due head, a line claimed under a lease, and
what a pass's attempts did.

A line is an endpoint and a room; its head is its oldest pending delivery. The heads
are found from the pending rows alone (the partial index ``webhook_deliveries_pending``
holds them, endpoint, room and id: one ``MIN(id)`` per line), never by walking the
table, which keeps every delivery ever made (decisions/0066). On PostgreSQL the heads
and their lines are locked ``FOR UPDATE … SKIP LOCKED``: two workers never claim the
same line at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.store.tx import NamedRow, Tx

_HEADS = (
    "SELECT h.id, h.endpoint_id, h.room_id FROM (SELECT endpoint_id, room_id, MIN(id) AS id"
    " FROM webhook_deliveries WHERE state = 'pending' GROUP BY endpoint_id, room_id) h"
    " JOIN webhook_deliveries d ON d.id = h.id JOIN webhook_endpoints e ON e.id = h.endpoint_id"
    " WHERE e.enabled AND d.next_attempt_at <= ? AND d.claimed_until <= ?"
)
STANDARD = "standard"
"""The body format of a platform's endpoint: signed per Standard Webhooks."""
ROWS_PER_INSERT = 500
"""Attempts per ``INSERT``: five parameters each, well under SQLite's limit."""
_LINE = (
    "SELECT d.id, d.endpoint_id, d.event_id, d.payload, d.attempts, e.url, e.secret,"
    " e.previous_secret, e.previous_secret_until, e.body_format"
    " FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id"
    " WHERE d.endpoint_id = ? AND d.room_id = ? AND d.state = 'pending' AND d.id >= ?"
    " ORDER BY d.id LIMIT ?"
)


@dataclass(frozen=True, slots=True)
class Head:
    """A line's oldest pending delivery, due and unclaimed."""

    id: int
    endpoint_id: str
    room_id: UserId


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """A delivery claimed for sending, with what its endpoint signs it with."""

    id: int
    endpoint_id: str
    event_id: str
    payload: str
    attempts: int
    url: str
    secret: str
    previous_secret: str | None
    previous_secret_until: int
    body_format: str = STANDARD
    """``standard``: signed per Standard Webhooks; ``discord``, ``telegram``: that
    service's body as stored, unsigned (a milestone channel's, docs/milestones.md)."""


@dataclass(frozen=True, slots=True)
class AttemptMade:
    """One attempt of a pass, as the log keeps it."""

    delivery_id: int
    attempted_at: UnixNs
    duration_ms: int
    status_code: int | None
    error: str | None


def _lock(tx: Tx) -> str:
    return " FOR UPDATE OF d SKIP LOCKED" if tx.dialect == "postgresql" else ""


def anything_due(tx: Tx, *, now_ns: int) -> bool:
    return tx.named(_HEADS + " LIMIT 1", (now_ns, now_ns)) is not None


def due_heads(tx: Tx, *, now_ns: int, limit: int) -> list[Head]:
    """Up to ``limit`` lines whose head is due and unclaimed, oldest head first."""
    rows = tx.named_all(_HEADS + " ORDER BY h.id LIMIT ?" + _lock(tx), (now_ns, now_ns, limit))
    return [Head(int(row["id"]), row["endpoint_id"], UserId(int(row["room_id"]))) for row in rows]


def line_of(tx: Tx, head: Head, *, limit: int) -> list[PendingDelivery]:
    """The line's pending deliveries from ``head`` on, in order, ``limit`` at most."""
    parameters = (head.endpoint_id, head.room_id, head.id, limit)
    return [_pending(row) for row in tx.named_all(_LINE + _lock(tx), parameters)]


def _pending(row: NamedRow) -> PendingDelivery:
    return PendingDelivery(
        id=int(row["id"]),
        endpoint_id=row["endpoint_id"],
        event_id=row["event_id"],
        payload=row["payload"],
        attempts=int(row["attempts"]),
        url=row["url"],
        secret=row["secret"],
        previous_secret=row["previous_secret"],
        previous_secret_until=int(row["previous_secret_until"]),
        body_format=row["body_format"],
    )


def lease(tx: Tx, delivery_ids: Sequence[int], *, until_ns: int) -> None:
    """Claimed until ``until_ns`` (0: given back, claimable again at once); one
    statement for the whole pass."""
    if not delivery_ids:
        return
    clause, ids = tx.any_of(list(delivery_ids))
    tx.execute(
        f"UPDATE webhook_deliveries SET claimed_until = ? WHERE id {clause}", (until_ns, ids)
    )


def log_attempts(tx: Tx, attempts: Sequence[AttemptMade]) -> None:
    """The pass's attempts, in multi-row inserts of ``ROWS_PER_INSERT``."""
    for start in range(0, len(attempts), ROWS_PER_INSERT):
        chunk = attempts[start : start + ROWS_PER_INSERT]
        tx.execute(
            "INSERT INTO webhook_attempts (delivery_id, attempted_at, duration_ms,"
            " status_code, error) VALUES " + ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk)),
            [
                value
                for a in chunk
                for value in (a.delivery_id, a.attempted_at, a.duration_ms, a.status_code, a.error)
            ],
        )


def mark_delivered(tx: Tx, attempts: Sequence[AttemptMade], *, at_ns: int) -> None:
    """Delivered at ``at_ns``: one statement per status code answered (mostly one)."""
    by_status: dict[int | None, list[int]] = {}
    for attempt in attempts:
        by_status.setdefault(attempt.status_code, []).append(attempt.delivery_id)
    for status_code, delivery_ids in by_status.items():
        clause, ids = tx.any_of(delivery_ids)
        tx.execute(
            "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1,"
            " delivered_at = ?, claimed_until = 0, last_status_code = ?, last_error = NULL"
            f" WHERE id {clause}",
            (at_ns, status_code, ids),
        )


def clear_failing(tx: Tx, endpoint_ids: Sequence[str]) -> None:
    """These endpoints delivered: no longer failing."""
    tx.executemany(
        "UPDATE webhook_endpoints SET failing_since = 0 WHERE id = ? AND failing_since <> 0",
        [(endpoint_id,) for endpoint_id in endpoint_ids],
    )


def mark_failed(
    tx: Tx, attempt: AttemptMade, *, attempts: int, next_attempt_at: int | None
) -> None:
    """A failed attempt: pending again at ``next_attempt_at``, or given up (None)."""
    tx.execute(
        "UPDATE webhook_deliveries SET attempts = ?, state = ?, next_attempt_at = ?,"
        " claimed_until = 0, last_status_code = ?, last_error = ? WHERE id = ?",
        (
            attempts,
            "failed" if next_attempt_at is None else "pending",
            0 if next_attempt_at is None else next_attempt_at,
            attempt.status_code,
            attempt.error,
            attempt.delivery_id,
        ),
    )


def failing_since(tx: Tx, endpoint_id: str, *, at_ns: int) -> None:
    """The endpoint fails from ``at_ns`` on, unless it already was failing."""
    tx.execute(
        "UPDATE webhook_endpoints SET failing_since = ? WHERE id = ? AND failing_since = 0",
        (at_ns, endpoint_id),
    )


def disable_if_failing_since(
    tx: Tx, endpoint_id: str, *, cutoff_ns: int, reason: str, now_ns: int
) -> bool:
    """Disable the endpoint if it has failed since ``cutoff_ns`` or before; whether it was."""
    tx.execute(
        "UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, updated_at = ?"
        " WHERE id = ? AND enabled AND failing_since > 0 AND failing_since <= ?",
        (False, reason, now_ns, endpoint_id, cutoff_ns),
    )
    return tx.rowcount == 1


# --- the delivery log, as the API shows it --------------------------------------------

_LOGGED = (
    "id, endpoint_id, event_id, room_id, type, payload, created_at, state, attempts,"
    " next_attempt_at, delivered_at, last_status_code, last_error"
)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt of a delivery, as logged."""

    attempted_at: UnixNs
    duration_ms: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Delivery:
    """What an endpoint was sent (or is waiting to be), with its attempts when read
    alone (``delivery``)."""

    id: int
    endpoint_id: str
    event_id: str
    room_id: UserId
    type: str
    payload: str
    created_at: UnixNs
    state: str
    attempts: int
    next_attempt_at: UnixNs
    delivered_at: UnixNs
    last_status_code: int | None
    last_error: str | None
    log: tuple[Attempt, ...] = ()


def _delivery(row: NamedRow, log: tuple[Attempt, ...] = ()) -> Delivery:
    return Delivery(
        id=int(row["id"]),
        endpoint_id=row["endpoint_id"],
        event_id=row["event_id"],
        room_id=UserId(int(row["room_id"])),
        type=row["type"],
        payload=row["payload"],
        created_at=int(row["created_at"]),
        state=row["state"],
        attempts=int(row["attempts"]),
        next_attempt_at=int(row["next_attempt_at"]),
        delivered_at=int(row["delivered_at"]),
        last_status_code=row["last_status_code"],
        last_error=row["last_error"],
        log=log,
    )


def of_endpoint(tx: Tx, endpoint_id: str, *, state: str | None, limit: int) -> list[Delivery]:
    """The endpoint's deliveries (in ``state``, or all), newest first."""
    where, values = "endpoint_id = ?", [endpoint_id]
    if state is not None:
        where += " AND state = ?"
        values.append(state)
    rows = tx.named_all(
        f"SELECT {_LOGGED} FROM webhook_deliveries WHERE {where} ORDER BY id DESC LIMIT ?",
        (*values, limit),
    )
    return [_delivery(row) for row in rows]


def delivery(tx: Tx, endpoint_id: str, delivery_id: int) -> Delivery | None:
    """The endpoint's delivery of this id with its attempts, oldest first."""
    row = tx.named(
        f"SELECT {_LOGGED} FROM webhook_deliveries WHERE id = ? AND endpoint_id = ?",
        (delivery_id, endpoint_id),
    )
    if row is None:
        return None
    attempts = tx.named_all(
        "SELECT attempted_at, duration_ms, status_code, error FROM webhook_attempts"
        " WHERE delivery_id = ? ORDER BY id",
        (delivery_id,),
    )
    log = tuple(
        Attempt(
            attempted_at=int(a["attempted_at"]),
            duration_ms=int(a["duration_ms"]),
            status_code=a["status_code"],
            error=a["error"],
        )
        for a in attempts
    )
    return _delivery(row, log)


def send_again(tx: Tx, delivery_id: int) -> None:
    """Pending again, due now, with a fresh retry schedule."""
    tx.execute(
        "UPDATE webhook_deliveries SET state = 'pending', attempts = 0,"
        " next_attempt_at = 0 WHERE id = ?",
        (delivery_id,),
    )
