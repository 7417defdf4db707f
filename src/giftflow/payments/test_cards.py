"""The sandbox's test cards, modelled on Stripe's: a number says what happens.

The sandbox checkout page (``giftflow.web.sandbox_checkout``) takes any expiry in the
future and any CVC with these numbers; any other number is refused on the page, as a
real provider refuses a card it does not know, and nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class CardOutcome(StrEnum):
    SUCCEEDS = "succeeds"
    """Paid at once: ``payment.paid``."""
    DECLINED = "declined"
    """Declined at once: ``payment.failed`` with the card's ``failure_code``."""
    FAILS_AFTER_PROCESSING = "fails_after_processing"
    """Accepted for processing, then failed: the page says "processing" and
    ``payment.failed`` follows once the answer has been sent."""
    DISPUTED_LATER = "disputed_later"
    """Paid at once, then disputed by the card holder: ``payment.paid``, and
    ``payment.disputed`` once the answer has been sent (the coins are clawed back and
    the wallet frozen, as for any chargeback)."""


@dataclass(frozen=True, slots=True)
class TestCard:
    __test__ = False  # not a pytest class, whatever its name
    number: str
    outcome: CardOutcome
    failure_code: str | None
    message: str
    """What the checkout page tells the buyer."""


TEST_CARDS: Final = (
    TestCard("4242424242424242", CardOutcome.SUCCEEDS, None, "Payment succeeded."),
    TestCard("4000000000000002", CardOutcome.DECLINED, "card_declined", "Your card was declined."),
    TestCard(
        "4000000000009995",
        CardOutcome.DECLINED,
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    TestCard("4000000000000069", CardOutcome.DECLINED, "expired_card", "Your card has expired."),
    TestCard(
        "4000000000000127",
        CardOutcome.DECLINED,
        "incorrect_cvc",
        "Your card's security code is incorrect.",
    ),
    TestCard(
        "4000000000000119",
        CardOutcome.FAILS_AFTER_PROCESSING,
        "processing_error",
        "An error occurred while processing your card. Try again later.",
    ),
    TestCard(
        "4000000000000259",
        CardOutcome.DISPUTED_LATER,
        None,
        "Payment succeeded. (This test card's payment will be disputed.)",
    ),
)
SUCCEEDING: Final = TEST_CARDS[0]
_BY_NUMBER: Final = {card.number: card for card in TEST_CARDS}


def normalised_number(number: str) -> str:
    """The digits of a card number as typed (spaces and dashes are for people)."""
    return "".join(character for character in number if character not in " -")


def test_card(number: str) -> TestCard | None:
    """The test card with this number, or None: not a card the sandbox knows."""
    return _BY_NUMBER.get(normalised_number(number))


test_card.__test__ = False  # type: ignore[attr-defined]
