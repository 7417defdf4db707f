"""The provider-agnostic types: what a checkout request must carry."""

from __future__ import annotations

import pytest

from giftflow.economy.money import Fiat
from giftflow.ids import UserId
from giftflow.payments import CheckoutRequest
from giftflow.payments.base import header


def request(
    *, payment_id: str = "pay_1", coins: int = 500, amount_minor: int = 499
) -> CheckoutRequest:
    return CheckoutRequest(
        payment_id=payment_id,
        user_id=UserId(1),
        coins=coins,
        price=Fiat(amount_minor, "USD"),
        description="coins",
        success_url="https://giftflow.test/ok",
        cancel_url="https://giftflow.test/cancel",
    )


def test_a_well_formed_request_is_accepted() -> None:
    assert request().price == Fiat(499, "USD")


@pytest.mark.parametrize(
    ("payment_id", "coins", "amount_minor"),
    [("", 500, 499), ("pay_1", 0, 499), ("pay_1", 500, 0), ("pay_1", -1, 499)],
)
def test_a_request_without_an_id_coins_or_a_price_is_refused(
    payment_id: str, coins: int, amount_minor: int
) -> None:
    with pytest.raises(ValueError):
        request(payment_id=payment_id, coins=coins, amount_minor=amount_minor)


def test_headers_are_found_whatever_their_case() -> None:
    headers = {"stripe-signature": "t=1,v1=ab"}

    assert header(headers, "Stripe-Signature") == "t=1,v1=ab"
    assert header(headers, "Other") is None
