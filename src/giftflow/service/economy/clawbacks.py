"""Clawbacks: a provider's refund (a cumulative amount) or dispute takes the coins back;
what was already spent is taken back from the gifts it paid for where their diamonds
have not matured, the rest booked as a loss, and the wallet frozen on a chargeback (and
on a refund of spent coins), with a ``chargeback`` decision once per cause."""

from __future__ import annotations

from typing import NamedTuple

from giftflow.economy import fraud as rules
from giftflow.economy.chargebacks import ClawbackPlan, SpentGift, coins_for_refund, plan_clawback
from giftflow.economy.chart import AccountKind, TransferCode, platform_account, user_account
from giftflow.economy.errors import EconomyError
from giftflow.economy.ids import derived_id
from giftflow.economy.users import User
from giftflow.ledger.limits import AccountId
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.ledger.transfers import Transfer, TransferFlags
from giftflow.ledger.units import COIN, DIAMOND, UnitCode, fiat
from giftflow.payments.base import PaymentEvent, PaymentEventKind
from giftflow.service.economy import earnings, fraud, users
from giftflow.service.economy.context import EconomyContext, first_failure, ledger_error
from giftflow.service.economy.purchases import PaymentOutcome, announce, get_payment
from giftflow.store import gifts as stored_gifts
from giftflow.store import payments as stored_payments
from giftflow.store.payments import Payment
from giftflow.store.tx import Record, RecordRejectedError, Tx

CLAWBACK_ATTEMPTS = 5
"""Times a clawback is planned again when the wallet changed under it."""


def claw_back(context: EconomyContext, payment: Payment, event: PaymentEvent) -> PaymentOutcome:
    """Refund (``refunded``, cumulative amount) or chargeback (``disputed``): take the
    coins back, reverse what they paid for where it has not matured, book the rest as
    a loss; freeze the wallet on a chargeback, and on a refund of spent coins."""
    dispute = event.kind == PaymentEventKind.DISPUTED
    if payment.status == "created":  # failed attempts included: nothing was paid
        raise EconomyError(f"payment {payment.id} was never paid", code="payment_not_paid")
    for _attempt in range(CLAWBACK_ATTEMPTS):
        payment = get_payment(context, payment.id)
        outcome = _claw_back_once(context, payment, event, dispute=dispute)
        if outcome is not None:
            return outcome
    raise EconomyError(f"payment {payment.id} kept changing; try again", code="conflict")


def _targets(payment: Payment, event: PaymentEvent, *, dispute: bool) -> tuple[int, int]:
    """(coins clawed back in all, minor units returned in all) once this event is done."""
    if dispute:
        return payment.coins, payment.amount_minor
    refunded = min(event.amount_minor, payment.amount_minor)
    return coins_for_refund(payment.coins, payment.amount_minor, refunded), refunded


def _claw_back_once(
    context: EconomyContext, payment: Payment, event: PaymentEvent, *, dispute: bool
) -> PaymentOutcome | None:
    coins_total, minor_total = _targets(payment, event, dispute=dispute)
    coins = max(coins_total - payment.coins_clawed_back, 0)
    minor = max(minor_total - payment.refunded_minor, 0)
    user = users.get(context, payment.user_id)
    status = "disputed" if dispute else "refunded"
    if coins == 0 and minor == 0:
        # Nothing (more) to take back. A dispute's freeze and decision are once per
        # provider event: a redelivery changes nothing; a crash after the chain and
        # before the freeze, or a dispute of a payment refunded in full already, gets
        # them here.
        if dispute:
            _freeze_once(context, payment, user, status)
        frozen = dispute and users.frozen(context, user)
        return PaymentOutcome(get_payment(context, payment.id), status, wallet_frozen=frozen)
    _mature_what_is_due(context, payment)
    wallet = context.ledger.account(user.wallet)
    assert wallet is not None
    plan = plan_clawback(coins, wallet.balance_available, _spent_gifts(context, payment))
    transfers = _clawback_transfers(
        payment, user, plan, minor, coins_total, minor_total, dispute=dispute
    )
    record = _clawback_record(context, payment, plan, coins_total, minor_total, status)
    if dispute:
        # A dispute always freezes the wallet: before its chain, so nobody sees the
        # payment ``disputed`` with the wallet still open (the decision follows it).
        context.ledger.set_frozen(user.wallet, frozen=True)
    try:
        results = context.ledger.create_transfers(transfers, record)
    except RecordRejectedError:
        return None
    failure = first_failure(results)
    if failure is not None:
        if failure.code == TransferResultCode.INSUFFICIENT_FUNDS:
            return None  # the wallet or an earnings account moved: plan again
        raise ledger_error(failure, f"the clawback of payment {payment.id}")
    freeze = dispute or plan.shortfall_coins > 0
    if freeze:
        # A dispute froze the wallet before its chain; only a refund's freeze is left.
        _freeze_once(
            context,
            get_payment(context, payment.id),
            user,
            status,
            new_cause=True,
            frozen_already=dispute,
        )
    return PaymentOutcome(
        get_payment(context, payment.id),
        status,
        coins_from_wallet=plan.coins_from_wallet,
        reversed_units=sum(r.units for r in plan.reversals),
        loss_coins=plan.loss_coins,
        wallet_frozen=freeze,
    )


def _mature_what_is_due(context: EconomyContext, payment: Payment) -> None:
    """Which gifts a clawback may reverse depends on which have matured, and maturing
    is a matter of time, not of whether someone read the earnings: every gift the
    buyer sent since paying whose holding period is over is matured first, so the
    outcome is the same whether or not a page was opened."""
    creators = context.ledger.read(
        lambda tx: stored_gifts.creators_maturing_from(
            tx, payment.user_id, since_ns=payment.paid_at
        )
    )
    for creator_id in creators:
        earnings.mature(context, creator_id)


def _spent_gifts(context: EconomyContext, payment: Payment) -> list[SpentGift]:
    return context.ledger.read(
        lambda tx: stored_gifts.spent_since(tx, payment.user_id, since_ns=payment.paid_at)
    )


class _Leg(NamedTuple):
    debit: AccountId
    credit: AccountId
    amount: int
    unit: UnitCode
    code: TransferCode
    reference: int = 0


def _clawback_legs(
    payment: Payment, user: User, plan: ClawbackPlan, minor: int, *, dispute: bool
) -> list[_Leg]:
    issuance = platform_account(AccountKind.COIN_ISSUANCE)
    legs: list[_Leg] = []
    if plan.coins_from_wallet:
        code = TransferCode.CHARGEBACK_COINS if dispute else TransferCode.REFUND_COINS
        legs.append(_Leg(user.wallet, issuance, plan.coins_from_wallet, COIN, code))
    if minor:
        sales = platform_account(AccountKind.COIN_SALES, payment.currency)
        clearing = platform_account(AccountKind.PROVIDER_CLEARING, payment.currency)
        code = TransferCode.CHARGEBACK_FIAT if dispute else TransferCode.REFUND_FIAT
        legs.append(_Leg(sales, clearing, minor, fiat(payment.currency), code))
    for reversal in plan.reversals:
        pending = user_account(reversal.creator_id, AccountKind.EARNINGS_PENDING)
        diamonds = platform_account(AccountKind.DIAMOND_ISSUANCE)
        revenue = platform_account(AccountKind.GIFT_REVENUE)
        gift = reversal.gift_row_id
        legs.append(
            _Leg(pending, diamonds, reversal.units, DIAMOND, TransferCode.REVERSAL_DIAMONDS, gift)
        )
        legs.append(
            _Leg(revenue, issuance, reversal.coins, COIN, TransferCode.REVERSAL_COINS, gift)
        )
    if plan.loss_coins:
        loss = platform_account(AccountKind.CHARGEBACK_LOSS)
        legs.append(_Leg(loss, issuance, plan.loss_coins, COIN, TransferCode.CHARGEBACK_LOSS))
    return legs


def _clawback_transfers(
    payment: Payment,
    user: User,
    plan: ClawbackPlan,
    minor: int,
    coins_total: int,
    minor_total: int,
    *,
    dispute: bool,
) -> list[Transfer]:
    """One linked chain: all of the clawback happens, or none of it. Its ids derive
    from the payment's totals once the event is done (coins and minor units taken back
    in all): each event that takes something back raises one of them, so two events
    never share an id, and a redelivery finds nothing left to take."""
    kind = "chargeback" if dispute else "refund"
    legs = _clawback_legs(payment, user, plan, minor, dispute=dispute)
    return [
        Transfer(
            id=derived_id(kind, payment.id, coins_total, minor_total, index),
            debit_account_id=leg.debit,
            credit_account_id=leg.credit,
            amount=leg.amount,
            unit=leg.unit,
            code=leg.code,
            # A frozen wallet (or creator) is frozen against its owner, not against the
            # platform taking back what it is owed: every leg overrides the freeze.
            flags=TransferFlags.OVERRIDE_FROZEN
            | (TransferFlags.LINKED if index < len(legs) - 1 else 0),
            user_data_1=payment.user_id,
            user_data_2=leg.reference,
        )
        for index, leg in enumerate(legs)
    ]


def _clawback_record(
    context: EconomyContext,
    payment: Payment,
    plan: ClawbackPlan,
    coins_total: int,
    minor_total: int,
    status: str,
) -> Record:
    def record(tx: Tx, results: list[TransferResult]) -> None:
        if not results or results[0].code != TransferResultCode.OK:
            return
        moved = stored_payments.set_clawed_back(
            tx, payment, status=status, coins_total=coins_total, minor_total=minor_total
        )
        if not moved:
            raise RecordRejectedError(f"payment {payment.id} changed meanwhile")
        for reversal in plan.reversals:
            if not stored_gifts.reverse(tx, reversal.gift_row_id, coins=reversal.coins):
                raise RecordRejectedError(f"gift {reversal.gift_row_id} matured meanwhile")
        announce(context, tx, payment, f"purchase.{status}", results[0].timestamp)

    return record


def _freeze_once(
    context: EconomyContext,
    payment: Payment,
    user: User,
    status: str,
    *,
    new_cause: bool = False,
    frozen_already: bool = False,
) -> None:
    """Freeze the wallet and log a ``chargeback`` decision, once per cause: a payment's
    dispute (whatever events the provider sends about it), or each step of its refunds
    that took back spent coins (named by the refunded total). The decision names its
    cause, so a redelivery finds it and changes nothing, even after a reviewer
    overturned it and unfroze the wallet. The freeze comes first: a crash
    between the two leaves no decision, and the provider's redelivery does both. A
    dispute also marks the payment ``disputed`` when nothing was left to take back
    (a refunded payment disputed later). ``frozen_already``: the caller froze the wallet
    itself (a dispute does, before its chain), so only the decision is written."""
    decision = rules.Decision(
        rules.Rule.CHARGEBACK,
        rules.Action.REVIEW,
        user.id,
        f"payment {payment.id}",
        (
            "payment disputed; wallet frozen until reviewed"
            if status == "disputed"
            else f"payment refunded ({payment.refunded_minor} {payment.currency} minor units"
            " in all) with coins already spent; wallet frozen until reviewed"
        ),
    )
    if not new_cause and context.ledger.read(lambda tx: fraud.logged(tx, decision)):
        return
    if not frozen_already:
        context.ledger.set_frozen(user.wallet, frozen=True)
    now = context.now()

    def log(tx: Tx) -> None:
        if fraud.logged(tx, decision):
            return
        fraud.insert(tx, decision, now, context)
        if status == "disputed":
            stored_payments.mark_disputed(tx, payment.id)

    context.ledger.write(log)
