"""The contract every payment provider plugs into.

A provider does two things: it opens a checkout for a coin pack, and it turns a raw
webhook into a verified :class:`PaymentEvent` (or rejects it). Coins are minted only
from such an event, and at most once per payment (the provider-events service derives the
minting transfers' ids from the payment id), so a redelivered webhook, or a second
event for the same payment, mints nothing; that bookkeeping is not the provider's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from giftflow.economy.money import Fiat
from giftflow.ids import UserId


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """What we ask a provider to charge for: ``coins`` for ``price``, under our id."""

    payment_id: str
    user_id: UserId
    coins: int
    price: Fiat
    description: str
    success_url: str
    cancel_url: str

    def __post_init__(self) -> None:
        if not self.payment_id:
            raise ValueError("a checkout needs our payment_id")
        if self.coins <= 0 or self.price.amount_minor <= 0:
            raise ValueError(f"cannot sell {self.coins} coins for {self.price.amount_minor}")


@dataclass(frozen=True, slots=True)
class Checkout:
    """An opened checkout; ``url`` is where to send the buyer (None: no page to visit)."""

    provider: str
    provider_payment_id: str
    url: str | None


class PaymentEventKind(StrEnum):
    PAID = "paid"
    REFUNDED = "refunded"
    DISPUTED = "disputed"
    FAILED = "failed"
    """An attempt to pay was declined or failed: mints nothing; the buyer may try
    again on the same checkout (``failure_code`` says why)."""
    INSTRUMENT = "instrument"
    """Which card or account paid (a charge succeeded): mints nothing, feeds the fraud
    rules where the paid event itself does not name the instrument (Stripe Checkout)."""


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """A verified fact from a provider.

    ``amount_minor`` is what was paid for ``paid``, the *cumulative* amount refunded so
    far for ``refunded`` (a second partial refund repeats the first), and the amount
    in dispute for ``disputed``. ``payment_id`` is ours, carried in the provider's
    metadata; ``provider_reference`` is theirs (a Stripe PaymentIntent id), the key that
    ties a refund or a dispute back to its payment when our metadata is absent.
    ``instrument`` is a fingerprint of the card or account, for the fraud rules.
    ``failed`` carries the amount attempted.
    """

    provider: str
    event_id: str
    kind: PaymentEventKind
    payment_id: str | None
    provider_reference: str | None
    amount_minor: int
    currency: str
    instrument: str | None
    occurred_at_ns: int
    failure_code: str | None = None
    """For ``failed``: why, in the provider's words (``card_declined``,
    ``insufficient_funds``, ``processing_error`` …)."""
    failure_message: str | None = None


class PaymentProvider(Protocol):
    name: str
    real_money: bool
    """Whether a paid event stands for money actually charged. False for the sandbox
    and for Stripe in test mode: their payments cost nothing, so they may run only in
    ``development`` (``giftflow.payments.policy``)."""

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """Open a checkout; raises PaymentProviderError when the provider refuses."""
        ...

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent | None:
        """Verify the signature first (WebhookSignatureError), then read the event:
        None for a well-signed event of a type we do not act on, WebhookPayloadError
        for one we act on but cannot read."""
        ...


def header(headers: Mapping[str, str], name: str) -> str | None:
    """HTTP header names are case-insensitive; plain dicts are not."""
    if name in headers:
        return headers[name]
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)
