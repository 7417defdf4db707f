"""The sandbox provider's side of a payment, played by giftflow itself in development:
a test card tried on the checkout page, a refund, a dispute.

Each is a webhook the sandbox signs with its secret and giftflow receives through the
one path every provider's events take (``provider_events.handle_webhook``: the signature
verified first, then minted or clawed back once, by ids derived from the payment). So
what an integrator tries here is what a real provider's events will do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from giftflow.economy.errors import EconomyError, TestModeUnavailableError
from giftflow.economy.money import Fiat
from giftflow.payments.base import PaymentEventKind
from giftflow.payments.sandbox import NAME, SandboxPayment, SandboxProvider
from giftflow.payments.test_cards import CardOutcome, TestCard, test_card
from giftflow.service.economy import provider_events, purchases
from giftflow.service.economy.context import EconomyContext
from giftflow.service.economy.purchases import PaymentOutcome
from giftflow.store.payments import Payment


@dataclass(frozen=True, slots=True)
class CardAttempt:
    """What trying a test card did now, and what follows (``later``: the processing
    failure or the dispute, sent once the buyer has had the first answer)."""

    card: TestCard
    outcome: PaymentOutcome | None
    later: Callable[[], PaymentOutcome | None] | None = None


def provider(context: EconomyContext) -> SandboxProvider:
    """The sandbox, in a development economy that has it; else test mode is absent."""
    sandbox = context.providers.get(NAME)
    if context.settings.environment != "development" or not isinstance(sandbox, SandboxProvider):
        raise TestModeUnavailableError(
            "the sandbox runs only in development, with GIFTFLOW_SANDBOX_WEBHOOK_SECRET set"
        )
    return sandbox


def sandbox_payment(context: EconomyContext, payment_id: str) -> Payment:
    """A payment opened with the sandbox (others are not the sandbox's to act on)."""
    provider(context)
    payment = purchases.get_payment(context, payment_id)
    if payment.provider != NAME or payment.provider_payment_id is None:
        raise EconomyError(
            f"payment {payment_id} was opened with {payment.provider}, not the sandbox",
            code="payment_not_sandbox",
        )
    return payment


def try_card(context: EconomyContext, payment_id: str, number: str) -> CardAttempt:
    """Pay (or fail to pay) an open sandbox payment with a test card."""
    payment = sandbox_payment(context, payment_id)
    card = test_card(number)
    if card is None:
        raise EconomyError(
            "that is not one of the sandbox's test cards (docs/payments.md lists them)",
            code="test_card_unknown",
        )
    if payment.status != "created":
        raise EconomyError(
            f"payment {payment_id} is {payment.status} already", code="payment_closed"
        )
    if card.outcome == CardOutcome.DECLINED:
        return CardAttempt(card, _failed(context, payment, card))
    if card.outcome == CardOutcome.FAILS_AFTER_PROCESSING:
        return CardAttempt(card, None, lambda: _failed(context, payment, card))
    paid = send(context, PaymentEventKind.PAID, payment)
    if card.outcome == CardOutcome.DISPUTED_LATER:
        return CardAttempt(card, paid, lambda: dispute(context, payment_id))
    return CardAttempt(card, paid)


def _failed(context: EconomyContext, payment: Payment, card: TestCard) -> PaymentOutcome | None:
    return send(
        context,
        PaymentEventKind.FAILED,
        payment,
        failure_code=card.failure_code,
        failure_message=card.message,
    )


def refund(
    context: EconomyContext, payment_id: str, amount_minor: int | None = None
) -> PaymentOutcome | None:
    """Refund ``amount_minor`` more (all that is left when None), as the provider's
    ``payment.refunded`` says it: the cumulative amount refunded."""
    payment = sandbox_payment(context, payment_id)
    left = payment.amount_minor - payment.refunded_minor
    more = left if amount_minor is None else amount_minor
    if not 0 < more <= left:
        raise EconomyError(
            f"payment {payment_id} has {Fiat(left, payment.currency)} left"
            f" to refund; {more} minor units cannot be refunded",
            code="refund_amount_invalid",
            facts={"refundable_minor": left, "currency": payment.currency},
        )
    total = payment.refunded_minor + more
    return send(context, PaymentEventKind.REFUNDED, payment, amount_minor=total)


def dispute(context: EconomyContext, payment_id: str) -> PaymentOutcome | None:
    """The card holder disputes the whole payment (a chargeback)."""
    payment = sandbox_payment(context, payment_id)
    return send(context, PaymentEventKind.DISPUTED, payment)


def send(
    context: EconomyContext,
    kind: PaymentEventKind,
    payment: Payment,
    *,
    amount_minor: int | None = None,
    instrument: str | None = None,
    failure_code: str | None = None,
    failure_message: str | None = None,
) -> PaymentOutcome | None:
    """Sign the event as the sandbox's servers would and receive it as giftflow does."""
    assert payment.provider_payment_id is not None
    ids = SandboxPayment(
        payment.id,
        payment.provider_payment_id,
        payment.amount_minor if amount_minor is None else amount_minor,
        payment.currency,
    )
    payload, headers = provider(context).event(
        kind,
        ids,
        instrument=instrument,
        failure_code=failure_code,
        failure_message=failure_message,
    )
    return provider_events.handle_webhook(context, NAME, payload, headers)
