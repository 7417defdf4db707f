"""Coins in: purchases, payments, provider events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self, cast

from pydantic import BaseModel, Field, Strict, Tag

from giftflow.economy.catalog.model import Channel
from giftflow.http.schemas.common import (
    COINS_MAX,
    PackId,
    ProviderName,
    Request,
    UserId,
    WholeNumber,
    at,
    at_or_none,
    branch,
    two_branches,
)
from giftflow.service.economy import Payment, PaymentOutcome


class _Purchase(Request):
    user_id: UserId
    channel: Channel
    provider: ProviderName


class PackPurchaseCreate(_Purchase):
    """Buy one of the region's packs (``GET /v1/catalog/packs``)."""

    pack_id: PackId


class CustomPurchaseCreate(_Purchase):
    """Buy a custom amount of coins at the region's rate per 1,000, rounded up."""

    coins: Annotated[int, Strict(), Field(ge=1, le=COINS_MAX), WholeNumber]


PurchaseCreate = Annotated[
    Annotated[PackPurchaseCreate, Tag(branch("pack"))]
    | Annotated[CustomPurchaseCreate, Tag(branch("custom"))],
    two_branches("pack_id", PackPurchaseCreate, present="pack", absent="custom"),
]
"""A pack (``pack_id``) or a custom amount (``coins``)."""


PaymentStatus = Literal["created", "failed", "paid", "refunded", "disputed"]


class PaymentFailurePublic(BaseModel):
    """The last attempt to pay that failed: ``code`` as the provider names it
    (``card_declined``, ``insufficient_funds``, ``expired_card``, ``incorrect_cvc``,
    ``processing_error`` …), ``message`` for people."""

    code: str
    message: str
    at: datetime
    attempts: int
    """Failed attempts on this payment so far."""


class PaymentPublic(BaseModel):
    """``status``: ``created`` (open, nothing tried yet), ``failed`` (open, the last
    attempt failed: the buyer may try again), ``paid``, ``refunded``, ``disputed``."""

    id: str
    provider: str
    provider_payment_id: str | None
    user_id: int
    region: str
    channel: str
    pack_id: str | None
    coins: int
    amount_minor: int
    currency: str
    status: PaymentStatus
    refunded_minor: int
    coins_clawed_back: int
    created_at: datetime
    paid_at: datetime | None
    checkout_url: str | None
    last_failure: PaymentFailurePublic | None
    """The last failed attempt, if any (kept once the payment is paid)."""

    @classmethod
    def of(cls, payment: Payment) -> Self:
        return cls(
            id=payment.id,
            provider=payment.provider,
            provider_payment_id=payment.provider_payment_id,
            user_id=payment.user_id,
            region=payment.region,
            channel=payment.channel,
            pack_id=payment.pack_id,
            coins=payment.coins,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            status=cast(PaymentStatus, payment.state),
            refunded_minor=payment.refunded_minor,
            coins_clawed_back=payment.coins_clawed_back,
            created_at=at(payment.created_at),
            paid_at=at_or_none(payment.paid_at),
            checkout_url=payment.checkout_url,
            last_failure=_failure(payment),
        )


def _failure(payment: Payment) -> PaymentFailurePublic | None:
    if not payment.failed_attempts or payment.failure_code is None:
        return None
    return PaymentFailurePublic(
        code=payment.failure_code,
        message=payment.failure_message or "",
        at=at(payment.failed_at),
        attempts=payment.failed_attempts,
    )


class WebhookOutcomePublic(BaseModel):
    """What a provider's event did. ``ignored``: a well-signed event of a kind giftflow
    does not act on."""

    event: Literal["paid", "failed", "refunded", "disputed", "ignored"]
    payment: PaymentPublic | None = None
    coins_minted: int = 0
    coins_from_wallet: int = 0
    reversed_diamond_units: int = 0
    loss_coins: int = 0
    wallet_frozen: bool = False

    @classmethod
    def of(cls, outcome: PaymentOutcome | None) -> Self:
        if outcome is None:
            return cls(event="ignored")
        event: Literal["paid", "failed", "refunded", "disputed"]
        event = _event(outcome.event)
        return cls(
            event=event,
            payment=PaymentPublic.of(outcome.payment),
            coins_minted=outcome.coins_minted,
            coins_from_wallet=outcome.coins_from_wallet,
            reversed_diamond_units=outcome.reversed_units,
            loss_coins=outcome.loss_coins,
            wallet_frozen=outcome.wallet_frozen,
        )


def _event(event: str) -> Literal["paid", "failed", "refunded", "disputed"]:
    if event in ("paid", "failed", "disputed"):
        return cast(Literal["paid", "failed", "disputed"], event)
    return "refunded"
