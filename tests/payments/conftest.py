"""What the providers' tests share: the checkout request they open (other test modules
import it as ``tests.payments.conftest``)."""

from __future__ import annotations

from giftflow.economy.money import Fiat
from giftflow.ids import UserId
from giftflow.payments import CheckoutRequest

REQUEST = CheckoutRequest(
    payment_id="pay_0001",
    user_id=UserId(42),
    coins=500,
    price=Fiat(499, "USD"),
    description="500 coins",
    success_url="https://giftflow.test/recharge/done",
    cancel_url="https://giftflow.test/recharge",
)
"""500 coins for 4.99 USD, our payment ``pay_0001``."""
