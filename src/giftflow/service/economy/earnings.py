"""Earnings: diamonds maturing after the holding period, balances, wallet views and the
creator's statement of every movement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from giftflow.economy.chart import AccountKind, TransferCode, user_account
from giftflow.economy.ids import derived_id
from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.ids import UserId
from giftflow.ledger.accounts import AccountFlags
from giftflow.ledger.limits import AccountId, TransferId
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.ledger.transfers import Transfer, TransferFlags
from giftflow.ledger.units import DIAMOND
from giftflow.service.economy import users
from giftflow.service.economy.context import EconomyContext
from giftflow.service.once import Once
from giftflow.store import earnings as stored
from giftflow.store import product_purchases
from giftflow.store.earnings import PendingHold
from giftflow.store.tx import Record, RecordRejectedError, Tx

MATURE_BATCH = 2_000
"""Gifts looked at per round of maturation (all creators together); a creator's
gifts of one round mature in one transfer."""


@dataclass(frozen=True, slots=True)
class WalletView:
    user_id: UserId
    coins: int
    """Coins the viewer can spend now."""
    frozen: bool


HOLDS_MAX = 100
"""Parts of a creator's pending diamonds listed with their maturity, earliest first."""
HOLD_PART_NS = 3_600 * 1_000_000_000
"""Gifts maturing in the same UTC hour are one part (a LIVE's thousands of gifts would
otherwise be thousands of parts)."""


@dataclass(frozen=True, slots=True)
class EarningsView:
    """A creator's diamonds, in diamond units (10,000 = 1 diamond) and in whole ones."""

    user_id: UserId
    pending_units: int
    available_units: int
    in_payout_units: int
    withdrawn_units: int
    holds: tuple[PendingHold, ...] = ()
    """The pending units by when they mature, earliest first (``pending_holds``)."""

    @property
    def next_matures_at(self) -> int | None:
        """When the next pending diamonds mature (ns), or None with none pending."""
        return self.holds[0].first_matures_at if self.holds else None

    @property
    def pending_diamonds(self) -> int:
        return self.pending_units // UNITS_PER_DIAMOND

    @property
    def available_diamonds(self) -> int:
        return self.available_units // UNITS_PER_DIAMOND

    @property
    def earned_units(self) -> int:
        return (
            self.pending_units + self.available_units + self.in_payout_units + self.withdrawn_units
        )


def wallet(context: EconomyContext, user_id: UserId) -> WalletView:
    user = users.get(context, user_id)
    account = context.ledger.account(user.wallet)
    assert account is not None, "every registered user has a wallet"
    return WalletView(user.id, account.balance_available, account.frozen)


def set_wallet_frozen(
    context: EconomyContext, user_id: UserId, *, frozen: bool, once: Once | None = None
) -> WalletView:
    """Freeze or unfreeze the user's wallet; ``once`` keeps the answer with the flag."""
    user = users.get(context, user_id)

    def keep(tx: Tx) -> None:
        if once is not None:
            once.keep(tx, _wallet_in(tx, user.wallet, user_id), now=context.now())

    context.ledger.set_frozen(user.wallet, frozen=frozen, record=keep)
    return wallet(context, user_id)


def _wallet_in(tx: Tx, account_id: AccountId, user_id: UserId) -> WalletView:
    """The wallet as this transaction sees it."""
    row = stored.wallet(tx, account_id)
    assert row is not None, "every registered user has a wallet"
    return WalletView(user_id, row.spendable_coins, bool(row.flags & AccountFlags.FROZEN))


def earnings(context: EconomyContext, user_id: UserId) -> EarningsView:
    user = users.get(context, user_id)
    pending, available = context.ledger.accounts([user.earnings_pending, user.earnings_available])
    return EarningsView(
        user.id,
        pending_units=pending.balance_posted,
        available_units=available.balance_available,
        in_payout_units=available.debits_pending,
        withdrawn_units=_withdrawn(context, user.id),
        holds=tuple(pending_holds(context, user.id)),
    )


def _withdrawn(context: EconomyContext, user_id: UserId) -> int:
    diamonds = context.ledger.read(lambda tx: stored.paid_out_diamonds(tx, user_id))
    return diamonds * UNITS_PER_DIAMOND


def mature(context: EconomyContext, creator_id: UserId | None = None) -> int:
    """Move diamonds whose holding period is over from pending to available earnings
    (all creators, or one). Returns the diamond units moved. Each gift matures at the
    time fixed when it was booked (``matures_at``): a holding period changed since
    applies to gifts booked after the change, never to those already booked."""
    cutoff = context.now()
    moved = 0
    previous: dict[UserId, list[tuple[TransferId, int]]] = {}
    while (batch := _due(context, cutoff, creator_id)) and batch != previous:
        for creator, gifts in batch.items():
            moved += _mature_creator(context, creator, gifts)
        previous = batch  # the same gifts due again: the ledger refused them, stop
    return moved + _mature_product_sales(context, cutoff, creator_id)


def _due(
    context: EconomyContext, cutoff: int, creator_id: UserId | None
) -> dict[UserId, list[tuple[TransferId, int]]]:
    return context.ledger.read(
        lambda tx: stored.due(tx, cutoff_ns=cutoff, creator_id=creator_id, limit=MATURE_BATCH)
    )


def _mature_creator(
    context: EconomyContext, creator_id: UserId, gifts: list[tuple[TransferId, int]]
) -> int:
    try:
        return _mature_gifts(context, creator_id, gifts)
    except RecordRejectedError:
        return 0  # another writer matured or reversed some of them: ``mature`` reads again


def _mature_gifts(
    context: EconomyContext, creator_id: UserId, gifts: list[tuple[TransferId, int]]
) -> int:
    units = sum(amount for _, amount in gifts)
    ids = [gift_row_id for gift_row_id, _ in gifts]
    if units == 0:
        context.ledger.write(lambda tx: _mark_matured(tx, ids, 0, context.now()))
        return 0
    transfer = _maturation("mature", creator_id, ids, units)
    results = context.ledger.create_transfers([transfer], _maturation_record(ids, units))
    return units if results[0].code == TransferResultCode.OK else 0


def _maturation(kind: str, creator_id: UserId, ids: Sequence[int], units: int) -> Transfer:
    """One transfer of ``units`` from the creator's pending to available earnings for
    these rows (gifts or product sales, named by ``kind`` in its derived id)."""
    return Transfer(
        id=derived_id(kind, creator_id, ids[0], ids[-1], len(ids)),
        debit_account_id=user_account(creator_id, AccountKind.EARNINGS_PENDING),
        credit_account_id=user_account(creator_id, AccountKind.EARNINGS_AVAILABLE),
        amount=units,
        unit=DIAMOND,
        code=TransferCode.MATURATION,
        user_data_1=len(ids),
    )


def _maturation_record(ids: list[TransferId], units: int) -> Record:
    def record(tx: Tx, results: list[TransferResult]) -> None:
        if results[0].code == TransferResultCode.OK:
            _mark_matured(tx, ids, units, results[0].timestamp)

    return record


def _mark_matured(tx: Tx, ids: list[TransferId], units: int, at: int) -> None:
    """Compare-and-set: exactly these gifts, still unmatured, worth exactly ``units``."""
    marked = stored.mark_matured(tx, ids, at_ns=at)
    if len(marked) != len(ids) or sum(marked) != units:
        raise RecordRejectedError(
            "gifts matured or were reversed meanwhile", code="maturation_conflict"
        )


def _mature_product_sales(context: EconomyContext, cutoff: int, creator_id: UserId | None) -> int:
    """The creator's shares of digital products sold (``product_purchases``) mature
    like gifts: each at the time fixed when it was bought, one transfer per creator
    per round; a refunded purchase never matures."""
    moved = 0
    while due := context.ledger.read(
        lambda tx: product_purchases.due(tx, cutoff, creator_id, MATURE_BATCH)
    ):
        matured = [_mature_sales(context, c, sales) for c, sales in due.items()]
        if all(units is None for units in matured):
            break  # refunded or matured meanwhile, all of them: read again next time
        moved += sum(units or 0 for units in matured)
    return moved


def _mature_sales(
    context: EconomyContext, creator_id: UserId, sales: list[tuple[int, int]]
) -> int | None:
    """One maturation transfer for these sales and their rows, by compare-and-set; None
    when another writer refunded or matured one of them first."""
    units = sum(amount for _, amount in sales)
    ids = [purchase_id for purchase_id, _ in sales]
    transfer = _maturation("mature-products", creator_id, ids, units)

    def record(tx: Tx, results: list[TransferResult]) -> None:
        if results[0].code != TransferResultCode.OK:
            raise RecordRejectedError("the sales matured meanwhile", code="maturation_conflict")
        if product_purchases.mark_matured(tx, ids, results[0].timestamp) != units:
            raise RecordRejectedError(
                "product sales matured or were refunded meanwhile", code="maturation_conflict"
            )

    try:
        context.ledger.create_transfers([transfer], record)
    except RecordRejectedError:
        return None
    return units


def pin_unrecorded_holds(context: EconomyContext) -> None:
    """Gifts booked before their maturity time was recorded (migration 0009) get the
    holding period in force now, once: from then on a change of it moves none of them."""

    if context.ledger.read(stored.has_unrecorded_holds):
        context.ledger.write(lambda tx: stored.record_holds(tx, hold_ns=context.hold_ns))


def pending_holds(
    context: EconomyContext, creator_id: UserId, *, limit: int = HOLDS_MAX
) -> list[PendingHold]:
    """The creator's pending diamonds by when they mature, earliest first (net of
    chargeback reversals; gifts reversed whole are left out)."""

    return context.ledger.read(
        lambda tx: stored.pending_holds(tx, creator_id, part_ns=HOLD_PART_NS, limit=limit)
    )


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One movement of a creator's diamonds (units; positive in, negative out)."""

    timestamp: int
    kind: str
    account: str
    units: int
    transfer_id: TransferId
    reference: int
    """The catalog's gift id (a gift), the gift's row (a chargeback reversal), the
    product purchase (a product's sale or refund), 0 else."""
    payout_id: str | None = None
    """The payout a ``payout_*`` line belongs to."""


_PAYOUT_CODES = frozenset(
    {TransferCode.PAYOUT_RESERVE, TransferCode.PAYOUT_PAID, TransferCode.PAYOUT_RETURNED}
)
_KINDS = {
    TransferCode.GIFT_DIAMONDS: "gift",
    TransferCode.MATURATION: "matured",
    TransferCode.PAYOUT_RESERVE: "payout_reserved",
    TransferCode.PAYOUT_PAID: "payout_paid",
    TransferCode.PAYOUT_RETURNED: "payout_returned",
    TransferCode.REVERSAL_DIAMONDS: "chargeback_reversal",
    TransferCode.PRODUCT_DIAMONDS: "product_sale",
    TransferCode.PRODUCT_REFUND_DIAMONDS: "product_refund",
}


def statement(
    context: EconomyContext, creator_id: UserId, *, limit: int = 500
) -> list[StatementLine]:
    """Every movement of the creator's pending and available diamonds, newest first:
    gifts, maturations, payouts and every chargeback or refund reversal."""
    user = users.get(context, creator_id)
    payouts = _payout_ids(context, creator_id)
    lines: list[StatementLine] = []
    for account, name in (
        (user.earnings_pending, "pending"),
        (user.earnings_available, "available"),
    ):
        page = context.ledger.account_transfers(account, limit=limit)
        lines += [_line(transfer, account, name, payouts) for transfer in page.transfers]
    lines.sort(key=lambda line: (line.timestamp, line.transfer_id), reverse=True)
    return lines[:limit]


def _payout_ids(context: EconomyContext, creator_id: UserId) -> dict[TransferId, str]:
    """The creator's payouts by the id of the transfer that reserved their diamonds
    (their posting and voiding name it as ``pending_id``)."""

    return context.ledger.read(lambda tx: stored.payouts_by_reserve(tx, creator_id))


def _line(
    transfer: Transfer, account: AccountId, name: str, payouts: dict[TransferId, str]
) -> StatementLine:
    """A reserved payout leaves the balance when reserved: its posting moves nothing
    more (0), and a void brings it back (+), so the lines add up to the balance."""
    if transfer.flags & TransferFlags.POST_PENDING:
        units = 0
    elif transfer.flags & TransferFlags.VOID_PENDING:
        units = transfer.amount
    else:
        units = transfer.amount if transfer.credit_account_id == account else -transfer.amount
    code = TransferCode(transfer.code)
    kind = _KINDS.get(code, code.name.lower())
    payout = None
    if code in _PAYOUT_CODES:
        payout = payouts.get(transfer.pending_id or transfer.id)
    return StatementLine(
        transfer.timestamp, kind, name, units, transfer.id, transfer.user_data_2, payout
    )
