"""Webhooks out over HTTP: endpoints registered through the API, events written to the
outbox with their change, delivered to a real receiver on loopback, signed and
verifiable with the Standard Webhooks reference library, in order per room, retried
until the receiver recovers; private URLs refused."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from giftflow.http.schemas.webhooks import WebhookEndpointCreate
from giftflow.service.economy import Economy
from giftflow.service.webhooks import EVENT_TYPES, endpoints
from giftflow.service.webhooks.worker import deliver_due
from tests.api.conftest import DAY_S, HOOKS, LION, ROSE, World, assert_problem, open_world
from tests.api.receiver import Receiver, by_room
from tests.cli.conftest import environment

Json = dict[str, Any]
SETTINGS: Json = HOOKS | {
    "webhooks_retry_schedule_s": (1, 2, 4),
    "webhooks_retry_jitter": 0,
    "webhooks_disable_after_s": 30,
}


@pytest.fixture
def hook_settings() -> Json:
    return SETTINGS


def deliver(economy: Economy, passes: int = 50) -> int:
    """Delivery passes until nothing is due (or ``passes``); how many were sent."""
    return asyncio.run(deliver_due(economy.ledger, economy.context.settings, passes=passes))


def register(world: World, url: str, types: list[str] | None = None) -> Json:
    body: Json = {"url": url, "description": "backend"}
    if types is not None:
        body["event_types"] = types
    return world.ok(world.post("/v1/webhook-endpoints", body, world.admin_key), 201)


def test_event_types_of_the_api_are_the_outbox_types() -> None:
    """The schema a client reads offers exactly the outbox's types, in its order."""
    field = WebhookEndpointCreate.model_json_schema()["properties"]["event_types"]
    listed = next(option for option in field["anyOf"] if option.get("type") == "array")
    assert tuple(listed["items"]["enum"]) == EVENT_TYPES


def test_a_receiver_gets_every_event_signed_and_in_order_per_room(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    endpoint = register(world, receiver.url)
    assert endpoint["secret"].startswith("whsec_") and endpoint["event_types"] is None
    assert "secret" not in world.ok(
        world.get(f"/v1/webhook-endpoints/{endpoint['id']}", world.admin_key)
    )
    carol = world.user("carol", creator=True)["id"]
    dave = world.user("dave", creator=True)["id"]
    alice = world.user("alice")["id"]
    world.buy(alice, 100_000)
    session = world.ok(
        world.post(f"/v1/rooms/{carol}/sessions", {"title": "live"}, world.admin_key), 201
    )
    sent: dict[int, list[str]] = {carol: [], dave: []}
    for n in range(12):
        creator = (carol, dave)[n % 2]
        fields = {"session_id": session["id"]} if creator == carol else {}
        sent[creator].append(str(world.gift(alice, creator, ROSE, quantity=n + 1, **fields)["id"]))
    refused = world.post(
        "/v1/gifts",
        world.gift_body(alice, dave, LION, quantity=99),
        world.admin_key,
        key=world.new_key(),
    )
    assert refused.status_code == 422  # no coins for it: no event either
    assert deliver(world.economy) > 0
    events = receiver.events(endpoint["secret"])
    gifts = by_room(events, "gift.sent")
    assert {room: [g["gift_event_id"] for g in data] for room, data in gifts.items()} == sent
    assert gifts[carol][0]["session_id"] == session["id"] and gifts[dave][0]["session_id"] is None
    types = [event["type"] for event in events]
    assert types.count("purchase.paid") == 1 and types.count("session.started") == 1
    assert types.count("gift.sent") == 12 and len(events) == 14
    paid = next(event for event in events if event["type"] == "purchase.paid")
    assert paid["room_id"] == alice and paid["data"]["coins"] == 100_000
    assert all(event["timestamp"].endswith("Z") for event in events)
    delivered = world.ok(
        world.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", world.admin_key)
    )["deliveries"]
    assert len(delivered) == 14 and {d["state"] for d in delivered} == {"delivered"}


def test_no_outbox_rows_without_a_subscriber_and_only_the_types_asked_for(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    carol, alice = world.user("carol", creator=True)["id"], world.user("alice")["id"]
    world.buy(alice, 1_000)
    world.gift(alice, carol, ROSE)
    assert world.count("webhook_deliveries") == 0
    endpoint = register(world, receiver.url, ["gift.sent"])
    world.buy(alice, 1_000)  # purchase.paid: not asked for
    world.gift(alice, carol, ROSE)  # the first gift after the endpoint: seen at once
    assert world.count("webhook_deliveries") == 1
    changed = world.ok(
        world.patch_json(
            f"/v1/webhook-endpoints/{endpoint['id']}", {"enabled": False}, world.admin_key
        )
    )
    assert changed["enabled"] is False
    world.gift(alice, carol, ROSE)
    assert world.count("webhook_deliveries") == 1
    world.ok(
        world.patch_json(
            f"/v1/webhook-endpoints/{endpoint['id']}",
            {"enabled": True, "event_types": None},
            world.admin_key,
        )
    )
    world.gift(alice, carol, ROSE)
    assert world.count("webhook_deliveries") == 2
    deleted = world.client.delete(
        f"/v1/webhook-endpoints/{endpoint['id']}",
        headers={"Authorization": f"Bearer {world.admin_key}"},
    )
    assert deleted.status_code == 204
    world.gift(alice, carol, ROSE)
    assert world.count("webhook_deliveries") == 0


def test_a_receiver_that_fails_for_a_while_gets_everything_after_it_recovers(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    endpoint = register(world, receiver.url, ["gift.sent"])
    carol, dave = world.user("carol", creator=True)["id"], world.user("dave", creator=True)["id"]
    alice = world.user("alice")["id"]
    world.buy(alice, 1_000)
    receiver.status = 503
    sent = {carol: [str(world.gift(alice, carol, ROSE)["id"]) for _ in range(3)]}
    sent[dave] = [str(world.gift(alice, dave, ROSE)["id"]) for _ in range(2)]
    assert deliver(world.economy) == 2  # one head per room; the rest wait behind it
    world.clock.advance(seconds=1)
    assert deliver(world.economy) == 2
    receiver.status = 200
    assert deliver(world.economy) == 0  # the next retry is not due yet (2 s)
    world.clock.advance(seconds=2)
    assert deliver(world.economy) == 5
    gifts = by_room(receiver.events(endpoint["secret"]), "gift.sent")
    assert {room: [g["gift_event_id"] for g in data] for room, data in gifts.items()} == sent
    listed = world.ok(
        world.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", world.admin_key)
    )["deliveries"]
    head = min(listed, key=lambda d: d["id"])
    one = world.ok(
        world.get(
            f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{head['id']}", world.admin_key
        )
    )
    assert [a["status_code"] for a in one["log"]] == [503, 503, 200]
    assert all(a["duration_ms"] >= 0 for a in one["log"]) and one["state"] == "delivered"


def test_a_delivery_is_given_up_redelivered_by_hand_and_a_dead_endpoint_disabled(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    endpoint = register(world, receiver.url, ["gift.sent"])
    path = f"/v1/webhook-endpoints/{endpoint['id']}"
    carol, alice = world.user("carol", creator=True)["id"], world.user("alice")["id"]
    world.buy(alice, 1_000)
    receiver.status = 500
    world.gift(alice, carol, ROSE)
    for wait_s in (0, 1, 2, 4):  # four attempts: the schedule has three waits
        world.clock.advance(seconds=wait_s)
        assert deliver(world.economy) == 1
    (given_up,) = world.ok(world.get(f"{path}/deliveries", world.admin_key))["deliveries"]
    assert given_up["state"] == "failed" and given_up["attempts"] == 4
    receiver.status = 200
    again = world.ok(
        world.post(f"{path}/deliveries/{given_up['id']}/redeliver", None, world.admin_key), 202
    )
    assert again["state"] == "pending"
    assert deliver(world.economy) == 1
    assert len(receiver.events(endpoint["secret"])) == 1
    receiver.status = 500
    world.gift(alice, carol, ROSE)
    for wait_s in (0, 1, 2, 4, 30):
        world.clock.advance(seconds=wait_s)
        deliver(world.economy)
    world.gift(alice, carol, ROSE)
    world.clock.advance(seconds=30)
    deliver(world.economy)
    disabled = world.ok(world.get(path, world.admin_key))
    assert disabled["enabled"] is False and "failed" in disabled["disabled_reason"]
    rows = world.count("webhook_deliveries")
    world.gift(alice, carol, ROSE)
    assert world.count("webhook_deliveries") == rows  # a disabled endpoint gets no more


def test_a_rotated_secret_signs_with_both_for_a_while(hooked: World, receiver: Receiver) -> None:
    world = hooked
    endpoint = register(world, receiver.url, ["gift.sent"])
    rotated = world.ok(
        world.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", None, world.admin_key)
    )
    assert rotated["secret"] != endpoint["secret"]
    carol, alice = world.user("carol", creator=True)["id"], world.user("alice")["id"]
    world.buy(alice, 1_000)
    world.gift(alice, carol, ROSE)
    deliver(world.economy)
    (received,) = receiver.ok()
    for secret in (endpoint["secret"], rotated["secret"]):
        assert received.verified(secret)["type"] == "gift.sent"
    world.clock.advance(seconds=DAY_S + 1)
    world.gift(alice, carol, ROSE)
    deliver(world.economy)
    assert len(receiver.ok()[1].headers["webhook-signature"].split()) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://192.168.0.10/hooks",
        "http://169.254.169.254/latest",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://0.0.0.0/hooks",
        "ftp://example.com/hooks",
        "https://user:pw@example.com/hooks",
        "https://exämple.com/hooks",  # a host in Unicode: its punycode is what goes out
        "https://example.com/café",  # a path not percent-encoded
    ],
)
def test_private_and_odd_urls_are_refused(database_url: str, tmp_path: Path, url: str) -> None:
    with open_world(database_url, tmp_path / "payouts", webhooks_worker=False) as world:
        refused = world.post("/v1/webhook-endpoints", {"url": url}, world.admin_key)
        assert_problem(refused, 422, "webhook_url_refused")
        assert world.count("webhook_endpoints") == 0


def test_unknown_event_types_and_endpoints_are_refused(hooked: World) -> None:
    world = hooked
    refused = world.post(
        "/v1/webhook-endpoints",
        {"url": "http://127.0.0.1:9/x", "event_types": ["gift.exploded"]},
        world.admin_key,
    )
    assert_problem(refused, 422, "validation_failed")
    missing = world.get("/v1/webhook-endpoints/we_nothing", world.admin_key)
    assert_problem(missing, 404, "webhook_endpoint_not_found")


@pytest.fixture
def second_process(hooked: World) -> Iterator[Economy]:
    """Another economy on the same PostgreSQL database: a second server's view."""
    settings = hooked.economy.context.settings
    with Economy.open(settings, clock=hooked.clock, providers={}) as other:
        yield other


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_an_endpoint_made_in_another_process_gets_the_next_change(
    hooked: World, second_process: Economy, receiver: Receiver
) -> None:
    world = hooked
    carol, alice = world.user("carol", creator=True)["id"], world.user("alice")["id"]
    world.buy(alice, 1_000)
    world.gift(alice, carol, ROSE)  # this process now caches "nobody subscribed"
    endpoints.create(
        second_process.ledger,
        url=receiver.url,
        event_types=["gift.sent"],
        description="",
        created_by="test",
    )
    world.gift(alice, carol, ROSE)
    assert world.count("webhook_deliveries") == 1


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_processes_claiming_at_once_deliver_each_event_once_in_order(
    hooked: World, second_process: Economy, receiver: Receiver
) -> None:
    world = hooked
    endpoint = register(world, receiver.url, ["gift.sent"])
    creators = [world.user(f"creator{n}", creator=True)["id"] for n in range(4)]
    alice = world.user("alice")["id"]
    world.buy(alice, 1_000)
    sent: dict[int, list[str]] = {creator: [] for creator in creators}
    for n in range(24):
        creator = creators[n % 4]
        sent[creator].append(str(world.gift(alice, creator, ROSE)["id"]))
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(deliver, [world.economy, second_process]))
    while sum(done) < 24:  # a pass that found a room's line busy leaves it to the next
        done.append(deliver(world.economy))
    ids = [item.headers["webhook-id"] for item in receiver.ok()]
    assert len(ids) == len(set(ids)) == 24  # no event twice: claims never overlapped
    gifts = by_room(receiver.events(endpoint["secret"]), "gift.sent")
    assert {room: [g["gift_event_id"] for g in data] for room, data in gifts.items()} == sent


def test_the_cli_delivers_one_pass(hooked: World, receiver: Receiver) -> None:
    """``giftflow webhooks deliver``, a process of its own, on the same database."""
    world = hooked
    if world.economy.context.settings.database_url.startswith("postgresql"):
        pytest.skip("the command's own test on one backend is enough")
    register(world, receiver.url, ["gift.sent"])
    carol, alice = world.user("carol", creator=True)["id"], world.user("alice")["id"]
    world.buy(alice, 1_000)
    world.gift(alice, carol, ROSE)
    settings = environment(webhooks_allow_private="true", environment="development")
    command = [sys.executable, "-m", "giftflow", "webhooks", "deliver"]
    url = world.economy.context.settings.database_url
    done = subprocess.run(
        [*command, "--database-url", url],
        env=settings,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "1 delivery attempts made" in done.stderr
    assert len(receiver.ok()) == 1
