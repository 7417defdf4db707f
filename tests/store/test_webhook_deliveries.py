"""The delivery worker's store functions on each backend: a line's head is its oldest
pending delivery whatever the table holds besides, a claimed or not yet due head keeps
its line out of a pass, a disabled endpoint's lines are never due, and a pass's leases,
attempts and delivered states are written for every delivery it names."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from giftflow.ids import UserId
from giftflow.service.ledger import Ledger
from giftflow.store import webhook_deliveries as deliveries
from giftflow.store.tx import Tx
from giftflow.store.webhook_deliveries import AttemptMade, Head

NOW = 1_000


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with Ledger.open(database_url) as opened:
        yield opened


def endpoint(tx: Tx, *, enabled: bool = True) -> str:
    endpoint_id = f"we_{secrets.token_hex(8)}"
    tx.execute(
        "INSERT INTO webhook_endpoints (id, url, description, event_types, secret,"
        " created_by, created_at, updated_at, enabled) VALUES (?, ?, '', '*', 's', 't', 0, 0, ?)",
        (endpoint_id, "https://hooks.example.com/", enabled),
    )
    return endpoint_id


def delivery(tx: Tx, endpoint_id: str, room_id: int, **columns: object) -> int:
    state = columns.get("state", "pending")
    tx.execute(
        "INSERT INTO webhook_deliveries (endpoint_id, event_id, room_id, type, payload,"
        " created_at, state, next_attempt_at, claimed_until) VALUES (?, ?, ?, 'gift.sent',"
        " '{}', 0, ?, ?, ?)",
        (
            endpoint_id,
            f"evt_{secrets.token_hex(6)}",
            room_id,
            state,
            columns.get("next_attempt_at", 0),
            columns.get("claimed_until", 0),
        ),
    )
    return int(tx.scalar("SELECT MAX(id) FROM webhook_deliveries"))


def mine(heads: list[Head], *endpoint_ids: str) -> set[tuple[str, int, int]]:
    return {(h.endpoint_id, h.room_id, h.id) for h in heads if h.endpoint_id in endpoint_ids}


def test_each_line_s_head_is_its_oldest_pending_delivery(ledger: Ledger) -> None:
    def scene(tx: Tx) -> dict[str, int | str]:
        hooks = endpoint(tx)
        for _ in range(30):  # the log of what went out before
            delivery(tx, hooks, 7, state="delivered")
        delivery(tx, hooks, 7, state="failed")
        first = delivery(tx, hooks, 7)
        delivery(tx, hooks, 7)
        other_room = delivery(tx, hooks, 8)
        return {"hooks": hooks, "first": first, "other_room": other_room}

    ids = ledger.write(scene)
    hooks = str(ids["hooks"])
    heads = ledger.read(lambda tx: deliveries.due_heads(tx, now_ns=NOW, limit=100_000))

    assert mine(heads, hooks) == {(hooks, 7, ids["first"]), (hooks, 8, ids["other_room"])}
    assert ledger.read(lambda tx: deliveries.anything_due(tx, now_ns=NOW))


def test_a_claimed_or_later_head_keeps_its_line_out_and_a_disabled_endpoint_is_never_due(
    ledger: Ledger,
) -> None:
    def scene(tx: Tx) -> tuple[str, str]:
        hooks, off = endpoint(tx), endpoint(tx, enabled=False)
        delivery(tx, hooks, 1, claimed_until=NOW + 1)  # another pass holds the line
        delivery(tx, hooks, 1)
        delivery(tx, hooks, 2, next_attempt_at=NOW + 1)  # its retry is not due yet
        delivery(tx, hooks, 2)
        delivery(tx, off, 1)
        return hooks, off

    hooks, off = ledger.write(scene)
    heads = ledger.read(lambda tx: deliveries.due_heads(tx, now_ns=NOW, limit=100_000))

    assert mine(heads, hooks, off) == set()


def test_a_pass_s_leases_attempts_and_states_reach_every_delivery(ledger: Ledger) -> None:
    def scene(tx: Tx) -> tuple[Head, list[int]]:
        hooks = endpoint(tx)
        ids = [delivery(tx, hooks, 3) for _ in range(4)]
        return Head(ids[0], hooks, UserId(3)), ids

    head, ids = ledger.write(scene)

    def claim(tx: Tx) -> list[int]:
        line = deliveries.line_of(tx, head, limit=3)
        deliveries.lease(tx, [item.id for item in line], until_ns=NOW + 50)
        return [item.id for item in line]

    claimed = ledger.write(claim)
    assert claimed == ids[:3]
    attempts = [
        AttemptMade(ids[0], NOW, 4, 204, None),
        AttemptMade(ids[1], NOW, 5, 200, None),
    ]

    def record(tx: Tx) -> None:
        deliveries.lease(tx, [ids[2]], until_ns=0)
        deliveries.log_attempts(tx, attempts)
        deliveries.mark_delivered(tx, attempts, at_ns=NOW + 9)

    ledger.write(record)
    rows = ledger.read(
        lambda tx: tx.named_all(
            "SELECT id, state, attempts, claimed_until, last_status_code, delivered_at"
            f" FROM webhook_deliveries WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY id",
            ids,
        )
    )
    assert [(r["state"], r["last_status_code"], r["claimed_until"]) for r in rows] == [
        ("delivered", 204, 0),
        ("delivered", 200, 0),
        ("pending", None, 0),
        ("pending", None, 0),
    ]
    assert [r["delivered_at"] for r in rows[:2]] == [NOW + 9, NOW + 9]
    logged = ledger.read(
        lambda tx: tx.named_all(
            "SELECT delivery_id, status_code FROM webhook_attempts WHERE delivery_id IN (?, ?)"
            " ORDER BY delivery_id",
            ids[:2],
        )
    )
    assert [(r["delivery_id"], r["status_code"]) for r in logged] == [(ids[0], 204), (ids[1], 200)]
