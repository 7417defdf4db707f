"""A local payment provider with Stripe-like signed webhooks, for the demo and tests.

It plays both sides: ``create_checkout`` and ``parse_webhook`` are the provider as
giftflow sees it, and ``event_paid`` / ``event_refunded`` / ``event_disputed`` are the
provider's servers sending a webhook. A body is signed with HMAC-SHA256 over
``f"{t}.{body}"`` and sent in ``Giftflow-Sandbox-Signature: t=<unix s>,v1=<hex>``, so
the code that receives it is exercised exactly as it will be with a real provider.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any, Final

from giftflow.ledger.clock import Clock
from giftflow.payments import payload as read
from giftflow.payments.base import (
    Checkout,
    CheckoutRequest,
    PaymentEvent,
    PaymentEventKind,
    header,
)
from giftflow.payments.errors import WebhookSignatureError

SIGNATURE_HEADER: Final = "Giftflow-Sandbox-Signature"
NAME: Final = "sandbox"
_NS_PER_S: Final = 1_000_000_000
_EVENT_TYPES: Final = {f"payment.{kind.value}": kind for kind in PaymentEventKind}


def random_token() -> str:
    return secrets.token_hex(12)


class SandboxProvider:
    name: str = NAME

    def __init__(
        self,
        secret: bytes,
        clock: Clock,
        tolerance_s: int = 300,
        *,
        new_token: Callable[[], str] = random_token,
    ) -> None:
        if not secret:
            raise ValueError("the sandbox needs a non-empty webhook secret")
        self._secret = secret
        self._clock = clock
        self._tolerance_s = tolerance_s
        self._new_token = new_token
        self._requests: dict[str, CheckoutRequest] = {}

    # -- the provider as giftflow sees it --------------------------------------------

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        provider_payment_id = f"sbx_{self._new_token()}"
        self._requests[provider_payment_id] = request
        return Checkout(provider=NAME, provider_payment_id=provider_payment_id, url=None)

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent | None:
        self._verify(payload, header(headers, SIGNATURE_HEADER))
        body = read.load_object(payload, provider=NAME)
        kind = _EVENT_TYPES.get(read.text(body, "type", provider=NAME))
        if kind is None:
            return None
        data = read.child(body, "data", provider=NAME)
        return PaymentEvent(
            provider=NAME,
            event_id=read.text(body, "id", provider=NAME),
            kind=kind,
            payment_id=read.optional_text(data, "payment_id", provider=NAME),
            provider_reference=read.optional_text(data, "provider_payment_id", provider=NAME),
            amount_minor=read.amount(data, "amount_minor", provider=NAME),
            currency=read.currency(data, "currency", provider=NAME),
            instrument=read.optional_text(data, "instrument", provider=NAME),
            occurred_at_ns=read.amount(body, "occurred_at_ns", provider=NAME),
        )

    # -- the provider's servers, sending webhooks -------------------------------------

    def event_paid(
        self, checkout: Checkout, amount_minor: int, currency: str, *, instrument: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        return self._event(PaymentEventKind.PAID, checkout, amount_minor, currency, instrument)

    def event_refunded(
        self, checkout: Checkout, amount_minor: int, currency: str, *, instrument: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """``amount_minor`` is the total refunded so far, as Stripe reports it."""
        return self._event(PaymentEventKind.REFUNDED, checkout, amount_minor, currency, instrument)

    def event_disputed(
        self, checkout: Checkout, amount_minor: int, currency: str, *, instrument: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        return self._event(PaymentEventKind.DISPUTED, checkout, amount_minor, currency, instrument)

    def sign(self, payload: bytes) -> dict[str, str]:
        """The headers the sandbox sends with ``payload``, signed now."""
        timestamp_s = self._clock.now_ns() // _NS_PER_S
        return {SIGNATURE_HEADER: f"t={timestamp_s},v1={self._signature(timestamp_s, payload)}"}

    def _event(
        self,
        kind: PaymentEventKind,
        checkout: Checkout,
        amount_minor: int,
        currency: str,
        instrument: str | None,
    ) -> tuple[bytes, dict[str, str]]:
        request = self._requests.get(checkout.provider_payment_id)
        if request is None:
            raise ValueError(f"{checkout.provider_payment_id} was not opened by this sandbox")
        data: dict[str, Any] = {
            "payment_id": request.payment_id,
            "provider_payment_id": checkout.provider_payment_id,
            "amount_minor": amount_minor,
            "currency": currency.upper(),
            "instrument": instrument,
        }
        body = {
            "id": f"evt_sbx_{self._new_token()}",
            "type": f"payment.{kind.value}",
            "occurred_at_ns": self._clock.now_ns(),
            "data": data,
        }
        payload = json.dumps(body, separators=(",", ":")).encode()
        return payload, self.sign(payload)

    # -- verification -----------------------------------------------------------------

    def _verify(self, payload: bytes, signature_header: str | None) -> None:
        if not signature_header:
            raise WebhookSignatureError(f"no {SIGNATURE_HEADER} header", provider=NAME)
        timestamp_s, signatures = _parse_signature_header(signature_header)
        expected = self._signature(timestamp_s, payload)
        # Every candidate is compared, so timing says nothing about which one was close.
        matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
        if not any(matches):
            raise WebhookSignatureError("no signature matches the payload", provider=NAME)
        age_s = self._clock.now_ns() // _NS_PER_S - timestamp_s
        # Stripe only bounds the past; a far-future stamp is as suspect as a stale one.
        if abs(age_s) > self._tolerance_s:
            raise WebhookSignatureError(
                f"timestamp {timestamp_s} is {age_s} s from now, beyond {self._tolerance_s} s",
                provider=NAME,
            )

    def _signature(self, timestamp_s: int, payload: bytes) -> str:
        signed = f"{timestamp_s}.".encode() + payload
        return hmac.new(self._secret, signed, hashlib.sha256).hexdigest()


def _parse_signature_header(value: str) -> tuple[int, list[str]]:
    """``t=<unix s>,v1=<hex>[,v1=<hex>...]``: several v1 while a secret is rotated."""
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in value.split(","):
        key, _, part = item.strip().partition("=")
        if key == "t":
            timestamps.append(part)
        elif key == "v1" and part:
            signatures.append(part)
    if (
        len(timestamps) != 1
        or not (timestamps[0].isascii() and timestamps[0].isdigit())
        or not signatures
    ):
        raise WebhookSignatureError(f"malformed {SIGNATURE_HEADER} header", provider=NAME)
    return int(timestamps[0]), signatures
