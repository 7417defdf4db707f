"""Stripe Checkout through the official SDK, and Stripe webhooks verified by it.

A checkout carries our ``payment_id`` three ways: as ``client_reference_id``, in the
session's metadata, and in the PaymentIntent's metadata (``payment_intent_data``), which
Stripe copies onto the charge, so that a refund or a dispute months later still names
the payment it undoes. The PaymentIntent id is the ``provider_reference`` that ties
them together when metadata is absent.

A declined card (``payment_intent.payment_failed``) and a delayed method that fails
later (``checkout.session.async_payment_failed``) are ``failed`` events: they mint
nothing and record the attempt on the payment, which stays open for another try.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Final

import stripe
from stripe.params.checkout import SessionCreateParams

from giftflow.ledger.clock import NS_PER_S
from giftflow.payments import payload as read
from giftflow.payments import signature
from giftflow.payments.base import (
    Checkout,
    CheckoutRequest,
    PaymentEvent,
    PaymentEventKind,
    header,
)
from giftflow.payments.errors import (
    PaymentProviderError,
    WebhookPayloadError,
    WebhookSignatureError,
)

SIGNATURE_HEADER: Final = "Stripe-Signature"
NAME: Final = "stripe"
TEST_KEY_PREFIXES: Final = ("sk_test_", "rk_test_")
"""Stripe's test-mode secret and restricted keys: payments anyone makes with a test card."""

Reader = Callable[[Mapping[str, Any], Mapping[str, Any]], PaymentEvent | None]


class StripeProvider:
    name: str = NAME
    real_money: bool

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        client: stripe.StripeClient | None = None,
        tolerance_s: int = stripe.Webhook.DEFAULT_TOLERANCE,
    ) -> None:
        """``client`` replaces the one built from ``api_key`` (another base address, an
        HTTP client with a proxy); ``tolerance_s`` bounds a signature's age."""
        if not webhook_secret.strip():
            raise ValueError("a Stripe webhook secret (whsec_...) is required")
        if tolerance_s <= 0:
            # The SDK reads a tolerance of 0 as "accept any age": never what we want.
            raise ValueError("the signature tolerance must be positive")
        self._client = client if client is not None else stripe.StripeClient(api_key)
        # Anything but a test key counts as live: an unknown prefix fails closed in
        # development, and Stripe itself refuses it in production.
        self.real_money = not api_key.startswith(TEST_KEY_PREFIXES)
        self._webhook_secret = webhook_secret
        self._tolerance_s = tolerance_s

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        # Same payment_id, same session: a retried request cannot open a second one.
        options: stripe.RequestOptions = {"idempotency_key": f"checkout-{request.payment_id}"}
        try:
            session = self._client.v1.checkout.sessions.create(
                params=checkout_params(request), options=options
            )
        except stripe.StripeError as error:
            raise _provider_error(error) from error
        return Checkout(provider=NAME, provider_payment_id=session.id, url=session.url)

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent | None:
        body = self._verified_event(payload, header(headers, SIGNATURE_HEADER))
        reader = _READERS.get(read.text(body, "type", provider=NAME))
        if reader is None:
            return None
        data = read.child(body, "data", provider=NAME)
        return reader(body, read.child(data, "object", provider=NAME))

    def _verified_event(self, payload: bytes, signature_header: str | None) -> dict[str, Any]:
        # Our strict reading first: the SDK raises TypeError (a 500) on a non-ASCII v1.
        signed = signature.parse(signature_header, header=SIGNATURE_HEADER, provider=NAME)
        try:
            # Stripe signs the body as text; bytes that are not UTF-8 cannot be verified.
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookSignatureError("payload is not UTF-8", provider=NAME) from None
        try:
            event = self._client.construct_event(
                text, signature_header, self._webhook_secret, tolerance=self._tolerance_s
            )
        except stripe.SignatureVerificationError as error:
            raise WebhookSignatureError(str(error.user_message), provider=NAME) from None
        except ValueError as error:  # not JSON, or a v2 "thin" event sent to a v1 endpoint
            raise WebhookPayloadError(str(error), provider=NAME) from None
        # The SDK bounds only the past; the sandbox's rule bounds the future as well, on
        # the SDK's own clock.
        signature.check_age(
            signed.timestamp_s,
            now_s=int(time.time()),
            tolerance_s=self._tolerance_s,
            provider=NAME,
        )
        return event.to_dict()


def checkout_params(request: CheckoutRequest) -> SessionCreateParams:
    """One line item at our price; metadata values are strings, as Stripe requires."""
    metadata = {
        "payment_id": request.payment_id,
        "user_id": str(request.user_id),
        "coins": str(request.coins),
    }
    return {
        "mode": "payment",
        "client_reference_id": request.payment_id,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": request.price.currency.lower(),
                    "unit_amount": request.price.amount_minor,
                    "product_data": {"name": request.description},
                },
            }
        ],
        "metadata": metadata,
        "payment_intent_data": {"metadata": dict(metadata)},
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
    }


def _provider_error(error: stripe.StripeError) -> PaymentProviderError:
    message = error.user_message
    return PaymentProviderError(
        message if isinstance(message, str) and message else str(error),
        provider=NAME,
        http_status=error.http_status,
        provider_code=error.code,
    )


# -- event readers: (event, event.data.object) -> PaymentEvent | None -------------------


def _session_paid(event: Mapping[str, Any], session: Mapping[str, Any]) -> PaymentEvent | None:
    # Delayed methods (bank debits) complete "unpaid" and are paid in a later
    # checkout.session.async_payment_succeeded; only "paid" may mint coins.
    if session.get("payment_status") != "paid":
        return None
    payment_id = _metadata_payment_id(session) or read.optional_text(
        session, "client_reference_id", provider=NAME
    )
    return _payment_event(
        event, session, PaymentEventKind.PAID, "amount_total", payment_id, instrument=None
    )


def _charge_refunded(event: Mapping[str, Any], charge: Mapping[str, Any]) -> PaymentEvent:
    details = _optional_child(charge, "payment_method_details")
    card = _optional_child(details, "card")
    return _payment_event(
        event,
        charge,
        PaymentEventKind.REFUNDED,
        "amount_refunded",  # cumulative over every refund of this charge
        _metadata_payment_id(charge),
        instrument=read.optional_text(card, "fingerprint", provider=NAME),
    )


def _charge_succeeded(event: Mapping[str, Any], charge: Mapping[str, Any]) -> PaymentEvent | None:
    details = _optional_child(charge, "payment_method_details")
    fingerprint = read.optional_text(_optional_child(details, "card"), "fingerprint", provider=NAME)
    if fingerprint is None:
        return None
    return _payment_event(
        event,
        charge,
        PaymentEventKind.INSTRUMENT,
        "amount",
        _metadata_payment_id(charge),
        instrument=fingerprint,
    )


def _dispute_created(event: Mapping[str, Any], dispute: Mapping[str, Any]) -> PaymentEvent:
    return _payment_event(
        event,
        dispute,
        PaymentEventKind.DISPUTED,
        "amount",
        _metadata_payment_id(dispute),
        instrument=None,
    )


def _intent_failed(event: Mapping[str, Any], intent: Mapping[str, Any]) -> PaymentEvent:
    """A declined or failed attempt on the Checkout's PaymentIntent: the intent is the
    subject, so its own id is the reference, and ``last_payment_error`` says why (the
    decline code when the card network gave one: ``insufficient_funds`` rather than
    ``card_declined``)."""
    error = _optional_child(intent, "last_payment_error")
    code = read.optional_text(error, "decline_code", provider=NAME) or read.optional_text(
        error, "code", provider=NAME
    )
    return replace(
        _payment_event(
            event,
            intent,
            PaymentEventKind.FAILED,
            "amount",
            _metadata_payment_id(intent),
            instrument=None,
        ),
        provider_reference=read.text(intent, "id", provider=NAME),
        failure_code=code,
        failure_message=read.optional_text(error, "message", provider=NAME),
    )


def _session_payment_failed(event: Mapping[str, Any], session: Mapping[str, Any]) -> PaymentEvent:
    """A delayed method (a bank debit) that failed after the Checkout completed."""
    payment_id = _metadata_payment_id(session) or read.optional_text(
        session, "client_reference_id", provider=NAME
    )
    return replace(
        _payment_event(
            event, session, PaymentEventKind.FAILED, "amount_total", payment_id, instrument=None
        ),
        failure_code="async_payment_failed",
        failure_message="the delayed payment failed",
    )


_READERS: Final[dict[str, Reader]] = {
    "checkout.session.completed": _session_paid,
    "checkout.session.async_payment_succeeded": _session_paid,
    "checkout.session.async_payment_failed": _session_payment_failed,
    "payment_intent.payment_failed": _intent_failed,
    "charge.refunded": _charge_refunded,
    "charge.succeeded": _charge_succeeded,
    "charge.dispute.created": _dispute_created,
}


def _payment_event(
    event: Mapping[str, Any],
    subject: Mapping[str, Any],
    kind: PaymentEventKind,
    amount_key: str,
    payment_id: str | None,
    *,
    instrument: str | None,
) -> PaymentEvent:
    return PaymentEvent(
        provider=NAME,
        event_id=read.text(event, "id", provider=NAME),
        kind=kind,
        payment_id=payment_id,
        provider_reference=_payment_intent_id(subject),
        amount_minor=read.amount(subject, amount_key, provider=NAME),
        currency=read.currency(subject, "currency", provider=NAME),
        instrument=instrument,
        occurred_at_ns=read.amount(event, "created", provider=NAME) * NS_PER_S,
    )


def _payment_intent_id(subject: Mapping[str, Any]) -> str | None:
    """``payment_intent`` is an id, or the whole object when the event was expanded."""
    value = subject.get("payment_intent")
    if isinstance(value, Mapping):
        return read.optional_text(value, "id", provider=NAME)
    return read.optional_text(subject, "payment_intent", provider=NAME)


def _metadata_payment_id(subject: Mapping[str, Any]) -> str | None:
    return read.optional_text(_optional_child(subject, "metadata"), "payment_id", provider=NAME)


def _optional_child(parent: Mapping[str, Any] | None, key: str) -> dict[str, Any] | None:
    value = None if parent is None else parent.get(key)
    return None if value is None else read.as_object(value, key, provider=NAME)
