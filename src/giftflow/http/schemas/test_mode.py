"""Test mode (development only): the test clock and the sandbox's own moves."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, Strict, StringConstraints

from giftflow.http.schemas.common import Request, WholeNumber, at
from giftflow.http.schemas.payments import WebhookOutcomePublic
from giftflow.ledger.clock import NS_PER_S
from giftflow.payments.test_cards import SUCCEEDING, CardOutcome
from giftflow.service.economy import TestClockView
from giftflow.service.economy.sandbox_payments import CardAttempt
from giftflow.service.economy.test_clock import ADVANCE_S_MAX


class TestClockAdvance(Request):
    __test__ = False
    seconds: Annotated[int, Strict(), Field(ge=1, le=ADVANCE_S_MAX), WholeNumber]
    """How far forward (never back): 604,800 crosses a 7-day holding period."""


class TestClockPublic(BaseModel):
    """The economy's time and how far ahead of the host's clock it runs."""

    __test__ = False
    now: datetime
    offset_s: int
    """Whole seconds ahead; ``offset_ns`` exactly."""
    offset_ns: int

    @classmethod
    def of(cls, view: TestClockView) -> Self:
        return cls(
            now=at(view.now_ns), offset_s=view.offset_ns // NS_PER_S, offset_ns=view.offset_ns
        )


class SandboxPay(Request):
    card_number: Annotated[str, StringConstraints(min_length=12, max_length=23)] = SUCCEEDING.number
    """A test card (docs/payments.md); spaces and dashes are ignored."""


class SandboxRefund(Request):
    amount_minor: Annotated[int, Strict(), Field(ge=1), WholeNumber] | None = None
    """How much more to refund, in minor units: all that is left when absent."""


class CardAttemptPublic(BaseModel):
    """What the test card did now (``event``: null while it is still processing) and
    the provider event that follows, sent once this answer is out (``follows``)."""

    card_outcome: CardOutcome
    failure_code: str | None
    message: str
    event: WebhookOutcomePublic | None
    follows: Literal["payment.failed", "payment.disputed"] | None

    @classmethod
    def of(cls, attempt: CardAttempt) -> Self:
        follows: Literal["payment.failed", "payment.disputed"] | None = None
        if attempt.later is not None:
            failing = attempt.card.outcome == CardOutcome.FAILS_AFTER_PROCESSING
            follows = "payment.failed" if failing else "payment.disputed"
        return cls(
            card_outcome=attempt.card.outcome,
            failure_code=attempt.card.failure_code,
            message=attempt.card.message,
            event=None if attempt.outcome is None else WebhookOutcomePublic.of(attempt.outcome),
            follows=follows,
        )
