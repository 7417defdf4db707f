"""Perks that deliver and digital products over real HTTP, on SQLite and PostgreSQL:
files uploaded and downloaded through signed, expiring links that refuse the wrong
supporter and expired links; products bought for coins through the ledger (the books
reconcile, the creator's share exact), refunds that claw the diamonds back and revoke
the downloads; no double purchase under one key, two keys or concurrency; early access
to products and to a scheduled LIVE's registration; the priority Q&A queue."""

from __future__ import annotations

import asyncio
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from giftflow.creator.perks import NotEntitledError
from giftflow.ids import UserId
from giftflow.live.events import Event
from giftflow.service.creator import perks
from giftflow.service.live import LiveSettings
from giftflow.service.live.context import LiveContext
from tests.api.conftest import DAY_S, ROSE, TOKEN_SECRET, World, assert_problem

Json = dict[str, Any]
PRESET = b"preset: warm-film\nexposure: +0.3\n" * 40
SHARE_BPS = 5_000
"""The shipped catalog's revenue share (the products' default)."""


def upload(world: World, creator: int, content: bytes = PRESET, **query: str) -> httpx.Response:
    return world.upload(creator, content, **({"filename": "warm-film.txt"} | query))


def cast(world: World) -> Json:
    """Carol the creator, live; alice a level-2 supporter (100 coins gifted), bob level 1
    (1 coin), eve none; each with coins to spend."""
    ids = {name: world.user(name)["id"] for name in ("alice", "bob", "eve")}
    ids["carol"] = world.user("carol", creator=True)["id"]
    ids["session"] = world.ok(
        world.post(f"/v1/rooms/{ids['carol']}/sessions", {}, world.admin_key), 201
    )["id"]
    for name in ("alice", "bob", "eve"):
        world.buy(ids[name], 1_000)
    world.gift(ids["alice"], ids["carol"], ROSE, quantity=100, session_id=ids["session"])
    world.gift(ids["bob"], ids["carol"], ROSE, session_id=ids["session"])
    return ids


def file_of(world: World, creator: int) -> Json:
    return world.ok(upload(world, creator), 201)


def reconciled(world: World) -> None:
    report = world.economy.reconcile()
    assert report.ok, (report.mismatches, report.problems)


def pending_units(world: World, creator: int) -> int:
    return world.economy.earnings(UserId(creator)).pending_units


# --- files and file perks -------------------------------------------------------------


def test_a_file_perk_downloads_for_supporters_only_and_its_links_expire(world: World) -> None:
    ids = cast(world)
    stored = file_of(world, ids["carol"])
    assert stored["size_bytes"] == len(PRESET)
    assert stored["sha256"] == hashlib.sha256(PRESET).hexdigest()
    body = {"kind": "file", "level": 2, "file_id": stored["id"]}
    perk = world.ok(
        world.post(f"/v1/rooms/{ids['carol']}/delivering-perks", body, world.admin_key), 201
    )
    alice, bob = world.token(ids["alice"]), world.token(ids["bob"])
    path = f"/v1/delivering-perks/{perk['id']}/links"
    link = world.ok(
        world.post(path, {"user_id": ids["alice"], "file_id": stored["id"]}, alice), 201
    )
    got = world.client.get(link["url"])
    assert got.status_code == 200 and got.content == PRESET
    assert got.headers["content-type"].startswith("text/plain")
    assert got.headers["x-content-sha256"] == stored["sha256"]
    assert got.headers["content-disposition"] == 'attachment; filename="warm-film.txt"'
    # bob is at level 1: no link for him, and alice's link does not pass for his.
    refused = world.post(path, {"user_id": ids["bob"], "file_id": stored["id"]}, bob)
    assert_problem(refused, 403, "not_entitled")
    forged = link["url"].replace(f".{ids['alice']}.", f".{ids['bob']}.")
    assert_problem(world.client.get(forged), 403, "download_link_invalid")
    assert_problem(world.client.get(link["url"] + "x"), 403, "download_link_invalid")
    # Another user's token does not make a link for alice either.
    other = world.post(path, {"user_id": ids["alice"], "file_id": stored["id"]}, bob)
    assert other.status_code == 403
    # The link expires on the economy's clock.
    world.clock.advance(seconds=world.economy.context.settings.file_link_ttl_s)
    assert_problem(world.client.get(link["url"]), 410, "download_link_expired")


def test_a_link_stops_working_once_its_perk_is_gone(world: World) -> None:
    ids = cast(world)
    stored = file_of(world, ids["carol"])
    body = {"kind": "file", "level": 1, "file_id": stored["id"]}
    perk = world.ok(
        world.post(f"/v1/rooms/{ids['carol']}/delivering-perks", body, world.admin_key), 201
    )
    request = {"user_id": ids["bob"], "file_id": stored["id"]}
    link = world.ok(
        world.post(f"/v1/delivering-perks/{perk['id']}/links", request, world.admin_key), 201
    )
    assert world.client.get(link["url"]).status_code == 200
    carol = world.token(ids["carol"], "creator")
    assert (
        world.client.delete(
            f"/v1/delivering-perks/{perk['id']}", headers={"Authorization": f"Bearer {carol}"}
        ).status_code
        == 204
    )
    assert_problem(world.client.get(link["url"]), 404, "perk_not_found")


def test_bad_files_are_refused_and_change_nothing(world: World) -> None:
    ids = cast(world)
    before = world.count("creator_files")
    assert_problem(upload(world, ids["carol"], b""), 422, "file_size_invalid")
    assert_problem(upload(world, ids["carol"], filename=".hidden"), 422, "filename_invalid")
    assert_problem(upload(world, ids["carol"], filename='a"b.txt'), 422, "filename_invalid")
    headers = {"Authorization": f"Bearer {world.admin_key}", "Content-Type": "text/html"}
    html = world.client.post(
        f"/v1/creators/{ids['carol']}/files",
        content=b"<script>",
        params={"filename": "x.html"},
        headers=headers,
    )
    assert_problem(html, 422, "file_type_refused")
    too_big = b"x" * (world.economy.context.settings.file_max_bytes + 1)
    assert upload(world, ids["carol"], too_big).status_code == 413
    assert_problem(upload(world, ids["alice"]), 422, "not_a_creator")
    assert world.count("creator_files") == before


# --- products -------------------------------------------------------------------------


def product_of(world: World, creator: int, price: int = 99, **fields: Any) -> Json:
    file_id = file_of(world, creator)["id"]
    body = {"title": "Warm film presets", "price_coins": price, "file_ids": [file_id]} | fields
    return world.ok(world.post(f"/v1/rooms/{creator}/products", body, world.admin_key), 201)


def buy(world: World, product: Json, buyer: int, key: str | None = None) -> httpx.Response:
    path = f"/v1/products/{product['id']}/purchases"
    return world.post(path, {"buyer_id": buyer}, world.admin_key, key=key or world.new_key())


def refund(world: World, purchase: Json, credential: str, key: str | None = None) -> httpx.Response:
    path = f"/v1/product-purchases/{purchase['id']}/refund"
    return world.post(path, None, credential, key=key or world.new_key())


def test_a_purchase_books_the_price_and_the_exact_share_and_a_refund_claws_it_back(
    world: World,
) -> None:
    ids = cast(world)
    product = product_of(world, ids["carol"], price=99)
    coins, units = world.coins(ids["eve"]), pending_units(world, ids["carol"])
    purchase = world.ok(buy(world, product, ids["eve"]), 201)
    assert purchase["state"] == "paid" and purchase["diamond_units"] == 99 * SHARE_BPS
    assert world.coins(ids["eve"]) == coins - 99
    assert pending_units(world, ids["carol"]) == units + 99 * SHARE_BPS
    reconciled(world)
    # Itemised: the creator's statement names the sale, the buyer's lists the product.
    lines = world.ok(world.get(f"/v1/earnings/{ids['carol']}/statement", world.admin_key))["lines"]
    assert lines[0]["kind"] == "product_sale" and lines[0]["units"] == 99 * SHARE_BPS
    assert str(lines[0]["reference"]) == purchase["id"]
    eve = world.token(ids["eve"])
    mine = world.ok(world.get(f"/v1/users/{ids['eve']}/product-purchases", eve))["purchases"]
    assert [(p["id"], p["title"], p["price_coins"]) for p in mine] == [
        (purchase["id"], "Warm film presets", 99)
    ]
    # The buyer downloads the product's file.
    file_id = product["file_ids"][0]
    path = f"/v1/product-purchases/{purchase['id']}/links"
    link = world.ok(world.post(path, {"file_id": file_id}, eve), 201)
    assert world.client.get(link["url"]).content == PRESET
    assert_problem(
        world.post(path, {"file_id": file_id}, world.token(ids["bob"])), 403, "forbidden"
    )
    # The creator refunds: the coins back, the diamonds back exactly, the link refused.
    carol = world.token(ids["carol"], "creator")
    refunded = world.ok(refund(world, purchase, carol))
    assert refunded["state"] == "refunded" and refunded["clawed_back_units"] == 99 * SHARE_BPS
    assert world.coins(ids["eve"]) == coins
    assert pending_units(world, ids["carol"]) == units
    assert_problem(world.client.get(link["url"]), 403, "not_entitled")
    assert_problem(world.post(path, {"file_id": file_id}, eve), 403, "not_entitled")
    assert_problem(refund(world, purchase, carol), 409, "product_purchase_refunded")
    lines = world.ok(world.get(f"/v1/earnings/{ids['carol']}/statement", world.admin_key))["lines"]
    assert lines[0]["kind"] == "product_refund" and lines[0]["units"] == -99 * SHARE_BPS
    reconciled(world)
    # Refunded, it may be bought again (new transfers, a new purchase).
    again = world.ok(buy(world, product, ids["eve"]), 201)
    assert again["id"] != purchase["id"] and world.coins(ids["eve"]) == coins - 99
    reconciled(world)


def test_no_double_purchase_under_one_key_two_keys_or_concurrency(world: World) -> None:
    ids = cast(world)
    product = product_of(world, ids["carol"], price=10)
    coins = world.coins(ids["eve"])
    key = world.new_key()
    first = buy(world, product, ids["eve"], key)
    replay = buy(world, product, ids["eve"], key)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay.headers["idempotent-replayed"] == "true"
    assert_problem(buy(world, product, ids["eve"]), 409, "product_owned")
    assert world.coins(ids["eve"]) == coins - 10
    # Eight requests at once, eight keys, for alice: one purchase.
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: buy(world, product, ids["alice"]), range(8)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(201) == 1 and set(statuses) <= {201, 409}, [a.text for a in answers]
    owned = world.ok(world.get(f"/v1/products/{product['id']}/purchases", world.admin_key))
    assert sorted(p["buyer_id"] for p in owned["purchases"]) == sorted([ids["eve"], ids["alice"]])
    reconciled(world)


def test_purchases_that_break_a_rule_are_refused_and_change_nothing(world: World) -> None:
    ids = cast(world)
    product = product_of(world, ids["carol"], price=5_000)
    before = world.snapshot(), world.count("product_purchases")
    assert_problem(buy(world, product, ids["eve"]), 422, "insufficient_funds")
    assert_problem(buy(world, product, ids["carol"]), 422, "self_purchase")
    eve = world.token(ids["eve"])
    path = f"/v1/products/{product['id']}/purchases"
    assert_problem(
        world.post(path, {"buyer_id": ids["bob"]}, eve, key=world.new_key()), 403, "forbidden"
    )
    assert_problem(world.post(path, {"buyer_id": ids["eve"]}, eve), 400, "idempotency_key_missing")
    archived = world.patch_json(
        f"/v1/products/{product['id']}", {"state": "archived"}, world.admin_key
    )
    assert world.ok(archived)["state"] == "archived"
    assert_problem(buy(world, product, ids["eve"]), 409, "product_archived")
    missing = world.post(
        "/v1/products/pr_nothing/purchases", {"buyer_id": ids["eve"]}, world.admin_key, key="k"
    )
    assert_problem(missing, 404, "product_not_found")
    assert (world.snapshot(), world.count("product_purchases")) == before


def test_a_refund_after_maturity_returns_the_coins_and_leaves_the_matured_diamonds(
    world: World,
) -> None:
    ids = cast(world)
    product = product_of(world, ids["carol"], price=40)
    purchase = world.ok(buy(world, product, ids["eve"]), 201)
    world.clock.advance(seconds=30 * DAY_S)
    available = world.economy.earnings(ids["carol"]).available_units  # matures the sale
    assert available >= 40 * SHARE_BPS
    coins = world.coins(ids["eve"])
    refunded = world.ok(refund(world, purchase, world.admin_key))
    assert refunded["clawed_back_units"] == 0 and refunded["matured_at"] is not None
    assert world.coins(ids["eve"]) == coins + 40
    assert world.economy.earnings(ids["carol"]).available_units == available
    reconciled(world)


def test_early_access_lets_supporters_buy_first(world: World) -> None:
    ids = cast(world)
    now = datetime.fromtimestamp(world.clock.now_ns() // 1_000_000_000, UTC)
    early = {"level": 2, "opens_at": (now + timedelta(hours=2)).isoformat(), "early_s": 3_600}
    product = product_of(world, ids["carol"], price=10, early_access=early)
    assert product["early_access"]["level"] == 2
    assert_problem(buy(world, product, ids["alice"]), 409, "not_open_yet")
    world.clock.advance(seconds=3_600)
    assert_problem(buy(world, product, ids["bob"]), 403, "early_access_only")
    world.ok(buy(world, product, ids["alice"]), 201)
    world.clock.advance(seconds=3_600)
    world.ok(buy(world, product, ids["bob"]), 201)
    perks = world.ok(
        world.get(f"/v1/rooms/{ids['carol']}/delivering-perks", world.token(ids["eve"]))
    )
    assert [(p["kind"], p["product_id"]) for p in perks["perks"]] == [
        ("early_access", product["id"])
    ]


def test_early_access_to_a_scheduled_lives_registration(world: World) -> None:
    ids = cast(world)
    now = datetime.fromtimestamp(world.clock.now_ns() // 1_000_000_000, UTC)
    body = {"title": "Q&A night", "starts_at": (now + timedelta(days=2)).isoformat()}
    schedule = world.ok(
        world.post(f"/v1/rooms/{ids['carol']}/schedules", body, world.admin_key), 201
    )
    open_schedule = world.ok(
        world.post(f"/v1/rooms/{ids['carol']}/schedules", body, world.admin_key), 201
    )
    early = {"level": 2, "opens_at": (now + timedelta(days=1)).isoformat(), "early_s": DAY_S}
    perk = {"kind": "early_access", "schedule_id": schedule["id"], "early_access": early}
    world.ok(world.post(f"/v1/rooms/{ids['carol']}/delivering-perks", perk, world.admin_key), 201)
    path = f"/v1/schedules/{schedule['id']}/registrations"
    assert_problem(
        world.post(path, {"user_id": ids["bob"]}, world.admin_key), 403, "early_access_only"
    )
    world.ok(world.post(path, {"user_id": ids["alice"]}, world.admin_key), 201)
    # A schedule without early access opens at once, as it always did.
    world.ok(
        world.post(
            f"/v1/schedules/{open_schedule['id']}/registrations",
            {"user_id": ids["bob"]},
            world.admin_key,
        ),
        201,
    )
    world.clock.advance(seconds=DAY_S)
    world.ok(world.post(path, {"user_id": ids["bob"]}, world.admin_key), 201)


# --- priority Q&A ---------------------------------------------------------------------


def test_the_priority_queue_orders_by_level_then_time_and_tells_the_room(world: World) -> None:
    ids = cast(world)
    start = world.bus.last_id(ids["carol"])
    perks = {"perks": [{"level": 1, "kind": "qa_priority"}]}
    world.ok(world.put_json(f"/v1/rooms/{ids['carol']}/perks", perks, world.admin_key))
    path = f"/v1/sessions/{ids['session']}/questions"
    bob_q = world.ok(
        world.post(path, {"user_id": ids["bob"], "text": "First!"}, world.token(ids["bob"])), 201
    )
    world.clock.advance(seconds=5)
    alice_q = world.ok(
        world.post(
            path, {"user_id": ids["alice"], "text": "Which lens?"}, world.token(ids["alice"])
        ),
        201,
    )
    assert (bob_q["level"], alice_q["level"]) == (1, 2)
    refused = world.post(path, {"user_id": ids["eve"], "text": "Me?"}, world.token(ids["eve"]))
    assert_problem(refused, 403, "not_entitled")
    queue = world.ok(world.get(path, world.admin_key))["questions"]
    assert [q["id"] for q in queue] == [alice_q["id"], bob_q["id"]]
    carol = world.token(ids["carol"], "creator")
    world.ok(world.post(f"/v1/questions/{alice_q['id']}/answer", None, carol))
    world.ok(world.post(f"/v1/questions/{bob_q['id']}/skip", None, carol))
    assert_problem(
        world.post(f"/v1/questions/{bob_q['id']}/answer", None, carol), 409, "question_closed"
    )
    assert world.ok(world.get(path, world.admin_key))["questions"] == []
    done = world.ok(world.get(path, world.admin_key, state="answered"))["questions"]
    assert [q["id"] for q in done] == [alice_q["id"]]
    heard = asyncio.run(asyncio.wait_for(questions_heard(world, ids["carol"], start, 4), 10))
    assert [e.type for e in heard] == [
        "question.submitted", "question.submitted", "question.answered", "question.skipped"
    ]  # fmt: skip
    assert [e.data["queued"] for e in heard] == [1, 2, 1, 0]
    assert heard[1].data["question_id"] == alice_q["id"] and heard[1].data["level"] == 2


async def questions_heard(world: World, room: int, after: str | None, count: int) -> list[Event]:
    """The room's ``question.*`` events after ``after``, as a WebSocket would get them."""
    heard: list[Event] = []
    async for event in world.bus.subscribe(UserId(room), after=after):
        if event.type.startswith("question."):
            heard.append(event)
        if len(heard) == count:
            break
    return heard


def test_a_supporter_below_the_level_at_download_time_is_refused(world: World) -> None:
    """The link was good when made; the download checks the level again (here the
    thresholds a server runs with were raised, so alice's 100 coins are level 1)."""
    ids = cast(world)
    stored = file_of(world, ids["carol"])
    body = {"kind": "file", "level": 2, "file_id": stored["id"]}
    perk = world.ok(
        world.post(f"/v1/rooms/{ids['carol']}/delivering-perks", body, world.admin_key), 201
    )
    request = {"user_id": ids["alice"], "file_id": stored["id"]}
    path = f"/v1/delivering-perks/{perk['id']}/links"
    url = world.ok(world.post(path, request, world.admin_key), 201)["url"]
    link = url.removeprefix("/v1/downloads/")
    secret = TOKEN_SECRET.encode()
    served = LiveContext(world.economy.context, world.bus, LiveSettings())
    assert perks.download(served, secret, link)[1] == PRESET
    raised = LiveContext(
        world.economy.context, world.bus, LiveSettings(level_thresholds_coins=(1, 1_000))
    )
    with pytest.raises(NotEntitledError):
        perks.download(raised, secret, link)
    # A refusal's problem never shows the link (it is a credential in the URL).
    problem = assert_problem(world.client.get(url + "x"), 403, "download_link_invalid")
    assert problem["instance"] == "/v1/downloads/[redacted]"


def test_coin_flows_balance_with_products_sold_and_refunded(world: World) -> None:
    ids = cast(world)
    product = product_of(world, ids["carol"], price=60)
    kept = world.ok(buy(world, product, ids["eve"]), 201)
    refunded = world.ok(buy(world, product, ids["bob"]), 201)
    world.ok(refund(world, refunded, world.admin_key))
    day = datetime.fromtimestamp(world.clock.now_ns() // 1_000_000_000, UTC).date()
    period = {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}
    for path in (f"/v1/creators/{ids['carol']}/coin-flows", "/v1/coin-flows"):
        flows = world.ok(world.get(path, world.admin_key, **period))
        links = {(k["source"], k["target"]): k["value_units"] for k in flows["links"]}
        assert links[("products", "diamonds")] == kept["diamond_units"]
        assert links[("products", "platform_share")] == 60 * 10_000 - kept["diamond_units"]
    assert links[("wallets", "products")] == 60 * 10_000


def test_purchases_and_refunds_go_out_to_subscribed_endpoints(hooked: World) -> None:
    """In the change's own transaction; a download is no event."""
    world = hooked
    ids = cast(world)
    hook = {
        "url": "http://127.0.0.1:9/in",
        "event_types": ["product.purchased", "product.refunded"],
    }
    world.ok(world.post("/v1/webhook-endpoints", hook, world.admin_key), 201)
    product = product_of(world, ids["carol"], price=7)
    purchase = world.ok(buy(world, product, ids["eve"]), 201)
    link = world.post(
        f"/v1/product-purchases/{purchase['id']}/links",
        {"file_id": product["file_ids"][0]},
        world.admin_key,
    )
    assert world.client.get(world.ok(link, 201)["url"]).status_code == 200
    world.ok(refund(world, purchase, world.admin_key))
    rows = world.economy.ledger.read(
        lambda tx: tx.execute("SELECT type, payload FROM webhook_deliveries ORDER BY id").fetchall()
    )
    assert [row[0] for row in rows] == ["product.purchased", "product.refunded"]
    refunded = json.loads(rows[1][1])["data"]
    assert refunded["purchase_id"] == purchase["id"] and refunded["state"] == "refunded"
    assert refunded["clawed_back_units"] == 7 * SHARE_BPS
