"""Test mode over HTTP, on a real server and both stores: the test clock crosses a
holding period and a payout completes without touching settings; the sandbox's own
moves (test cards, refunds, disputes) go through the verified webhook path; refusals
say their units and numbers; outside development test mode does not exist."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from giftflow.economy.money import Fiat
from giftflow.http.keys import create_api_key
from giftflow.server import create_app
from giftflow.service.economy import Economy
from giftflow.settings import Settings
from tests.api.conftest import (
    LION,
    RATE_LIMITS_OFF,
    TOKEN_SECRET,
    Json,
    World,
    assert_problem,
    checkout_of,
    served,
)

WEEK_S = 7 * 86_400 + 1
"""A week and a second: past the ledger stamps of gifts booked at the frozen test time."""
POLL_S = 5.0


def _payout(world: World, creator: int, diamonds: int) -> httpx.Response:
    body = {"creator_id": creator, "diamonds": diamonds}
    return world.post("/v1/payouts", body, world.admin_key, key=world.new_key())


def _advance(world: World, seconds: int) -> Json:
    body = {"seconds": seconds}
    return world.ok(
        world.post("/v1/test-clock/advance", body, world.admin_key, key=world.new_key())
    )


def _until(world: World, payment_id: str, status: str) -> Json:
    """The payment once it reaches ``status`` (an event sent after the answer)."""
    deadline = time.monotonic() + POLL_S
    while True:
        payment = world.ok(world.get(f"/v1/payments/{payment_id}", world.admin_key))
        if payment["status"] == status or time.monotonic() > deadline:
            return payment
        time.sleep(0.02)


def _pay(world: World, payment_id: str, card: str) -> httpx.Response:
    path = f"/v1/sandbox/payments/{payment_id}/pay"
    return world.post(path, {"card_number": card}, world.admin_key)


# --- the test clock and holds ---------------------------------------------------------


def test_the_test_clock_crosses_a_holding_period_and_a_payout_completes(world: World) -> None:
    fan, star = world.user("fan")["id"], world.user("star", creator=True)["id"]
    world.buy(fan, 60_000)
    sent = world.gift(fan, star, LION)
    earnings = world.ok(world.get(f"/v1/earnings/{star}", world.admin_key))
    [hold] = earnings["holds"]
    assert hold["diamond_units"] == earnings["pending_units"] == sent["diamond_units"]
    assert hold["gifts"] == 1 and hold["matures_at"] == earnings["next_matures_at"]

    refused = assert_problem(_payout(world, star, 14_000), 422, "insufficient_funds")
    assert refused["facts"] == {
        "requested_diamonds": 14_000,
        "available_diamonds": 0,
        "pending_diamonds": 14_999,
        "in_payout_diamonds": 0,
        "next_matures_at": hold["matures_at"],
    }
    assert "0 are available and 14,999 still pending" in refused["detail"]
    assert hold["matures_at"].removesuffix("Z") in refused["detail"]

    before = world.ok(world.get("/v1/test-clock", world.admin_key))
    moved = _advance(world, WEEK_S)
    assert moved["offset_s"] == before["offset_s"] + WEEK_S
    assert world.ok(world.get("/v1/test-clock", world.admin_key))["offset_s"] == WEEK_S

    payout = world.ok(_payout(world, star, 14_000), 201)
    assert payout["state"] == "held"
    assert payout["payee"] == {
        "kind": "iban",
        "destination_masked": "••••3000",
        "holder_name": "Star",
    }
    world.ok(world.post(f"/v1/payouts/{payout['id']}/approve", None, world.admin_key, key="ok"))
    batch = world.ok(world.post("/v1/admin/payout-batches", {}, world.admin_key), 201)
    exported = world.get(f"/v1/admin/payout-batches/{batch['batch_id']}/file", world.admin_key)
    assert "DE89370400440532013000" in exported.text  # the partner gets it in full
    results = f"payout_id;status;reference;reason\n{payout['id']};paid;bank-1;\n"
    imported = world.client.post(
        "/v1/admin/payout-batches/results",
        files={"file": ("results.csv", results, "text/csv")},
        data={"partner": "manual"},
        headers={"Authorization": f"Bearer {world.admin_key}", "Idempotency-Key": "results"},
    )
    assert world.ok(imported)["paid"] == [payout["id"]]
    statement = world.ok(world.get(f"/v1/earnings/{star}/statement", world.admin_key))
    payout_lines = [line for line in statement["lines"] if line["kind"].startswith("payout")]
    assert {line["kind"] for line in payout_lines} == {"payout_reserved", "payout_paid"}
    assert {line["payout_id"] for line in payout_lines} == {payout["id"]}
    gift_line = next(line for line in statement["lines"] if line["kind"] == "gift")
    assert gift_line["payout_id"] is None and gift_line["reference"] == LION
    world.snapshot()  # the books reconcile


def test_the_test_clock_moves_forward_only_and_keeps_its_idempotency_key(world: World) -> None:
    for seconds in (0, -5, 1.5, "60"):
        response = world.post(
            "/v1/test-clock/advance", {"seconds": seconds}, world.admin_key, key=world.new_key()
        )
        assert_problem(response, 422, "validation_failed")
    body = {"seconds": 60}
    first = world.post("/v1/test-clock/advance", body, world.admin_key, key="once")
    again = world.post("/v1/test-clock/advance", body, world.admin_key, key="once")
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert world.ok(world.get("/v1/test-clock", world.admin_key))["offset_s"] == 60
    missing = world.post("/v1/test-clock/advance", body, world.admin_key)
    assert_problem(missing, 400, "idempotency_key_missing")


def test_only_an_administrator_moves_the_test_clock(world: World) -> None:
    viewer = world.token(world.user("fan")["id"])
    response = world.post("/v1/test-clock/advance", {"seconds": 60}, viewer, key="k")
    assert_problem(response, 403, "forbidden")
    key = world.key("purchases:write")
    assert_problem(world.get("/v1/test-clock", key), 403, "scope_missing")


# --- the sandbox's moves ---------------------------------------------------------------


def test_each_test_card_does_what_its_number_says(world: World) -> None:
    fan = world.user("fan")["id"]
    payment = world.purchase(fan, 350)
    declined = world.ok(_pay(world, payment["id"], "4000 0000 0000 0002"))
    assert declined["card_outcome"] == "declined" and declined["failure_code"] == "card_declined"
    assert declined["event"]["event"] == "failed" and declined["follows"] is None
    failed = declined["event"]["payment"]
    assert failed["status"] == "failed" and failed["paid_at"] is None
    assert failed["last_failure"]["code"] == "card_declined"
    assert failed["last_failure"]["attempts"] == 1
    poor = world.ok(_pay(world, payment["id"], "4000000000009995"))["event"]["payment"]
    assert poor["last_failure"]["code"] == "insufficient_funds"
    assert poor["last_failure"]["attempts"] == 2 and world.coins(fan) == 0

    paid = world.ok(_pay(world, payment["id"], "4242424242424242"))
    assert paid["event"]["coins_minted"] == 350 and world.coins(fan) == 350
    assert paid["event"]["payment"]["status"] == "paid"
    assert paid["event"]["payment"]["last_failure"]["code"] == "insufficient_funds"
    assert_problem(_pay(world, payment["id"], "4242424242424242"), 409, "payment_closed")

    later = world.purchase(fan, 100)
    processing = world.ok(_pay(world, later["id"], "4000000000000119"))
    assert processing["event"] is None and processing["follows"] == "payment.failed"
    settled = _until(world, later["id"], "failed")
    assert settled["last_failure"]["code"] == "processing_error"

    disputed = world.purchase(fan, 200)
    first = world.ok(_pay(world, disputed["id"], "4000000000000259"))
    assert first["event"]["coins_minted"] == 200 and first["follows"] == "payment.disputed"
    assert _until(world, disputed["id"], "disputed")["coins_clawed_back"] == 200
    assert world.economy.wallet(fan).frozen
    world.snapshot()


def test_a_failed_event_delivered_again_counts_once(world: World) -> None:
    payment = world.purchase(world.user("fan")["id"], 350)
    event = world.sandbox.event_failed(
        checkout_of(payment), 350, "USD", failure_code="card_declined"
    )
    for _ in range(2):
        outcome = world.ok(world.webhook(event))
    assert outcome["event"] == "failed"
    assert outcome["payment"]["last_failure"]["attempts"] == 1


def test_unknown_cards_and_closed_payments_are_refused_with_codes(world: World) -> None:
    fan = world.user("fan")["id"]
    payment = world.purchase(fan, 350)
    before = world.snapshot()
    assert_problem(_pay(world, payment["id"], "4111111111111111"), 422, "test_card_unknown")
    assert_problem(_pay(world, "pay_nothing", "4242424242424242"), 404, "payment_not_found")
    refund = f"/v1/sandbox/payments/{payment['id']}/refund"
    assert_problem(world.post(refund, None, world.admin_key), 409, "payment_not_paid")
    assert world.snapshot() == before
    viewer = world.token(fan)
    assert_problem(world.post(refund, None, viewer), 403, "forbidden")


def test_sandbox_refunds_and_disputes_take_the_clawback_path(world: World) -> None:
    fan, star = world.user("fan")["id"], world.user("star", creator=True)["id"]
    payment = world.buy(fan, 1_000)
    path = f"/v1/sandbox/payments/{payment['id']}"
    half = payment["amount_minor"] // 2
    partial = world.ok(world.post(f"{path}/refund", {"amount_minor": half}, world.admin_key))
    assert partial["event"] == "refunded" and partial["coins_from_wallet"] == 500
    assert partial["payment"]["refunded_minor"] == half
    too_much = world.post(
        f"{path}/refund", {"amount_minor": payment["amount_minor"]}, world.admin_key
    )
    problem = assert_problem(too_much, 422, "refund_amount_invalid")
    assert problem["facts"] == {
        "refundable_minor": payment["amount_minor"] - half,
        "currency": "USD",
    }
    world.gift(fan, star, 5655)  # a rose, paid by the coins still there
    disputed = world.ok(world.post(f"{path}/dispute", None, world.admin_key))
    assert disputed["event"] == "disputed" and disputed["wallet_frozen"]
    assert disputed["payment"]["coins_clawed_back"] == 1_000
    assert disputed["reversed_diamond_units"] == 5_000  # the rose's unmatured diamonds
    world.snapshot()


def test_a_sandbox_purchase_leads_to_its_checkout_page(world: World) -> None:
    world.sandbox.page_url = str(world.client.base_url)
    payment = world.purchase(world.user("fan")["id"], 350)
    assert payment["checkout_url"] == f"{world.client.base_url}/sandbox/checkout/{payment['id']}"
    page = world.client.get(payment["checkout_url"])
    price = str(Fiat(payment["amount_minor"], payment["currency"]))
    assert page.status_code == 200 and f"Pay {price}" in page.text
    assert "form-action 'self'" in page.headers["content-security-policy"]
    posted = world.client.post(
        payment["checkout_url"],
        data={"card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123"},
    )
    assert posted.status_code == 303
    assert world.ok(world.get(f"/v1/payments/{payment['id']}", world.admin_key))["status"] == "paid"


# --- payouts people can act on ---------------------------------------------------------


def test_payout_refusals_name_their_units(world: World) -> None:
    fan, star = world.user("fan")["id"], world.user("star", creator=True)["id"]
    world.buy(fan, 60_000)
    world.gift(fan, star, LION)
    _advance(world, WEEK_S)
    small = assert_problem(_payout(world, star, 700), 422, "payout_below_minimum")
    assert small["detail"] == (
        "700 diamonds make USD 3.50, below the minimum payout of USD 50.00:"
        " ask for at least 10,000 diamonds"
    )
    assert small["facts"] == {
        "diamonds": 700,
        "gross_minor": 350,
        "currency": "USD",
        "minimum_minor": 5_000,
        "minimum_diamonds": 10_000,
    }
    lone = world.user("lone", creator=True)["id"]
    world.economy.ledger.write(
        lambda tx: tx.execute("DELETE FROM payee_destinations WHERE creator_id = ?", (lone,))
    )
    missing = assert_problem(_payout(world, lone, 10_000), 422, "payee_destination_missing")
    assert f"/v1/creators/{lone}/payee-destination" in missing["detail"]
    path = f"/v1/creators/{lone}/payee-destination"
    assert_problem(world.get(path, world.admin_key), 404, "payee_destination_not_found")
    bad = {"kind": "iban", "destination": "not an iban", "holder_name": "Lone"}
    assert_problem(world.put_json(path, bad, world.admin_key), 422, "payee_destination_invalid")
    paypal = {"kind": "paypal", "destination": "lone@example.com", "holder_name": "Lone"}
    shown = world.ok(world.put_json(path, paypal, world.token(lone, "creator")))
    assert shown == {"kind": "paypal", "destination_masked": "••••.com", "holder_name": "Lone"}
    assert world.ok(world.get(path, world.admin_key)) == shown
    assert_problem(world.get(path, world.token(fan)), 403, "forbidden")


def test_a_results_file_with_another_separator_says_so(world: World) -> None:
    results = "payout_id|status|reference|reason\npo_x|paid|r|\n"
    response = world.client.post(
        "/v1/admin/payout-batches/results",
        files={"file": ("results.csv", results, "text/csv")},
        data={"partner": "manual"},
        headers={"Authorization": f"Bearer {world.admin_key}", "Idempotency-Key": "pipes"},
    )
    problem = assert_problem(response, 422, "partner_file_invalid")
    assert "separated by ',' (or ';', or a tab)" in problem["detail"]


# --- outside development ------------------------------------------------------------------


@contextmanager
def _production(tmp_path: Path) -> Iterator[tuple[httpx.Client, str]]:
    config = Settings(
        database_url=f"sqlite:///{tmp_path / 'production.db'}",
        token_secret=SecretStr(TOKEN_SECRET),
        payout_dir=tmp_path / "payouts",
        **RATE_LIMITS_OFF,
    )
    economy = Economy.open(config, providers={})
    try:
        admin = create_api_key(economy.ledger, name="admin", scopes=["admin"]).key
        app = create_app(economy, config)
        with served(app) as url, httpx.Client(base_url=url, timeout=30) as client:
            yield client, admin
    finally:
        economy.close()


def test_test_mode_does_not_exist_in_production(tmp_path: Path) -> None:
    with _production(tmp_path) as (client, admin):
        headers = {"Authorization": f"Bearer {admin}", "Idempotency-Key": "k"}
        for method, path in (
            ("GET", "/v1/test-clock"),
            ("POST", "/v1/test-clock/advance"),
            ("POST", "/v1/sandbox/payments/pay_x/pay"),
            ("POST", "/v1/sandbox/payments/pay_x/refund"),
            ("POST", "/v1/sandbox/payments/pay_x/dispute"),
        ):
            body = {"seconds": 60} if path.endswith("advance") else None
            response = client.request(method, path, json=body, headers=headers)
            assert_problem(response, 404, "test_mode_unavailable")
        page = client.get("/sandbox/checkout/pay_x")
        assert page.status_code == 404 and "development" in page.text


@pytest.mark.parametrize("seconds", [1, WEEK_S])
def test_advancing_expires_user_tokens_by_the_same_clock(world: World, seconds: int) -> None:
    fan = world.user("fan")["id"]
    token = world.token(fan)
    _advance(world, seconds)
    response = world.get(f"/v1/wallets/{fan}", token)
    if seconds < 900:
        world.ok(response)
    else:
        assert_problem(response, 401, "token_expired")
