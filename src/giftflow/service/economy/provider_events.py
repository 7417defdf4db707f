"""Provider events: verifying a provider's webhook, then acting on it once. A ``paid``
event mints the coins (at most once per payment: the transfers' ids derive from it), a
``failed`` one records the attempt on the open payment (once per event id, an older
failure never overwriting a newer one: decision 0106), an ``instrument`` one feeds the
shared-instrument rule; refunds and disputes go to ``clawbacks``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import NamedTuple

from giftflow.economy import fraud as rules
from giftflow.economy.chart import AccountKind, TransferCode, platform_account
from giftflow.economy.errors import (
    AccountFrozenError,
    EconomyError,
    PaymentMismatchError,
    PaymentNotFoundError,
)
from giftflow.economy.ids import derived_id
from giftflow.economy.money import Fiat
from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.ledger.transfers import Transfer, TransferFlags
from giftflow.ledger.units import COIN, fiat
from giftflow.payments.base import PaymentEvent, PaymentEventKind
from giftflow.service.economy import clawbacks, fraud, users
from giftflow.service.economy.context import EconomyContext, first_failure, ledger_error
from giftflow.service.economy.purchases import PaymentOutcome, announce, get_payment
from giftflow.store import payments as stored_payments
from giftflow.store.payments import Failure, Payment
from giftflow.store.tx import Record, RecordRejectedError, Tx


class WebhookDelivery(NamedTuple):
    """One provider webhook as it arrived."""

    payload: bytes
    headers: Mapping[str, str]


def handle_webhook(
    context: EconomyContext, provider: str, payload: bytes, headers: Mapping[str, str]
) -> PaymentOutcome | None:
    """Verify a provider's webhook and act on it; ``None`` for events we ignore."""
    outcome = handle_webhooks(context, provider, [WebhookDelivery(payload, headers)])[0]
    if isinstance(outcome, GiftflowError):
        raise outcome
    return outcome


def handle_webhooks(
    context: EconomyContext, provider: str, deliveries: Sequence[WebhookDelivery]
) -> list[PaymentOutcome | GiftflowError | None]:
    """Verify and act on many webhooks (a queue drained, a replay): their mints share
    the engine's group commits. One outcome per delivery, or the error that stopped it,
    each as if the deliveries had come one at a time, in order: the mints started
    before any other event (a refund, a dispute, an instrument) are finished before
    it, so a refund in the same batch as its payment's ``paid`` finds it paid."""
    payments_provider = context.providers.get(provider)
    if payments_provider is None:
        raise EconomyError(f"no payment provider {provider!r}", code="provider_unknown")
    started: list[PaymentOutcome | GiftflowError | _Minting | None] = []
    for delivery in deliveries:
        try:
            event = payments_provider.parse_webhook(delivery.payload, delivery.headers)
            if event is not None and event.kind != PaymentEventKind.PAID:
                started = list(_finished(context, started))
            started.append(None if event is None else _start_event(context, event))
        except GiftflowError as error:
            started.append(error)
    return _finished(context, started)


def _finished(
    context: EconomyContext, started: Sequence[PaymentOutcome | GiftflowError | _Minting | None]
) -> list[PaymentOutcome | GiftflowError | None]:
    return [_finish_mint(context, item) if isinstance(item, _Minting) else item for item in started]


def _payment_for(context: EconomyContext, event: PaymentEvent) -> Payment:
    payment = context.ledger.read(
        lambda tx: stored_payments.for_event(
            tx, event.provider, payment_id=event.payment_id, reference=event.provider_reference
        )
    )
    if payment is None:
        raise PaymentNotFoundError(f"no payment for {event.provider} event {event.event_id}")
    return payment


def _start_event(context: EconomyContext, event: PaymentEvent) -> PaymentOutcome | _Minting:
    payment = _payment_for(context, event)
    if event.kind == PaymentEventKind.PAID:
        return _start_mint(context, payment, event)
    if event.kind == PaymentEventKind.INSTRUMENT:
        return _instrument_seen(context, payment, event)
    if event.kind == PaymentEventKind.FAILED:
        return _attempt_failed(context, payment, event)
    return clawbacks.claw_back(context, payment, event)


def _attempt_failed(
    context: EconomyContext, payment: Payment, event: PaymentEvent
) -> PaymentOutcome:
    """Record a declined or failed attempt on an open payment (a paid one keeps its
    state: a late failure of another attempt changes nothing). Each event applies once,
    by its id, however late the provider sends it again; a failure older than the last
    one recorded (by the provider's time) counts as an attempt but leaves the last
    failure's code, message and time as they are, and announces nothing."""
    failure = Failure(
        event.event_id,
        (event.failure_code or "payment_failed")[:64],
        (event.failure_message or "the payment failed")[:255],
        event.occurred_at_ns,
    )
    at = context.now()

    def write(tx: Tx) -> None:
        if not stored_payments.applied_once(
            tx,
            payment,
            event_id=event.event_id,
            kind=PaymentEventKind.FAILED.value,
            occurred_at_ns=failure.occurred_at_ns,
            now_ns=at,
        ):
            return
        newest_ns = stored_payments.newest_failure_ns(
            tx, payment.id, except_event_id=event.event_id
        )
        if newest_ns is not None and failure.occurred_at_ns < newest_ns:
            stored_payments.count_earlier_failure(tx, payment.id)
        elif stored_payments.record_failure(tx, payment.id, failure, now_ns=at):
            announce(context, tx, payment, "purchase.failed", at)

    context.ledger.write(write)
    return PaymentOutcome(get_payment(context, payment.id), "failed")


def _instrument_seen(
    context: EconomyContext, payment: Payment, event: PaymentEvent
) -> PaymentOutcome:
    """Note the instrument; once the payment is paid, the shared-instrument rule runs."""
    instrument = event.instrument
    assert instrument is not None, "instrument events always name one"
    context.ledger.write(lambda tx: stored_payments.set_instrument(tx, payment.id, instrument))
    updated = get_payment(context, payment.id)
    if payment.instrument is None and updated.status != "created":
        _check_instrument(context, users.get(context, payment.user_id), instrument)
    return PaymentOutcome(updated, "instrument")


# --- minting ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Minting:
    payment: Payment
    event: PaymentEvent
    user: User
    future: Future[list[TransferResult]]


def _start_mint(context: EconomyContext, payment: Payment, event: PaymentEvent) -> _Minting:
    if (event.amount_minor, event.currency.upper()) != (payment.amount_minor, payment.currency):
        raise PaymentMismatchError(
            f"payment {payment.id} is {payment.price}, the provider reports"
            f" {Fiat(event.amount_minor, event.currency.upper())}"
        )
    user = users.get(context, payment.user_id)
    transfers = [
        Transfer(
            id=derived_id("purchase-coins", payment.id),
            debit_account_id=platform_account(AccountKind.COIN_ISSUANCE),
            credit_account_id=user.wallet,
            amount=payment.coins,
            unit=COIN,
            code=TransferCode.PURCHASE,
            flags=TransferFlags.LINKED,
        ),
        Transfer(
            id=derived_id("purchase-fiat", payment.id),
            debit_account_id=platform_account(AccountKind.PROVIDER_CLEARING, payment.currency),
            credit_account_id=platform_account(AccountKind.COIN_SALES, payment.currency),
            amount=payment.amount_minor,
            unit=fiat(payment.currency),
            code=TransferCode.PURCHASE_FIAT,
        ),
    ]
    future = context.ledger.engine.submit_future(transfers, _paid_record(context, payment, event))
    return _Minting(payment, event, user, future)


def _finish_mint(context: EconomyContext, minting: _Minting) -> PaymentOutcome | GiftflowError:
    payment, event = minting.payment, minting.event
    try:
        results = minting.future.result()
        failure = first_failure(results)
        if failure is not None:
            return _mint_failed(context, payment, failure)
        minted = payment.coins if results[0].code == TransferResultCode.OK else 0
        instrument = event.instrument or payment.instrument
        if minted and instrument:
            _check_instrument(context, minting.user, instrument)
        return PaymentOutcome(get_payment(context, payment.id), "paid", coins_minted=minted)
    except GiftflowError as error:
        return error


def _paid_record(context: EconomyContext, payment: Payment, event: PaymentEvent) -> Record:
    def record(tx: Tx, results: list[TransferResult]) -> None:
        if results[0].code != TransferResultCode.OK:
            return
        paid = stored_payments.mark_paid(
            tx,
            payment.id,
            paid_at=results[0].timestamp,
            instrument=event.instrument,
            reference=event.provider_reference,
        )
        if not paid:
            raise RecordRejectedError(f"payment {payment.id} is no longer open")
        announce(context, tx, payment, "purchase.paid", results[0].timestamp)

    return record


def _mint_failed(
    context: EconomyContext, payment: Payment, failure: TransferResult
) -> PaymentOutcome:
    if failure.code == TransferResultCode.ACCOUNT_FROZEN:
        fraud.log(
            context,
            rules.Decision(
                rules.Rule.FROZEN_WALLET_PAYMENT,
                rules.Action.REVIEW,
                payment.user_id,
                f"payment {payment.id}",
                "a payment arrived for a frozen wallet; unfreeze it or refund the payment",
            ),
        )
        raise AccountFrozenError(f"the wallet paid for by {payment.id} is frozen")
    raise ledger_error(failure, f"minting for payment {payment.id}")


def _check_instrument(context: EconomyContext, user: User, instrument: str) -> None:
    """Flag (and freeze) this wallet when it is beyond the instrument's limit, counted
    in the order the wallets first paid with it: the newest wallet, never an older one
    paying again."""
    funded = context.ledger.read(lambda tx: stored_payments.wallets_funded_by(tx, instrument))
    rank = funded.index(user.id) + 1 if user.id in funded else len(funded) + 1
    decision = rules.shared_instrument(
        instrument, user.id, len(funded), context.settings.instrument_wallet_limit, rank=rank
    )
    if decision is not None:
        fraud.log(context, decision)
        context.ledger.set_frozen(user.wallet, frozen=True)
