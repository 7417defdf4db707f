"""A Stripe payment that fails: ``payment_intent.payment_failed`` (a declined card) and
``checkout.session.async_payment_failed`` (a bank debit that fails later) go the failed
path, on each backend: signed as Stripe signs them, they mint nothing, record the
attempt on the open payment, announce ``purchase.failed`` to webhooks out once, and a
redelivery changes nothing. Stripe's API is a third party: the checkout it opens is
answered by a stand-in HTTP client of the SDK, on no network."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import stripe

from giftflow.economy.catalog import Channel
from giftflow.ledger.clock import ManualClock
from giftflow.payments import WebhookSignatureError
from giftflow.payments.stripe import StripeProvider
from giftflow.service.economy import Economy, Payment
from giftflow.service.webhooks import endpoints
from giftflow.settings import Settings
from tests.economy.conftest import ADULT

API_KEY = "sk_test_giftflow_0123456789"
WEBHOOK_SECRET = "whsec_giftflow_failed_payments_0123456789"
SESSION_ID = "cs_test_b7KqP2xVw9LmN4"
INTENT_ID = "pi_3QfAil3dIwHu7ix9z8y7x6w"


class CheckoutAnswers(stripe.HTTPClient):
    """Answers the SDK's one call (create a Checkout Session) as Stripe documents it."""

    name = "giftflow-test"

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        assert (method, url.endswith("/v1/checkout/sessions")) == ("post", True)
        session = {
            "id": SESSION_ID,
            "object": "checkout.session",
            "url": f"https://checkout.stripe.com/c/pay/{SESSION_ID}",
            "payment_status": "unpaid",
            "status": "open",
        }
        return json.dumps(session), 200, {"request-id": "req_giftflow_test"}


def stripe_signed(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """Stripe's scheme: ``t=<unix s>,v1=hex(HMAC-SHA256(secret, f"{t}.{payload}"))``."""
    payload = json.dumps(body).encode()
    timestamp_s = int(time.time())
    digest = hmac.new(
        WEBHOOK_SECRET.encode(), f"{timestamp_s}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return payload, {"Stripe-Signature": f"t={timestamp_s},v1={digest}"}


def stripe_event(event_id: str, event_type: str, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "data": {"object": subject},
        "livemode": False,
        "type": event_type,
    }


def declined(payment: Payment, event_id: str, *, decline_code: str) -> dict[str, Any]:
    intent = {
        "id": INTENT_ID,
        "object": "payment_intent",
        "amount": payment.amount_minor,
        "currency": payment.currency.lower(),
        "metadata": {"payment_id": payment.id},
        "last_payment_error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": decline_code,
            "message": "Your card was declined.",
        },
        "status": "requires_payment_method",
    }
    return stripe_event(event_id, "payment_intent.payment_failed", intent)


def session(payment: Payment, event_id: str, event_type: str, status: str) -> dict[str, Any]:
    subject = {
        "id": SESSION_ID,
        "object": "checkout.session",
        "amount_total": payment.amount_minor,
        "currency": payment.currency.lower(),
        "client_reference_id": payment.id,
        "metadata": {"payment_id": payment.id},
        "payment_intent": INTENT_ID,
        "payment_status": status,
    }
    return stripe_event(event_id, event_type, subject)


@pytest.fixture
def economy(economy_url: str, clock: ManualClock) -> Iterator[Economy]:
    client = stripe.StripeClient(API_KEY, http_client=CheckoutAnswers(), max_network_retries=0)
    provider = StripeProvider(API_KEY, WEBHOOK_SECRET, client=client)
    settings = Settings(database_url=economy_url, environment="development")
    with Economy.open(settings, clock=clock, providers={"stripe": provider}) as opened:
        yield opened


@pytest.fixture
def endpoint_id(economy: Economy) -> Iterator[str]:
    created = endpoints.create(
        economy.ledger,
        url="https://hooks.example.com/giftflow",
        event_types=["purchase.failed", "purchase.paid"],
        description="failed payments test",
        created_by="test",
    )
    yield created.endpoint.id
    endpoints.delete(economy.ledger, created.endpoint.id)


def purchase(economy: Economy) -> Payment:
    viewer = economy.register_user(
        external_id="stripe-viewer", display_name="Viewer", birth_date=ADULT, region="US"
    )
    return economy.start_purchase(
        user_id=viewer.id, channel=Channel.WEB, provider="stripe", pack_id="US-web-70"
    )


def announced(economy: Economy, endpoint_id: str) -> list[tuple[str, dict[str, Any]]]:
    rows = economy.ledger.read(
        lambda tx: tx.named_all(
            "SELECT type, payload FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id",
            (endpoint_id,),
        )
    )
    return [(row["type"], json.loads(row["payload"])["data"]) for row in rows]


def test_a_declined_card_records_the_attempt_and_announces_it_once(
    economy: Economy, endpoint_id: str
) -> None:
    payment = purchase(economy)
    webhook = stripe_signed(declined(payment, "evt_declined_1", decline_code="insufficient_funds"))

    first = economy.handle_webhook("stripe", *webhook)
    again = economy.handle_webhook("stripe", *webhook)  # Stripe redelivers it

    assert first is not None and again is not None
    assert (first.event, first.coins_minted) == ("failed", 0)
    failed = economy.payment(payment.id)
    assert (failed.status, failed.failed_attempts) == ("created", 1)
    assert (failed.failure_code, failed.failure_message) == (
        "insufficient_funds",
        "Your card was declined.",
    )
    assert economy.wallet(payment.user_id).coins == 0
    events = announced(economy, endpoint_id)
    assert [kind for kind, _ in events] == ["purchase.failed"]
    assert events[0][1]["payment_id"] == payment.id
    assert events[0][1]["failure_code"] == "insufficient_funds"


def test_after_a_decline_the_buyer_may_pay_on_the_same_checkout(
    economy: Economy, endpoint_id: str
) -> None:
    payment = purchase(economy)
    economy.handle_webhook("stripe", *stripe_signed(declined(payment, "evt_d1", decline_code="x")))
    economy.handle_webhook("stripe", *stripe_signed(declined(payment, "evt_d2", decline_code="y")))

    paid = session(payment, "evt_paid", "checkout.session.completed", "paid")
    outcome = economy.handle_webhook("stripe", *stripe_signed(paid))

    assert outcome is not None and outcome.coins_minted == payment.coins
    after = economy.payment(payment.id)
    assert (after.status, after.failed_attempts, after.failure_code) == ("paid", 2, "y")
    late = declined(payment, "evt_d3", decline_code="late")
    economy.handle_webhook("stripe", *stripe_signed(late))  # a paid payment keeps its state
    assert economy.payment(payment.id).failed_attempts == 2
    kinds = [kind for kind, _ in announced(economy, endpoint_id)]
    assert kinds == ["purchase.failed", "purchase.failed", "purchase.paid"]
    assert economy.reconcile().ok
    assert economy.wallet(payment.user_id).coins == payment.coins


def test_a_delayed_payment_that_fails_goes_the_failed_path(
    economy: Economy, endpoint_id: str
) -> None:
    payment = purchase(economy)
    body = session(payment, "evt_async_failed", "checkout.session.async_payment_failed", "unpaid")

    outcome = economy.handle_webhook("stripe", *stripe_signed(body))

    assert outcome is not None and outcome.event == "failed"
    failed = economy.payment(payment.id)
    assert (failed.status, failed.failed_attempts) == ("created", 1)
    assert failed.failure_code == "async_payment_failed"
    assert [kind for kind, _ in announced(economy, endpoint_id)] == ["purchase.failed"]


def test_a_failed_event_with_a_bad_signature_changes_nothing(
    economy: Economy, endpoint_id: str
) -> None:
    payment = purchase(economy)
    payload, headers = stripe_signed(declined(payment, "evt_forged", decline_code="forged"))
    forged = {"Stripe-Signature": headers["Stripe-Signature"][:-4] + "0000"}

    with pytest.raises(WebhookSignatureError):
        economy.handle_webhook("stripe", payload, forged)

    assert economy.payment(payment.id).failed_attempts == 0
    assert announced(economy, endpoint_id) == []
