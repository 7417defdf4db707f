"""The whole life of a coin over real HTTP: bought, minted by a signed webhook, gifted
(a streak counted once), matured into diamonds, paid out through the manual partner,
and clawed back by a chargeback that freezes the wallet."""

from __future__ import annotations

import csv
import io

from tests.api.conftest import DAY_S, LION, ROSE, World, assert_problem, checkout_of

HAND_HEARTS = 5660
"""100 coins, not streakable."""
UNITS_PER_COIN = 5_000
"""Diamond units a coin earns at the catalog's 50 % revenue share."""


def test_health_and_readiness_answer_without_credentials(world: World) -> None:
    assert world.ok(world.get("/health")) == {"status": "ok"}
    assert world.ok(world.get("/ready")) == {"status": "ready"}


def test_purchase_gift_diamonds_payout_chargeback_end_to_end(world: World) -> None:
    gateway = world.key("users:write", "tokens:write", "purchases:write")
    viewer = world.user("alice")
    creator = world.user("carol", creator=True)
    ops = world.user("ops")
    viewer_token = world.token(viewer["id"], "viewer")
    creator_token = world.token(creator["id"], "creator")
    admin_token = world.token(ops["id"], "admin")
    assert gateway.startswith("gf_")

    payment = _buy_and_mint(world, viewer_token, viewer["id"], 30_010)
    _gift_a_lion_and_a_streak(world, viewer_token, viewer["id"], creator["id"])
    _mature(world, creator_token, creator["id"], spent_coins=30_002)
    assert_problem(world.get(f"/v1/wallets/{viewer['id']}", viewer_token), 401, "token_expired")
    viewer_token = world.token(viewer["id"], "viewer")  # a week later: tokens are short-lived
    creator_token = world.token(creator["id"], "creator")
    admin_token = world.token(ops["id"], "admin")
    _pay_out(world, creator_token, admin_token, creator["id"])
    _charge_back(world, viewer_token, admin_token, viewer["id"], creator["id"], payment)

    metrics = world.get("/metrics", world.admin_key).text  # a scraper holds a key
    assert "giftflow_gifts_booked_total 9.0" in metrics  # 1 lion + 3 roses + 5 hand hearts
    assert 'route="/v1/gifts",status="201"' in metrics
    assert "giftflow_coins_minted_total 31010.0" in metrics
    report = world.ok(world.get("/v1/admin/reconcile", admin_token))
    assert report["ok"] and all(unit["balanced"] for unit in report["units"])


def _buy_and_mint(world: World, token: str, viewer_id: int, coins: int) -> dict[str, object]:
    packs = world.ok(world.get("/v1/catalog/packs", token, region="US", channel="web"))
    assert packs["packs"][0]["id"] == "US-web-70"
    before = world.ok(world.get(f"/v1/wallets/{viewer_id}", token))["coins"]
    body = {"user_id": viewer_id, "channel": "web", "provider": "sandbox", "coins": coins}
    payment = world.ok(world.post("/v1/purchases", body, token, key=world.new_key()), 201)
    assert (payment["status"], payment["coins"], payment["currency"]) == ("created", coins, "USD")
    assert world.ok(world.get(f"/v1/wallets/{viewer_id}", token))["coins"] == before

    event = world.sandbox.event_paid(
        checkout_of(payment), payment["amount_minor"], payment["currency"]
    )
    minted = world.ok(world.webhook(event))
    assert (minted["event"], minted["coins_minted"]) == ("paid", coins)
    redelivered = world.ok(world.webhook(event))
    assert redelivered["coins_minted"] == 0
    assert world.ok(world.get(f"/v1/wallets/{viewer_id}", token)) == {
        "user_id": viewer_id,
        "coins": before + coins,
        "frozen": False,
    }
    paid = world.ok(world.get(f"/v1/payments/{payment['id']}", token))
    assert paid["status"] == "paid" and paid["paid_at"] is not None
    return paid


def _gift_a_lion_and_a_streak(world: World, token: str, viewer_id: int, creator_id: int) -> None:
    lion = {"sender_id": viewer_id, "creator_id": creator_id, "gift_id": LION, "event_id": "l1"}
    sent = world.ok(world.post("/v1/gifts", lion, token, key=world.new_key()), 201)
    assert (sent["quantity"], sent["coins"]) == (1, 29_999)
    assert sent["diamond_units"] == 29_999 * UNITS_PER_COIN

    deltas = []
    for count in (1, 2, 3, 3):  # the last one a retry of the same streak event
        body = {
            "sender_id": viewer_id,
            "creator_id": creator_id,
            "gift_id": ROSE,
            "streak": {"id": "s1", "repeat_count": count},
        }
        event = world.ok(world.post("/v1/gifts", body, token, key=world.new_key()), 201)
        deltas.append((event["quantity"], event["repeat_count"], event["replayed"]))
    assert deltas == [(1, 1, False), (1, 2, False), (1, 3, False), (1, 3, True)]
    ended = world.ok(world.post("/v1/streaks/s1/end", {"sender_id": viewer_id}, token))
    assert (ended["repeat_count"], ended["end_reason"]) == (3, "ended")
    assert world.coins(viewer_id) == 30_010 - 29_999 - 3


def _mature(world: World, token: str, creator_id: int, *, spent_coins: int) -> None:
    earnings = world.ok(world.get(f"/v1/earnings/{creator_id}", token))
    assert (earnings["pending_units"], earnings["available_units"]) == (
        spent_coins * UNITS_PER_COIN,
        0,
    )
    world.clock.advance(seconds=7 * DAY_S + 1)
    token = world.token(creator_id, "creator")
    earnings = world.ok(world.get(f"/v1/earnings/{creator_id}", token))
    assert (earnings["pending_units"], earnings["available_units"]) == (
        0,
        spent_coins * UNITS_PER_COIN,
    )
    assert earnings["available_diamonds"] == 15_001
    statement = world.ok(world.get(f"/v1/earnings/{creator_id}/statement", token))
    assert {line["kind"] for line in statement["lines"]} == {"gift", "matured"}


def _pay_out(world: World, creator_token: str, admin_token: str, creator_id: int) -> None:
    body = {"creator_id": creator_id, "diamonds": 12_000, "partner": "manual"}
    payout = world.ok(world.post("/v1/payouts", body, creator_token, key=world.new_key()), 201)
    assert (payout["state"], payout["gross_minor"], payout["net_minor"]) == ("held", 6000, 5960)
    listed = world.ok(world.get("/v1/payouts", creator_token))["payouts"]
    assert [p["id"] for p in listed] == [payout["id"]]

    approve = f"/v1/payouts/{payout['id']}/approve"
    assert world.ok(world.post(approve, None, admin_token, key=world.new_key()))["state"] == (
        "approved"
    )
    batch = world.ok(
        world.post("/v1/admin/payout-batches", {"partner": "manual"}, admin_token), 201
    )
    assert batch["count"] == 1
    exported = world.get(f"/v1/admin/payout-batches/{batch['batch_id']}/file", admin_token)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["payout_id"], r["net_minor"]) for r in rows] == [(payout["id"], "5960")]

    results = f"payout_id,status,reference,reason\n{payout['id']},paid,bank-7,\n"
    summary = world.client.post(
        "/v1/admin/payout-batches/results",
        files={"file": ("results.csv", results.encode(), "text/csv")},
        headers={"Authorization": f"Bearer {admin_token}", "Idempotency-Key": world.new_key()},
    )
    assert world.ok(summary) == {"paid": [payout["id"]], "failed": [], "unchanged": []}
    paid = world.ok(world.get(f"/v1/payouts/{payout['id']}", creator_token))
    assert (paid["state"], paid["partner_reference"]) == ("paid", "bank-7")
    earnings = world.ok(world.get(f"/v1/earnings/{creator_id}", creator_token))
    assert earnings["withdrawn_units"] == 12_000 * 10_000


def _charge_back(
    world: World,
    viewer_token: str,
    admin_token: str,
    viewer_id: int,
    creator_id: int,
    first: dict[str, object],
) -> None:
    """A second purchase, spent on gifts still in their holding period, is disputed: the
    coins left come back, the unmatured diamonds are reversed, the wallet freezes."""
    second = _buy_and_mint(world, viewer_token, viewer_id, 1_000)
    assert world.coins(viewer_id) == 8 + 1_000
    gift = {
        "sender_id": viewer_id,
        "creator_id": creator_id,
        "gift_id": HAND_HEARTS,
        "quantity": 5,
        "event_id": "hearts",
    }
    world.ok(world.post("/v1/gifts", gift, viewer_token, key=world.new_key()), 201)

    event = world.sandbox.event_disputed(
        checkout_of(second), int(str(second["amount_minor"])), str(second["currency"])
    )
    outcome = world.ok(world.webhook(event))
    assert outcome["event"] == "disputed" and outcome["wallet_frozen"]
    assert outcome["coins_from_wallet"] + outcome["reversed_diamond_units"] // UNITS_PER_COIN == (
        1_000
    )
    assert outcome["loss_coins"] == 0
    assert world.ok(world.get(f"/v1/wallets/{viewer_id}", viewer_token))["frozen"] is True

    again = dict(gift, event_id="after-freeze", quantity=1)
    refused = world.post("/v1/gifts", again, viewer_token, key=world.new_key())
    assert_problem(refused, 403, "account_frozen")
    decisions = world.ok(world.get("/v1/admin/fraud-decisions", admin_token, open="true"))
    assert [d["rule"] for d in decisions["decisions"]] == ["chargeback"]
    assert first["status"] == "paid"
