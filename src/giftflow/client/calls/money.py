"""Coins in (purchases, payments, provider webhooks), gifts, and payouts.

Every money-moving call carries an Idempotency-Key: ``idempotency_key`` when given, else
one the client makes; either way it is on the error when the call fails, for a retry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from giftflow.client.call import Call, keyed, model, path
from giftflow.client.models import (
    GiftBatchPublic,
    GiftSentPublic,
    PaymentPublic,
    PayoutList,
    PayoutPublic,
    StreakPublic,
    WebhookOutcomePublic,
)
from giftflow.client.requests import GiftEvent, without_none

Channel = Literal["web", "app_store"]
PayoutState = Literal["requested", "held", "approved", "paid", "failed", "rejected"]


def start_purchase(
    *,
    user_id: int,
    channel: Channel,
    provider: str,
    pack_id: str | None = None,
    coins: int | None = None,
    idempotency_key: str | None = None,
) -> Call[PaymentPublic]:
    """``POST /v1/purchases``: a checkout for a pack (``pack_id``) or a custom amount
    (``coins``) at the user's regional price. No coins until the provider says paid."""
    if (pack_id is None) == (coins is None):
        raise ValueError("a purchase is of a pack_id or of coins")
    body = without_none(
        user_id=user_id, channel=channel, provider=provider, pack_id=pack_id, coins=coins
    )
    return keyed(Call("POST", "/v1/purchases", model(PaymentPublic), body=body), idempotency_key)


def get_payment(payment_id: str) -> Call[PaymentPublic]:
    return Call("GET", path("/v1/payments/{}", payment_id), model(PaymentPublic))


def deliver_webhook(
    provider: str, payload: bytes, headers: Mapping[str, str]
) -> Call[WebhookOutcomePublic]:
    """``POST /v1/webhooks/{provider}``: a provider's signed event, byte for byte (see
    ``giftflow.client.sandbox`` to sign sandbox events). Redelivering changes nothing."""
    all_headers = {"Content-Type": "application/json", **headers}
    url = path("/v1/webhooks/{}", provider)
    return Call(
        "POST",
        url,
        model(WebhookOutcomePublic),
        content=payload,
        headers=all_headers,
        repeatable=True,
        authenticated=False,
    )


def send_gift(event: GiftEvent, *, idempotency_key: str | None = None) -> Call[GiftSentPublic]:
    """``POST /v1/gifts``: coins leave the wallet, diamonds reach the creator, together."""
    call = Call("POST", "/v1/gifts", model(GiftSentPublic), body=event.to_json())
    return keyed(call, idempotency_key)


def send_gifts(
    events: Sequence[GiftEvent], *, idempotency_key: str | None = None
) -> Call[GiftBatchPublic]:
    """``POST /v1/gifts/batch``: 1 to 1,000 events booked together, a result per event."""
    body = {"gifts": [event.to_json() for event in events]}
    call = Call("POST", "/v1/gifts/batch", model(GiftBatchPublic), body=body)
    return keyed(call, idempotency_key)


def end_streak(streak_id: str, *, sender_id: int) -> Call[StreakPublic]:
    """``POST /v1/streaks/{id}/end``: ending it again changes nothing."""
    url = path("/v1/streaks/{}/end", streak_id)
    body = {"sender_id": sender_id}
    return Call("POST", url, model(StreakPublic), body=body, repeatable=True)


def request_payout(
    *,
    creator_id: int,
    diamonds: int,
    partner: str | None = None,
    idempotency_key: str | None = None,
) -> Call[PayoutPublic]:
    """``POST /v1/payouts``: reserves whole ``diamonds``; ``held`` awaiting approval."""
    body = without_none(creator_id=creator_id, diamonds=diamonds, partner=partner)
    return keyed(Call("POST", "/v1/payouts", model(PayoutPublic), body=body), idempotency_key)


def list_payouts(
    *, creator_id: int | None = None, state: PayoutState | None = None
) -> Call[PayoutList]:
    query = {"creator_id": creator_id, "state": state}
    return Call("GET", "/v1/payouts", model(PayoutList), query=query)


def get_payout(payout_id: str) -> Call[PayoutPublic]:
    return Call("GET", path("/v1/payouts/{}", payout_id), model(PayoutPublic))


def hold_payout(payout_id: str, *, idempotency_key: str | None = None) -> Call[PayoutPublic]:
    """``requested`` → ``held`` (admin)."""
    call = Call("POST", path("/v1/payouts/{}/hold", payout_id), model(PayoutPublic))
    return keyed(call, idempotency_key)


def approve_payout(payout_id: str, *, idempotency_key: str | None = None) -> Call[PayoutPublic]:
    """``held`` → ``approved``, for the partner's next batch (admin)."""
    call = Call("POST", path("/v1/payouts/{}/approve", payout_id), model(PayoutPublic))
    return keyed(call, idempotency_key)


def reject_payout(
    payout_id: str, *, reason: str, idempotency_key: str | None = None
) -> Call[PayoutPublic]:
    """→ ``rejected``; the diamonds return (admin)."""
    url = path("/v1/payouts/{}/reject", payout_id)
    call = Call("POST", url, model(PayoutPublic), body={"reason": reason})
    return keyed(call, idempotency_key)
