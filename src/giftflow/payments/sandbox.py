"""A local payment provider with Stripe-like signed webhooks, for the demo and tests.

It plays both sides: ``create_checkout`` and ``parse_webhook`` are the provider as
giftflow sees it, and ``event_paid`` / ``event_failed`` / ``event_refunded`` /
``event_disputed`` (or ``event`` for any payment, by its ids) are the provider's
servers sending a webhook. A body is signed with HMAC-SHA256 over
``f"{t}.{body}"`` and sent in ``Giftflow-Sandbox-Signature: t=<unix s>,v1=<hex>``, so
the code that receives it is exercised exactly as it will be with a real provider.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from giftflow.ledger.clock import NS_PER_S, Clock
from giftflow.payments import payload as read
from giftflow.payments import signature
from giftflow.payments.base import (
    Checkout,
    CheckoutRequest,
    PaymentEvent,
    PaymentEventKind,
    header,
)
from giftflow.payments.errors import WebhookSignatureError
from giftflow.payments.policy import check_sandbox_secret

SIGNATURE_HEADER: Final = "Giftflow-Sandbox-Signature"
NAME: Final = "sandbox"
CHECKOUT_PATH: Final = "/sandbox/checkout"
_EVENT_TYPES: Final = {f"payment.{kind.value}": kind for kind in PaymentEventKind}


REQUESTS_KEPT: Final = 10_000
"""Open checkouts a sandbox remembers to make events of; older ones are forgotten (their
webhooks still verify and book: the payment rows are in the store)."""


def random_token() -> str:
    return secrets.token_hex(12)


@dataclass(frozen=True, slots=True)
class SandboxPayment:
    """What an event names of its payment: giftflow's id, the sandbox's, the amount."""

    payment_id: str
    provider_payment_id: str
    amount_minor: int
    currency: str


class SandboxProvider:
    """Its secret is all it takes to mark any open purchase paid: development only
    (``giftflow.payments.policy``), with a secret of 32 bytes or more."""

    name: str = NAME
    real_money: bool = False

    def __init__(
        self,
        secret: bytes,
        clock: Clock,
        tolerance_s: int = 300,
        *,
        new_token: Callable[[], str] = random_token,
        page_url: str | None = None,
    ) -> None:
        check_sandbox_secret(secret)
        self._secret = secret
        self._clock = clock
        self._tolerance_s = tolerance_s
        self._new_token = new_token
        # The checkouts this process opened, for the events it makes of them (tests, the
        # demo): the newest REQUESTS_KEPT only, so a long-running server never grows.
        self._requests: OrderedDict[str, CheckoutRequest] = OrderedDict()
        self.page_url = page_url
        """Where giftflow serves the sandbox's checkout pages (``GIFTFLOW_PUBLIC_URL``):
        a checkout's ``url`` is ``<page_url>/sandbox/checkout/<payment id>``; None
        (embedders, tests): no page, ``url`` is None."""

    # -- the provider as giftflow sees it --------------------------------------------

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        provider_payment_id = f"sbx_{self._new_token()}"
        self._requests[provider_payment_id] = request
        while len(self._requests) > REQUESTS_KEPT:
            self._requests.popitem(last=False)
        url = None
        if self.page_url is not None:
            url = f"{self.page_url.rstrip('/')}{CHECKOUT_PATH}/{request.payment_id}"
        return Checkout(provider=NAME, provider_payment_id=provider_payment_id, url=url)

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
            failure_code=read.optional_text(data, "failure_code", provider=NAME),
            failure_message=read.optional_text(data, "failure_message", provider=NAME),
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

    def event_failed(
        self,
        checkout: Checkout,
        amount_minor: int,
        currency: str,
        *,
        failure_code: str,
        failure_message: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """A declined or failed attempt to pay (``failure_code`` as Stripe names it)."""
        request = self._request(checkout)
        return self.event(
            PaymentEventKind.FAILED,
            SandboxPayment(
                request.payment_id, checkout.provider_payment_id, amount_minor, currency
            ),
            failure_code=failure_code,
            failure_message=failure_message,
        )

    def event(
        self,
        kind: PaymentEventKind,
        payment: SandboxPayment,
        *,
        instrument: str | None = None,
        failure_code: str | None = None,
        failure_message: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """A signed event about any payment of this sandbox, by its ids (what the
        checkout page and the sandbox routes send, from the payment's stored row)."""
        data: dict[str, Any] = {
            "payment_id": payment.payment_id,
            "provider_payment_id": payment.provider_payment_id,
            "amount_minor": payment.amount_minor,
            "currency": payment.currency.upper(),
            "instrument": instrument,
        }
        if failure_code is not None:
            data["failure_code"] = failure_code
            data["failure_message"] = failure_message
        body = {
            "id": f"evt_sbx_{self._new_token()}",
            "type": f"payment.{kind.value}",
            "occurred_at_ns": self._clock.now_ns(),
            "data": data,
        }
        payload = json.dumps(body, separators=(",", ":")).encode()
        return payload, self.sign(payload)

    def sign(self, payload: bytes) -> dict[str, str]:
        """The headers the sandbox sends with ``payload``, signed now."""
        timestamp_s = self._clock.now_ns() // NS_PER_S
        return {SIGNATURE_HEADER: f"t={timestamp_s},v1={self._signature(timestamp_s, payload)}"}

    def _event(
        self,
        kind: PaymentEventKind,
        checkout: Checkout,
        amount_minor: int,
        currency: str,
        instrument: str | None,
    ) -> tuple[bytes, dict[str, str]]:
        request = self._request(checkout)
        payment = SandboxPayment(
            request.payment_id, checkout.provider_payment_id, amount_minor, currency
        )
        return self.event(kind, payment, instrument=instrument)

    def _request(self, checkout: Checkout) -> CheckoutRequest:
        request = self._requests.get(checkout.provider_payment_id)
        if request is None:
            raise ValueError(f"{checkout.provider_payment_id} was not opened by this sandbox")
        return request

    # -- verification -----------------------------------------------------------------

    def _verify(self, payload: bytes, signature_header: str | None) -> None:
        signed = signature.parse(signature_header, header=SIGNATURE_HEADER, provider=NAME)
        expected = self._signature(signed.timestamp_s, payload)
        # Every candidate is compared, so timing says nothing about which one was close.
        matches = [hmac.compare_digest(expected, candidate) for candidate in signed.signatures]
        if not any(matches):
            raise WebhookSignatureError("no signature matches the payload", provider=NAME)
        signature.check_age(
            signed.timestamp_s,
            now_s=self._clock.now_ns() // NS_PER_S,
            tolerance_s=self._tolerance_s,
            provider=NAME,
        )

    def _signature(self, timestamp_s: int, payload: bytes) -> str:
        signed = f"{timestamp_s}.".encode() + payload
        return hmac.new(self._secret, signed, hashlib.sha256).hexdigest()
