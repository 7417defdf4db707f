"""The coin-flow statement's totals, read from the ledger's transfers (docs/analytics.md,
Coin flows; docs/chart-of-accounts.md for what each transfer code moves).

The flows of the period are summed by transfer code; the opening and closing balances
are summed from every transfer on the accounts, whatever its code. The statement must
then balance: a flow that no code here accounts for shows up as a node that does not
add up, and that is an error, never a diagram.

Balances count pending transfers as spent: a payout reserved is ``withdrawn`` when it
is reserved (its later post moves nothing more), and a reservation returned (voided)
flows back, so ``withdrawn`` is reservations less returns within the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from giftflow.analytics import FlowTotals, check_balanced
from giftflow.analytics.flows import UNIT_SCALE
from giftflow.economy.chart import AccountKind, TransferCode
from giftflow.ids import UserId
from giftflow.service.live.context import LiveContext
from giftflow.store.coin_flows import Accounts, Leg, balance, coins_of_code, gifted_coins, moved
from giftflow.store.tx import Tx

WALLETS: Final = (AccountKind.WALLET,)
EARNINGS: Final = (AccountKind.EARNINGS_PENDING, AccountKind.EARNINGS_AVAILABLE)


def _product_coins(tx: Tx, creator_id: UserId | None, start_ns: int, end_ns: int) -> int:
    """Coins spent on products in the period less those refunded in it (to
    ``creator_id``, whom both legs carry as ``user_data_1``)."""
    sold, refunded = (
        coins_of_code(tx, code, creator_id=creator_id, start_ns=start_ns, end_ns=end_ns)
        for code in (TransferCode.PRODUCT_COINS, TransferCode.PRODUCT_REFUND_COINS)
    )
    return sold - refunded


def _sum_moved(
    tx: Tx,
    codes: Iterable[TransferCode],
    accounts: Accounts,
    leg: Leg,
    period: tuple[int, int],
) -> int:
    start_ns, end_ns = period
    return sum(
        moved(tx, code, accounts, leg=leg, start_ns=start_ns, end_ns=end_ns) for code in codes
    )


def _wallet_totals(tx: Tx, start_ns: int, end_ns: int) -> tuple[int, int, int, int]:
    """Everyone's wallets, in coins: opening, bought, clawed back, closing."""
    wallets = Accounts(WALLETS, None)
    period = (start_ns, end_ns)
    bought = _sum_moved(tx, (TransferCode.PURCHASE,), wallets, "credit", period)
    clawed_codes = (TransferCode.REFUND_COINS, TransferCode.CHARGEBACK_COINS)
    clawed_back = _sum_moved(tx, clawed_codes, wallets, "debit", period)
    opening = balance(tx, wallets, before_ns=start_ns)
    return opening, bought, clawed_back, balance(tx, wallets, before_ns=end_ns)


def _earnings_totals(
    tx: Tx, creator_id: UserId | None, start_ns: int, end_ns: int
) -> tuple[int, int, int, int, int]:
    """Creators' earnings, in diamond units: opening, diamonds, withdrawn, reversed,
    closing."""
    earnings = Accounts(EARNINGS, creator_id)
    period = (start_ns, end_ns)
    diamonds = _sum_moved(tx, (TransferCode.GIFT_DIAMONDS,), earnings, "credit", period)
    reserved = _sum_moved(tx, (TransferCode.PAYOUT_RESERVE,), earnings, "debit", period)
    returned = _sum_moved(tx, (TransferCode.PAYOUT_RETURNED,), earnings, "debit", period)
    reversed_ = _sum_moved(tx, (TransferCode.REVERSAL_DIAMONDS,), earnings, "debit", period)
    opening = balance(tx, earnings, before_ns=start_ns)
    closing = balance(tx, earnings, before_ns=end_ns)
    return opening, diamonds, reserved - returned, reversed_, closing


def _product_diamonds(tx: Tx, creator_id: UserId | None, start_ns: int, end_ns: int) -> int:
    earnings = Accounts(EARNINGS, creator_id)
    period = (start_ns, end_ns)
    sold = _sum_moved(tx, (TransferCode.PRODUCT_DIAMONDS,), earnings, "credit", period)
    refunded = _sum_moved(tx, (TransferCode.PRODUCT_REFUND_DIAMONDS,), earnings, "debit", period)
    return sold - refunded


def read_totals(tx: Tx, creator_id: UserId | None, start_ns: int, end_ns: int) -> FlowTotals:
    """Coins are scaled to units (x 10,000); diamond units already are."""
    if creator_id is None:
        opening, bought, clawed_back, closing = _wallet_totals(tx, start_ns, end_ns)
    else:
        opening = bought = clawed_back = closing = 0
    gifted = gifted_coins(tx, creator_id=creator_id, start_ns=start_ns, end_ns=end_ns)
    earned = _earnings_totals(tx, creator_id, start_ns, end_ns)
    return FlowTotals(
        wallets_opening=opening * UNIT_SCALE,
        bought=bought * UNIT_SCALE,
        gifted=gifted * UNIT_SCALE,
        clawed_back=clawed_back * UNIT_SCALE,
        wallets_closing=closing * UNIT_SCALE,
        diamonds=earned[1],
        platform_share=gifted * UNIT_SCALE - earned[1],
        earnings_opening=earned[0],
        withdrawn=earned[2],
        reversed=earned[3],
        earnings_closing=earned[4],
        products=_product_coins(tx, creator_id, start_ns, end_ns) * UNIT_SCALE,
        product_diamonds=_product_diamonds(tx, creator_id, start_ns, end_ns),
    )


def flow_totals(
    context: LiveContext, *, creator_id: UserId | None, start_ns: int, end_ns: int
) -> FlowTotals:
    """The period's totals, read in one snapshot; raises ``AssertionError`` naming the
    nodes that do not balance (the books must)."""
    totals = context.read(lambda tx: read_totals(tx, creator_id, start_ns, end_ns))
    unbalanced = check_balanced(totals, creator_id is None)
    if unbalanced:
        raise AssertionError(f"coin flows do not balance at {unbalanced}: {totals}")
    return totals
