"""Recharge: buying coin packs through a payment provider, minting coins only from a
verified payment event, and clawing them back on refunds and chargebacks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from typing import NamedTuple

from giftflow.economy import fraud as rules
from giftflow.economy.catalog.model import Channel
from giftflow.economy.chargebacks import ClawbackPlan, SpentGift, coins_for_refund, plan_clawback
from giftflow.economy.chart import AccountKind, TransferCode, platform_account, user_account
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
from giftflow.ledger.limits import AccountId
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.ledger.transfers import Transfer, TransferFlags
from giftflow.ledger.units import COIN, DIAMOND, UnitCode, fiat
from giftflow.payments.base import CheckoutRequest, PaymentEvent, PaymentEventKind
from giftflow.service.economy import earnings, fraud, users
from giftflow.service.economy.context import EconomyContext, first_failure, ledger_error
from giftflow.service.once import Once
from giftflow.store import payments as stored_payments
from giftflow.store.tx import Record, RecordRejectedError, Row, Tx

CLAWBACK_ATTEMPTS = 5
"""Times a clawback is planned again when the wallet changed under it."""
_PAYMENT_COLUMNS = (
    "id, provider, provider_payment_id, provider_reference, user_id, region, channel, pack_id,"
    " coins, amount_minor, currency, status, instrument, refunded_minor, coins_clawed_back,"
    " created_at, paid_at, failure_code, failure_message, failed_attempts, failed_at"
)


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    provider: str
    provider_payment_id: str | None
    provider_reference: str | None
    user_id: int
    region: str
    channel: str
    pack_id: str | None
    coins: int
    amount_minor: int
    currency: str
    status: str
    instrument: str | None
    refunded_minor: int
    coins_clawed_back: int
    created_at: int
    paid_at: int
    failure_code: str | None = None
    """Why the last attempt to pay failed (``card_declined`` …), if one did."""
    failure_message: str | None = None
    failed_attempts: int = 0
    failed_at: int = 0
    checkout_url: str | None = None

    @property
    def price(self) -> Fiat:
        return Fiat(self.amount_minor, self.currency)

    @property
    def state(self) -> str:
        """``status``, except that an open payment whose last attempt failed is
        ``failed`` (still open: another attempt may pay it)."""
        if self.status == "created" and self.failed_attempts:
            return "failed"
        return self.status


def payment_of(row: Row) -> Payment:
    return Payment(*row)


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """What a provider event did: coins minted, or clawed back and how."""

    payment: Payment
    event: str
    coins_minted: int = 0
    coins_from_wallet: int = 0
    reversed_units: int = 0
    loss_coins: int = 0
    wallet_frozen: bool = False


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    """A pack (``pack_id``) or a custom amount (``coins``) for one user."""

    user_id: int
    channel: Channel
    provider: str
    pack_id: str | None = None
    coins: int | None = None


def start_purchase(
    context: EconomyContext,
    *,
    user_id: int,
    channel: Channel,
    provider: str,
    pack_id: str | None = None,
    coins: int | None = None,
    once: Once | None = None,
) -> Payment:
    """Open a checkout for a pack (or a custom amount) at the user's region's price;
    ``once`` keeps its answer with the payment row."""
    order = PurchaseOrder(user_id, channel, provider, pack_id, coins)
    return start_purchases(context, [order], once=once)[0]


def start_purchases(
    context: EconomyContext, orders: Sequence[PurchaseOrder], *, once: Once | None = None
) -> list[Payment]:
    """Open checkouts for many purchases (an import, a replay), their payments written
    in one transaction. The provider's checkout comes first: a checkout without its
    payment row is never paid (its webhook finds no payment), never the reverse. With
    ``once`` (one order), its answer is kept in that transaction."""
    buyers = context.ledger.read(lambda tx: [users.find(tx, order.user_id) for order in orders])
    pairs = zip(orders, buyers, strict=True)
    opened = [_open_checkout(context, order, user) for order, user in pairs]

    def write(tx: Tx) -> None:
        tx.executemany(
            "INSERT INTO payments (id, provider, provider_payment_id, user_id, region, channel,"
            " pack_id, coins, amount_minor, currency, status, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'created', ?)",
            [_payment_row(payment) for payment in opened],
        )
        if once is not None:
            (payment,) = opened
            once.keep(tx, payment, now=context.now())

    context.ledger.write(write)
    return opened


def _open_checkout(context: EconomyContext, order: PurchaseOrder, user: User) -> Payment:
    coins, price, pack = _priced(context, user, order.channel, order.pack_id, order.coins)
    payments_provider = context.providers.get(order.provider)
    if payments_provider is None:
        raise EconomyError(f"no payment provider {order.provider!r}", code="provider_unknown")
    payment_id = context.new_id("pay")
    base = context.settings.public_url.rstrip("/")
    checkout = payments_provider.create_checkout(
        CheckoutRequest(
            payment_id=payment_id,
            user_id=user.id,
            coins=coins,
            price=price,
            description=f"{coins} coins",
            success_url=f"{base}/v1/payments/{payment_id}?result=success",
            cancel_url=f"{base}/v1/payments/{payment_id}?result=cancel",
        )
    )
    return Payment(
        payment_id,
        order.provider,
        checkout.provider_payment_id,
        None,
        user.id,
        user.region,
        order.channel.value,
        pack,
        coins,
        price.amount_minor,
        price.currency,
        "created",
        None,
        0,
        0,
        context.now(),
        0,
        checkout_url=checkout.url,
    )


def _payment_row(payment: Payment) -> tuple[object, ...]:
    p = payment
    return (
        p.id,
        p.provider,
        p.provider_payment_id,
        p.user_id,
        p.region,
        p.channel,
        p.pack_id,
        p.coins,
        p.amount_minor,
        p.currency,
        p.created_at,
    )


def _priced(
    context: EconomyContext, user: User, channel: Channel, pack_id: str | None, coins: int | None
) -> tuple[int, Fiat, str | None]:
    if (pack_id is None) == (coins is None):
        raise EconomyError("give either pack_id or coins", code="pack_or_coins")
    if pack_id is not None:
        pack = context.catalog.pack(pack_id)
        if pack.region != user.region or pack.channel != channel:
            raise EconomyError(
                f"pack {pack_id} is not sold in {user.region} through {channel.value}",
                code="pack_not_available",
            )
        return pack.coins, pack.price, pack.id
    assert coins is not None
    return coins, context.catalog.price_custom(user.region, channel, coins), None


def get_payment(context: EconomyContext, payment_id: str) -> Payment:
    def query(tx: Tx) -> Payment:
        row = tx.execute(
            f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE id = ?", (payment_id,)
        ).fetchone()
        if row is None:
            raise PaymentNotFoundError(f"no payment {payment_id}")
        return payment_of(row)

    return context.ledger.read(query)


def _payment_for(context: EconomyContext, event: PaymentEvent) -> Payment:
    def query(tx: Tx) -> Payment:
        for column, value in (
            ("id", event.payment_id),
            ("provider_reference", event.provider_reference),
            ("provider_payment_id", event.provider_reference),
        ):
            if value:
                row = tx.execute(
                    f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE provider = ? AND {column} = ?",
                    (event.provider, value),
                ).fetchone()
                if row is not None:
                    return payment_of(row)
        raise PaymentNotFoundError(f"no payment for {event.provider} event {event.event_id}")

    return context.ledger.read(query)


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


def _start_event(context: EconomyContext, event: PaymentEvent) -> PaymentOutcome | _Minting:
    payment = _payment_for(context, event)
    if event.kind == PaymentEventKind.PAID:
        return _start_mint(context, payment, event)
    if event.kind == PaymentEventKind.INSTRUMENT:
        return _instrument_seen(context, payment, event)
    if event.kind == PaymentEventKind.FAILED:
        return _attempt_failed(context, payment, event)
    return _claw_back(context, payment, event)


def _attempt_failed(
    context: EconomyContext, payment: Payment, event: PaymentEvent
) -> PaymentOutcome:
    """Record a declined or failed attempt on an open payment (a paid one keeps its
    state: a late failure of another attempt changes nothing). The same event
    delivered again counts once."""
    code = (event.failure_code or "payment_failed")[:64]
    message = (event.failure_message or "the payment failed")[:255]
    at = context.now()

    def write(tx: Tx) -> None:
        tx.execute(
            "UPDATE payments SET failure_code = ?, failure_message = ?, failure_event_id = ?,"
            " failed_attempts = failed_attempts + 1, failed_at = ? WHERE id = ?"
            " AND status = 'created' AND (failure_event_id IS NULL OR failure_event_id <> ?)",
            (code, message, event.event_id, at, payment.id, event.event_id),
        )
        if tx.rowcount == 1:
            _announce(context, tx, payment, "purchase.failed", at)

    context.ledger.write(write)
    return PaymentOutcome(get_payment(context, payment.id), "failed")


def _instrument_seen(
    context: EconomyContext, payment: Payment, event: PaymentEvent
) -> PaymentOutcome:
    """Note the instrument; once the payment is paid, the shared-instrument rule runs."""
    instrument = event.instrument
    assert instrument is not None, "instrument events always name one"
    context.ledger.write(
        lambda tx: tx.execute(
            "UPDATE payments SET instrument = ? WHERE id = ? AND instrument IS NULL",
            (instrument, payment.id),
        )
    )
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
        tx.execute(
            "UPDATE payments SET status = 'paid', paid_at = ?,"
            " instrument = COALESCE(?, instrument),"
            " provider_reference = COALESCE(?, provider_reference)"
            " WHERE id = ? AND status = 'created'",
            (results[0].timestamp, event.instrument, event.provider_reference, payment.id),
        )
        if tx.rowcount != 1:
            raise RecordRejectedError(f"payment {payment.id} is no longer open")
        _announce(context, tx, payment, "purchase.paid", results[0].timestamp)

    return record


def _announce(context: EconomyContext, tx: Tx, payment: Payment, type: str, at: int) -> None:
    """``purchase.<status>`` for webhooks out, in the transaction that changed it."""

    def data() -> dict[str, object]:
        row = tx.execute(
            f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE id = ?", (payment.id,)
        ).fetchone()
        assert row is not None, "the payment was just updated"
        return _purchase_data(payment_of(row))

    context.notify(tx, payment.user_id, type, data, at)


def _purchase_data(payment: Payment) -> dict[str, object]:
    fields = asdict(payment)
    fields.pop("checkout_url")
    fields.pop("instrument")  # the card's fingerprint stays inside giftflow
    fields["payment_id"] = fields.pop("id")
    return fields


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
    funded = context.ledger.read(
        lambda tx: [
            int(row[0])
            for row in tx.execute(
                "SELECT user_id FROM payments WHERE instrument = ? AND status <> 'created'"
                " GROUP BY user_id ORDER BY MIN(paid_at), user_id",
                (instrument,),
            ).fetchall()
        ]
    )
    rank = funded.index(user.id) + 1 if user.id in funded else len(funded) + 1
    decision = rules.shared_instrument(
        instrument, user.id, len(funded), context.settings.instrument_wallet_limit, rank=rank
    )
    if decision is not None:
        fraud.log(context, decision)
        context.ledger.set_frozen(user.wallet, frozen=True)


# --- clawing back -----------------------------------------------------------------


def _claw_back(context: EconomyContext, payment: Payment, event: PaymentEvent) -> PaymentOutcome:
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
        lambda tx: [
            int(row[0])
            for row in tx.execute(
                "SELECT DISTINCT creator_id FROM gifts WHERE sender_id = ? AND sent_at >= ?"
                " AND matured_at = 0 AND reversed_coins < coins",
                (payment.user_id, payment.paid_at),
            ).fetchall()
        ]
    )
    for creator_id in creators:
        earnings.mature(context, creator_id)


def _spent_gifts(context: EconomyContext, payment: Payment) -> list[SpentGift]:
    def query(tx: Tx) -> list[SpentGift]:
        rows = tx.execute(
            "SELECT id, creator_id, coins, reversed_coins, share_bps, matured_at FROM gifts"
            " WHERE sender_id = ? AND sent_at >= ? AND reversed_coins < coins"
            " ORDER BY sent_at DESC, id DESC LIMIT 10000",
            (payment.user_id, payment.paid_at),
        ).fetchall()
        return [SpentGift(r[0], r[1], r[2], r[3], r[4], r[5] != 0) for r in rows]

    return context.ledger.read(query)


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
        tx.execute(
            "UPDATE payments SET status = ?, coins_clawed_back = ?, refunded_minor = ?"
            " WHERE id = ? AND coins_clawed_back = ? AND refunded_minor = ?",
            (
                status,
                coins_total,
                minor_total,
                payment.id,
                payment.coins_clawed_back,
                payment.refunded_minor,
            ),
        )
        if tx.rowcount != 1:
            raise RecordRejectedError(f"payment {payment.id} changed meanwhile")
        for reversal in plan.reversals:
            tx.execute(
                "UPDATE gifts SET reversed_coins = reversed_coins + ?"
                " WHERE id = ? AND matured_at = 0 AND reversed_coins + ? <= coins",
                (reversal.coins, reversal.gift_row_id, reversal.coins),
            )
            if tx.rowcount != 1:
                raise RecordRejectedError(f"gift {reversal.gift_row_id} matured meanwhile")
        _announce(context, tx, payment, f"purchase.{status}", results[0].timestamp)

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
