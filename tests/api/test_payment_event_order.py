"""A provider's failure events applied once each, in the provider's order, over HTTP.

Stripe (``payment_intent.payment_failed``) and the sandbox (``payment.failed``) resend
old events: by hand from a dashboard, or after a timeout, after newer ones about the
same payment. Each event counts once, by its id, however late it comes again; a failure
older than the payment's latest one (by the provider's time) never puts the older code
back (decision 0106). Webhooks arrive at ``POST /v1/webhooks/{provider}`` signed as each
provider signs them; Stripe's checkout is answered by a stand-in HTTP client of its SDK.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from tests.api.conftest import Json, World, checkout_of, open_world

# As in tests/analytics_service: running this folder alone, economy's tests are not
# importable yet; Stripe's signing and event helpers are theirs.
if str(Path(__file__).parents[1]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parents[1]))

from giftflow.payments.stripe import StripeProvider
from giftflow.service.economy import Payment
from tests.economy.test_stripe_failed_payments import (
    API_KEY,
    WEBHOOK_SECRET,
    CheckoutAnswers,
    declined,
    stripe_signed,
)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    """A served economy with Stripe (test mode, on no network) beside the sandbox."""
    client = stripe.StripeClient(API_KEY, http_client=CheckoutAnswers(), max_network_retries=0)
    provider = StripeProvider(API_KEY, WEBHOOK_SECRET, client=client)
    with open_world(database_url, tmp_path / "payouts", providers={"stripe": provider}) as opened:
        yield opened


def stripe_purchase(world: World) -> Payment:
    viewer = world.user("stripe-buyer")
    body = {"user_id": viewer["id"], "channel": "web", "provider": "stripe", "pack_id": "US-web-70"}
    created = world.ok(world.post("/v1/purchases", body, world.admin_key, key=world.new_key()), 201)
    return world.economy.payment(created["id"])


def declined_at(payment: Payment, event_id: str, code: str, *, seconds_ago: int) -> dict[str, Any]:
    """A ``payment_intent.payment_failed`` event Stripe created ``seconds_ago``."""
    event = declined(payment, event_id, decline_code=code)
    event["created"] = int(time.time()) - seconds_ago
    return event


def post_stripe(world: World, event: dict[str, Any]) -> httpx.Response:
    payload, headers = stripe_signed(event)  # signed now, as Stripe signs each delivery
    headers = {**headers, "Content-Type": "application/json"}
    return world.client.post("/v1/webhooks/stripe", content=payload, headers=headers)


def last_failure(world: World, payment_id: str) -> Json:
    body = world.ok(world.get(f"/v1/payments/{payment_id}", world.admin_key))
    assert body["status"] == "failed"
    failure: Json = body["last_failure"]
    return failure


def test_stripe_resending_an_old_failure_after_a_newer_one_counts_it_once(world: World) -> None:
    payment = stripe_purchase(world)
    older = declined_at(payment, "evt_fail_old", "insufficient_funds", seconds_ago=60)
    newer = declined_at(payment, "evt_fail_new", "lost_card", seconds_ago=30)

    for event in (older, newer, older):  # the last: resent from Stripe's dashboard
        world.ok(post_stripe(world, event))

    failure = last_failure(world, payment.id)
    assert (failure["attempts"], failure["code"]) == (2, "lost_card")
    assert world.coins(payment.user_id) == 0


def test_stripe_delivering_an_older_failure_late_counts_it_but_keeps_the_newer_one(
    world: World,
) -> None:
    payment = stripe_purchase(world)
    newer = declined_at(payment, "evt_fail_new", "lost_card", seconds_ago=30)
    older = declined_at(payment, "evt_fail_old", "insufficient_funds", seconds_ago=60)

    for event in (newer, older, newer, older):
        world.ok(post_stripe(world, event))

    failure = last_failure(world, payment.id)
    assert (failure["attempts"], failure["code"]) == (2, "lost_card")


def test_the_sandbox_resending_an_old_failure_counts_it_once(world: World) -> None:
    payment = world.purchase(world.user("sandbox-buyer")["id"], 500)
    checkout, amount, currency = checkout_of(payment), payment["amount_minor"], payment["currency"]
    old_payload, _ = world.sandbox.event_failed(
        checkout, amount, currency, failure_code="insufficient_funds"
    )
    world.ok(world.webhook((old_payload, world.sandbox.sign(old_payload))))
    world.clock.advance(seconds=5)
    world.ok(
        world.webhook(
            world.sandbox.event_failed(checkout, amount, currency, failure_code="expired_card")
        )
    )
    world.clock.advance(seconds=5)

    world.ok(world.webhook((old_payload, world.sandbox.sign(old_payload))))  # resent, signed anew

    failure = last_failure(world, payment["id"])
    assert (failure["attempts"], failure["code"]) == (2, "expired_card")
    paid = world.ok(world.webhook_paid(payment))
    assert paid["coins_minted"] == 500
    assert world.economy.reconcile().ok
