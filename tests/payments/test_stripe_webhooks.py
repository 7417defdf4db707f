"""Stripe webhooks, signed here the way Stripe signs them, read by the StripeProvider.

The payloads follow Stripe's documented event objects; nothing leaves this machine.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from giftflow.payments import (
    PaymentEvent,
    PaymentEventKind,
    PaymentProvider,
    WebhookPayloadError,
    WebhookSignatureError,
)
from giftflow.payments.stripe import StripeProvider

WEBHOOK_SECRET = "whsec_giftflow_test_0123456789abcdef"
CREATED_S = 1_767_225_600
PAYMENT_INTENT = "pi_3QdZ3jLkdIwHu7ix1a2b3c4d"
EVENT_ID = "evt_1QdZ3kLkdIwHu7ix0N5hUe7x"
METADATA = {"payment_id": "pay_0001", "user_id": "42", "coins": "500"}


def stripe_signature(
    payload: bytes, *, secret: str = WEBHOOK_SECRET, at_s: int | None = None
) -> str:
    """Stripe's scheme: ``t=<unix s>,v1=hex(HMAC-SHA256(secret, f"{t}.{payload}"))``."""
    timestamp_s = int(time.time()) if at_s is None else at_s
    signed = f"{timestamp_s}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp_s},v1={digest}"


def signed(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    payload = json.dumps(body, indent=2).encode()
    return payload, {"Stripe-Signature": stripe_signature(payload)}


def expected_event(kind: PaymentEventKind, **changes: Any) -> PaymentEvent:
    """What the provider reads from an ``event`` of the fixtures below: our payment,
    4.99 USD, at ``CREATED_S``, with ``changes``."""
    fields: dict[str, Any] = {
        "provider": "stripe",
        "event_id": EVENT_ID,
        "kind": kind,
        "payment_id": "pay_0001",
        "provider_reference": PAYMENT_INTENT,
        "amount_minor": 499,
        "currency": "USD",
        "instrument": None,
        "occurred_at_ns": CREATED_S * 1_000_000_000,
    }
    return PaymentEvent(**(fields | changes))


def event(event_type: str, subject: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": EVENT_ID,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": CREATED_S,
        "data": {"object": subject, **extra},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": "checkout-pay_0001"},
        "type": event_type,
    }


def checkout_session(**changes: Any) -> dict[str, Any]:
    session: dict[str, Any] = {
        "id": "cs_test_a1ZxT4W8dGkq7pNcR2",
        "object": "checkout.session",
        "amount_subtotal": 499,
        "amount_total": 499,
        "cancel_url": "https://giftflow.test/recharge",
        "client_reference_id": "pay_0001",
        "created": CREATED_S - 60,
        "currency": "usd",
        "customer": None,
        "customer_details": {"email": "viewer@example.com", "name": "Ada Viewer"},
        "expires_at": CREATED_S + 86_340,
        "livemode": False,
        "metadata": dict(METADATA),
        "mode": "payment",
        "payment_intent": PAYMENT_INTENT,
        "payment_method_types": ["card"],
        "payment_status": "paid",
        "status": "complete",
        "success_url": "https://giftflow.test/recharge/done",
        "url": None,
    }
    return {**session, **changes}


def charge(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "ch_3QdZ3jLkdIwHu7ix1xYz0a9b",
        "object": "charge",
        "amount": 499,
        "amount_captured": 499,
        "amount_refunded": 300,
        "captured": True,
        "created": CREATED_S - 3600,
        "currency": "usd",
        "livemode": False,
        "metadata": dict(METADATA),
        "paid": True,
        "payment_intent": PAYMENT_INTENT,
        "payment_method": "pm_1QdZ3iLkdIwHu7ixAbCdEfGh",
        "payment_method_details": {
            "type": "card",
            "card": {
                "brand": "visa",
                "country": "US",
                "exp_month": 12,
                "exp_year": 2030,
                "fingerprint": "Xt5EWLLDS7FJjR1c",
                "funding": "credit",
                "last4": "4242",
            },
        },
        "refunded": False,
        "status": "succeeded",
    }
    return {**body, **changes}


def dispute(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "dp_1QdZ4aLkdIwHu7ixQw3rTy5u",
        "object": "dispute",
        "amount": 499,
        "balance_transactions": [],
        "charge": "ch_3QdZ3jLkdIwHu7ix1xYz0a9b",
        "created": CREATED_S,
        "currency": "usd",
        "evidence_details": {"due_by": CREATED_S + 7 * 86_400, "has_evidence": False},
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": PAYMENT_INTENT,
        "reason": "fraudulent",
        "status": "needs_response",
    }
    return {**body, **changes}


def payment_intent(**changes: Any) -> dict[str, Any]:
    """A PaymentIntent whose last attempt was declined, as ``payment_intent.payment_failed``
    carries it (Checkout copies our metadata onto it through ``payment_intent_data``)."""
    body: dict[str, Any] = {
        "id": PAYMENT_INTENT,
        "object": "payment_intent",
        "amount": 499,
        "amount_received": 0,
        "created": CREATED_S - 60,
        "currency": "usd",
        "last_payment_error": {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds.",
            "payment_method": {"id": "pm_1QdZ3iLkdIwHu7ixAbCdEfGh", "object": "payment_method"},
        },
        "livemode": False,
        "metadata": dict(METADATA),
        "payment_method": None,
        "status": "requires_payment_method",
    }
    return {**body, **changes}


@pytest.fixture
def provider() -> StripeProvider:
    return StripeProvider("sk_test_giftflow", WEBHOOK_SECRET)


def test_the_stripe_provider_is_a_payment_provider(provider: StripeProvider) -> None:
    typed: PaymentProvider = provider  # checked by mypy
    assert typed.name == "stripe"


def test_a_completed_paid_checkout_is_a_paid_event(provider: StripeProvider) -> None:
    parsed = provider.parse_webhook(
        *signed(event("checkout.session.completed", checkout_session()))
    )

    assert parsed == expected_event(PaymentEventKind.PAID)


def test_a_completed_checkout_not_yet_paid_mints_nothing(provider: StripeProvider) -> None:
    body = event("checkout.session.completed", checkout_session(payment_status="unpaid"))

    assert provider.parse_webhook(*signed(body)) is None


def test_a_delayed_payment_that_succeeds_is_a_paid_event(provider: StripeProvider) -> None:
    body = event("checkout.session.async_payment_succeeded", checkout_session())
    parsed = provider.parse_webhook(*signed(body))

    assert parsed is not None
    assert (parsed.kind, parsed.payment_id) == (PaymentEventKind.PAID, "pay_0001")


def test_without_metadata_the_client_reference_names_the_payment(
    provider: StripeProvider,
) -> None:
    body = event("checkout.session.completed", checkout_session(metadata={}))
    parsed = provider.parse_webhook(*signed(body))

    assert parsed is not None
    assert parsed.payment_id == "pay_0001"


def test_an_expanded_payment_intent_still_gives_its_id(provider: StripeProvider) -> None:
    session = checkout_session(payment_intent={"id": PAYMENT_INTENT, "object": "payment_intent"})
    parsed = provider.parse_webhook(*signed(event("checkout.session.completed", session)))

    assert parsed is not None
    assert parsed.provider_reference == PAYMENT_INTENT


def test_a_refunded_charge_reports_the_cumulative_refund_and_the_card(
    provider: StripeProvider,
) -> None:
    body = event("charge.refunded", charge(), previous_attributes={"amount_refunded": 100})
    parsed = provider.parse_webhook(*signed(body))

    assert parsed == expected_event(
        PaymentEventKind.REFUNDED, amount_minor=300, instrument="Xt5EWLLDS7FJjR1c"
    )


def test_a_refund_without_our_metadata_is_traced_by_its_payment_intent(
    provider: StripeProvider,
) -> None:
    body = event("charge.refunded", charge(metadata={}, payment_method_details=None))
    parsed = provider.parse_webhook(*signed(body))

    assert parsed is not None
    assert (parsed.payment_id, parsed.provider_reference) == (None, PAYMENT_INTENT)
    assert parsed.instrument is None


def test_a_dispute_reports_the_disputed_amount(provider: StripeProvider) -> None:
    parsed = provider.parse_webhook(*signed(event("charge.dispute.created", dispute())))

    assert parsed == expected_event(PaymentEventKind.DISPUTED, payment_id=None)


def test_a_dispute_carrying_our_metadata_names_the_payment(provider: StripeProvider) -> None:
    body = event("charge.dispute.created", dispute(metadata=dict(METADATA)))
    parsed = provider.parse_webhook(*signed(body))

    assert parsed is not None
    assert parsed.payment_id == "pay_0001"


def test_a_succeeded_charge_names_the_card_that_paid_for_the_fraud_rules(
    provider: StripeProvider,
) -> None:
    parsed = provider.parse_webhook(*signed(event("charge.succeeded", charge())))

    assert parsed is not None
    assert parsed.kind == PaymentEventKind.INSTRUMENT
    assert parsed.instrument is not None
    assert parsed.provider_reference is not None


def test_a_declined_payment_intent_is_a_failed_event_with_the_decline_code(
    provider: StripeProvider,
) -> None:
    parsed = provider.parse_webhook(
        *signed(event("payment_intent.payment_failed", payment_intent()))
    )

    assert parsed == expected_event(
        PaymentEventKind.FAILED,
        failure_code="insufficient_funds",
        failure_message="Your card has insufficient funds.",
    )


def test_a_failed_intent_without_a_decline_code_gives_the_error_code(
    provider: StripeProvider,
) -> None:
    error = {"type": "card_error", "code": "expired_card", "message": "Your card has expired."}
    body = event("payment_intent.payment_failed", payment_intent(last_payment_error=error))
    parsed = provider.parse_webhook(*signed(body))

    assert parsed is not None
    assert (parsed.failure_code, parsed.failure_message) == ("expired_card", error["message"])


def test_a_failed_intent_without_our_metadata_is_traced_by_its_own_id(
    provider: StripeProvider,
) -> None:
    body = event(
        "payment_intent.payment_failed", payment_intent(metadata={}, last_payment_error=None)
    )
    parsed = provider.parse_webhook(*signed(body))

    assert parsed is not None
    assert (parsed.payment_id, parsed.provider_reference) == (None, PAYMENT_INTENT)
    assert (parsed.kind, parsed.failure_code) == (PaymentEventKind.FAILED, None)


def test_a_delayed_checkout_payment_that_fails_is_a_failed_event(provider: StripeProvider) -> None:
    session = checkout_session(payment_status="unpaid", metadata={})
    parsed = provider.parse_webhook(
        *signed(event("checkout.session.async_payment_failed", session))
    )

    assert parsed is not None
    assert (parsed.kind, parsed.payment_id) == (PaymentEventKind.FAILED, "pay_0001")
    assert (parsed.provider_reference, parsed.amount_minor) == (PAYMENT_INTENT, 499)
    assert parsed.failure_code == "async_payment_failed"


def test_a_failed_event_signed_with_another_secret_is_rejected(provider: StripeProvider) -> None:
    payload = json.dumps(event("payment_intent.payment_failed", payment_intent())).encode()
    headers = {"Stripe-Signature": stripe_signature(payload, secret="whsec_someone_else")}

    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(payload, headers)


@pytest.mark.parametrize("event_type", ["payment_intent.created", "customer.created"])
def test_a_well_signed_event_we_do_not_act_on_is_ignored(
    provider: StripeProvider, event_type: str
) -> None:
    assert provider.parse_webhook(*signed(event(event_type, charge()))) is None


def test_a_payload_signed_with_another_secret_is_rejected(provider: StripeProvider) -> None:
    payload = json.dumps(event("checkout.session.completed", checkout_session())).encode()
    headers = {"Stripe-Signature": stripe_signature(payload, secret="whsec_someone_else")}

    with pytest.raises(WebhookSignatureError) as raised:
        provider.parse_webhook(payload, headers)
    assert raised.value.code == "webhook_signature_invalid"


def test_a_tampered_payload_is_rejected(provider: StripeProvider) -> None:
    payload, headers = signed(event("checkout.session.completed", checkout_session()))
    tampered = payload.replace(b'"amount_total": 499', b'"amount_total": 49900')
    assert tampered != payload

    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(tampered, headers)


@pytest.mark.parametrize("headers", [{}, {"Stripe-Signature": ""}, {"Stripe-Signature": "v1=ab"}])
def test_a_missing_or_malformed_signature_is_rejected(
    provider: StripeProvider, headers: dict[str, str]
) -> None:
    payload, _ = signed(event("checkout.session.completed", checkout_session()))

    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(payload, headers)


def test_a_stale_signature_is_rejected(provider: StripeProvider) -> None:
    payload = json.dumps(event("checkout.session.completed", checkout_session())).encode()
    headers = {"Stripe-Signature": stripe_signature(payload, at_s=int(time.time()) - 3600)}

    with pytest.raises(WebhookSignatureError, match="tolerance"):
        provider.parse_webhook(payload, headers)


def test_a_signature_from_the_future_is_rejected_like_the_sandbox_does(
    provider: StripeProvider,
) -> None:
    payload = json.dumps(event("checkout.session.completed", checkout_session())).encode()
    headers = {"Stripe-Signature": stripe_signature(payload, at_s=int(time.time()) + 3600)}

    with pytest.raises(WebhookSignatureError, match="beyond 300 s of tolerance"):
        provider.parse_webhook(payload, headers)


def test_a_signature_a_little_ahead_of_our_clock_is_accepted(provider: StripeProvider) -> None:
    payload = json.dumps(event("checkout.session.completed", checkout_session())).encode()
    headers = {"Stripe-Signature": stripe_signature(payload, at_s=int(time.time()) + 60)}

    assert provider.parse_webhook(payload, headers) is not None


@pytest.mark.parametrize(
    "value",
    [
        "t=1767225600,v1=" + "é" * 64,  # the SDK's compare_digest raised TypeError: a 500
        "t=" + "9" * 5000 + ",v1=" + "0" * 64,
        "t=1767225600,v1=" + "0" * 64 + "," * 40,
    ],
)
def test_a_malformed_signature_is_a_signature_error_not_a_crash(
    provider: StripeProvider, value: str
) -> None:
    payload, _ = signed(event("checkout.session.completed", checkout_session()))

    with pytest.raises(WebhookSignatureError, match="malformed"):
        provider.parse_webhook(payload, {"Stripe-Signature": value})


@settings(max_examples=200)
@given(value=st.text(max_size=200))
def test_any_stripe_signature_header_is_verified_or_refused(value: str) -> None:
    provider = StripeProvider("sk_test_giftflow", WEBHOOK_SECRET)
    payload, _ = signed(event("checkout.session.completed", checkout_session()))

    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(payload, {"Stripe-Signature": value})


def test_the_header_name_is_case_insensitive(provider: StripeProvider) -> None:
    payload, headers = signed(event("checkout.session.completed", checkout_session()))

    assert provider.parse_webhook(payload, {"stripe-signature": headers["Stripe-Signature"]})


def test_a_payload_that_is_not_utf8_cannot_be_verified(provider: StripeProvider) -> None:
    payload = b"\xff\xfe{}"

    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(payload, {"Stripe-Signature": stripe_signature(payload)})


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        json.dumps(event("charge.refunded", charge(amount_refunded=None))).encode(),
        json.dumps(event("charge.dispute.created", dispute(currency=7))).encode(),
        json.dumps({**event("charge.refunded", charge()), "data": None}).encode(),
        json.dumps(event("payment_intent.payment_failed", payment_intent(id=None))).encode(),
        json.dumps(
            event("payment_intent.payment_failed", payment_intent(last_payment_error="declined"))
        ).encode(),
    ],
)
def test_a_well_signed_body_of_the_wrong_shape_is_a_payload_error(
    provider: StripeProvider, payload: bytes
) -> None:
    with pytest.raises(WebhookPayloadError) as raised:
        provider.parse_webhook(payload, {"Stripe-Signature": stripe_signature(payload)})
    assert raised.value.code == "webhook_payload_invalid"


def test_a_zero_tolerance_is_refused_because_the_sdk_reads_it_as_unlimited() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        StripeProvider("sk_test_giftflow", WEBHOOK_SECRET, tolerance_s=0)
