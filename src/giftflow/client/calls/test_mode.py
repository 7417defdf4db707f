"""Test mode (development economies only, docs/payments.md): the test clock, and the
sandbox's own payments, refunds and disputes; and creators' payee destinations."""

from __future__ import annotations

from typing import Literal

from giftflow.client.call import Call, keyed, model, path
from giftflow.client.models import (
    CardAttemptPublic,
    PayeePublic,
    TestClockPublic,
    WebhookOutcomePublic,
)
from giftflow.client.requests import without_none

PayeeKind = Literal["iban", "bank_account", "paypal", "other"]


def test_clock() -> Call[TestClockPublic]:
    """``GET /v1/test-clock``: the economy's time and the test clock's offset."""
    return Call("GET", "/v1/test-clock", model(TestClockPublic))


def advance_test_clock(
    seconds: int, *, idempotency_key: str | None = None
) -> Call[TestClockPublic]:
    """``POST /v1/test-clock/advance``: the economy's clock forward (never back)."""
    call = Call("POST", "/v1/test-clock/advance", model(TestClockPublic), body={"seconds": seconds})
    return keyed(call, idempotency_key)


def sandbox_pay(payment_id: str, *, card_number: str | None = None) -> Call[CardAttemptPublic]:
    """``POST /v1/sandbox/payments/{id}/pay``: pay with a test card (4242… succeeds)."""
    body = without_none(card_number=card_number)
    where = path("/v1/sandbox/payments/{}/pay", payment_id)
    return Call("POST", where, model(CardAttemptPublic), body=body or None)


def sandbox_refund(
    payment_id: str, *, amount_minor: int | None = None
) -> Call[WebhookOutcomePublic]:
    """``POST /v1/sandbox/payments/{id}/refund``: cumulative; all that is left by default."""
    body = without_none(amount_minor=amount_minor)
    where = path("/v1/sandbox/payments/{}/refund", payment_id)
    return Call("POST", where, model(WebhookOutcomePublic), body=body or None, repeatable=True)


def sandbox_dispute(payment_id: str) -> Call[WebhookOutcomePublic]:
    """``POST /v1/sandbox/payments/{id}/dispute``: the card holder disputes it."""
    where = path("/v1/sandbox/payments/{}/dispute", payment_id)
    return Call("POST", where, model(WebhookOutcomePublic), repeatable=True)


def set_payee_destination(
    creator_id: int, *, kind: PayeeKind, destination: str, holder_name: str
) -> Call[PayeePublic]:
    """``PUT /v1/creators/{id}/payee-destination``: where the creator's payouts go."""
    body = {"kind": kind, "destination": destination, "holder_name": holder_name}
    where = path("/v1/creators/{}/payee-destination", creator_id)
    return Call("PUT", where, model(PayeePublic), body=body, repeatable=True)


def get_payee_destination(creator_id: int) -> Call[PayeePublic]:
    where = path("/v1/creators/{}/payee-destination", creator_id)
    return Call("GET", where, model(PayeePublic))
