"""A promotion's budget through the ledger (decisions/0040).

- **Submit**: one pending transfer reserves the whole budget from the creator's coin
  wallet (``PROMOTION_RESERVE``, reservation 0 of the promotion's chain).
- **Settle**: a pending transfer is posted at most once, so each settlement is one
  linked chain that posts the whole coins billed since the last one from the open
  reservation (``PROMOTION_SPEND``, a partial post releases the rest) and reserves the
  rest anew (``PROMOTION_RESERVE``, the next in the chain). The wallet's reserved
  coins never dip in between. Its record is a compare-and-set on the promotion's row
  (``reserve_seq`` unchanged, and ``posted_coins`` plus these coins within what is
  billed): the spend check in the posting transaction.
- **Close** (end, cancel, rejection): one transfer, a post of the last whole coins due
  (the rest released at once) or a void of the open reservation, and the row's final
  state, by compare-and-set on the reservation and on ``billed_millicoins``: a bill
  that lands meanwhile makes the close try again with it.
"""

from __future__ import annotations

from giftflow.economy.chart import AccountKind, TransferCode, platform_account, user_account
from giftflow.economy.errors import AccountFrozenError, InsufficientFundsError
from giftflow.economy.ids import derived_id
from giftflow.ids import UserId
from giftflow.ledger.limits import TransferId
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.ledger.transfers import Transfer, TransferFlags, closing
from giftflow.ledger.units import COIN
from giftflow.promote.errors import PromoteError
from giftflow.promote.money import charged_coins
from giftflow.promote.promotions import (
    BILLABLE_STATES,
    PromotionState,
    check_transition,
)
from giftflow.service.economy.context import first_failure, ledger_error
from giftflow.service.engine import Part
from giftflow.service.once import Once
from giftflow.service.promote.context import PromoteContext
from giftflow.service.promote.promotions import Promotion, find, get, move
from giftflow.store import promotions
from giftflow.store.tx import RecordRejectedError, Tx

CLOSE_TRIES = 8
REVENUE = platform_account(AccountKind.PROMOTION_REVENUE)
_CONFLICT = "promotion_conflict"


def reserve_id(promotion_id: str, seq: int) -> TransferId:
    return derived_id("promotion-reserve", promotion_id, seq)


def spend_id(promotion_id: str, seq: int) -> TransferId:
    return derived_id("promotion-spend", promotion_id, seq)


def release_id(promotion_id: str, seq: int) -> TransferId:
    return derived_id("promotion-release", promotion_id, seq)


def reservation(promotion: Promotion, seq: int, coins: int, *, flags: int = 0) -> Transfer:
    return reserve_transfer(promotion.id, promotion.creator_id, seq, coins, flags=flags)


def reserve_transfer(
    promotion_id: str, creator_id: UserId, seq: int, coins: int, *, flags: int = 0
) -> Transfer:
    """Reservation ``seq`` of a promotion's chain: ``coins`` held in the wallet."""
    return Transfer(
        id=reserve_id(promotion_id, seq),
        debit_account_id=user_account(creator_id, AccountKind.WALLET),
        credit_account_id=REVENUE,
        amount=coins,
        unit=COIN,
        code=TransferCode.PROMOTION_RESERVE,
        flags=TransferFlags.PENDING | flags,
        user_data_1=creator_id,
        user_data_2=seq,
    )


def settlement_chain(
    promotion_id: str, creator_id: UserId, seq: int, pending_id: TransferId, *, due: int, rest: int
) -> list[Transfer]:
    """Post ``due`` coins of reservation ``seq`` and reserve the ``rest`` anew."""
    post = closing(
        spend_id(promotion_id, seq),
        TransferId(pending_id),
        post=True,
        code=TransferCode.PROMOTION_SPEND,
        amount=due,
        flags=TransferFlags.OVERRIDE_FROZEN | (TransferFlags.LINKED if rest else 0),
    )
    if not rest:
        return [post]
    again = reserve_transfer(
        promotion_id, creator_id, seq + 1, rest, flags=TransferFlags.OVERRIDE_FROZEN
    )
    return [post, again]


def closing_transfer(promotion_id: str, seq: int, pending_id: TransferId, *, due: int) -> Transfer:
    """The last transfer of a promotion: post ``due`` coins (the rest released) or,
    when nothing is due, void the reservation."""
    if due > 0:
        return closing(
            spend_id(promotion_id, seq),
            TransferId(pending_id),
            post=True,
            code=TransferCode.PROMOTION_SPEND,
            amount=due,
            flags=TransferFlags.OVERRIDE_FROZEN,
        )
    return closing(
        release_id(promotion_id, seq),
        TransferId(pending_id),
        post=False,
        code=TransferCode.PROMOTION_RELEASE,
    )


def _conflict(promotion_id: str) -> RecordRejectedError:
    return RecordRejectedError(f"promotion {promotion_id} changed meanwhile", code=_CONFLICT)


# --- submit ---------------------------------------------------------------------------


def submit(context: PromoteContext, promotion_id: str, *, once: Once | None = None) -> Promotion:
    """Draft -> in review, with the whole budget reserved from the creator's wallet."""
    promotion = get(context, promotion_id)
    check_transition(promotion.state, PromotionState.IN_REVIEW)
    reserve = reservation(promotion, 0, promotion.plan.budget_coins)
    now = context.now()

    def record(tx: Tx, results: list[TransferResult]) -> Promotion | None:
        if results[0].code != TransferResultCode.OK:
            return None
        if not promotions.set_submitted(
            tx, promotion_id, reserve_transfer_id=reserve.id, now_ns=now
        ):
            raise _conflict(promotion_id)
        submitted = find(tx, promotion_id)
        if once is not None:
            once.keep(tx, submitted, now=now)
        return submitted

    try:
        results = context.economy.ledger.create_transfers([reserve], record)
    except RecordRejectedError as rejected:
        raise PromoteError(str(rejected), code=rejected.code) from None
    failure = first_failure(results)
    if failure is not None:
        raise _reserve_error(failure)
    return get(context, promotion_id)


def _reserve_error(failure: TransferResult) -> Exception:
    if failure.code == TransferResultCode.INSUFFICIENT_FUNDS:
        return InsufficientFundsError("the wallet holds fewer coins than the budget")
    if failure.code == TransferResultCode.ACCOUNT_FROZEN:
        return AccountFrozenError("the creator's wallet is frozen")
    return ledger_error(failure, "the promotion's reservation")


# --- settle ---------------------------------------------------------------------------


def settle(context: PromoteContext, promotion_id: str) -> int:
    """Post the whole coins billed and not yet posted; the coins posted (0 when there
    were none, or another server settled first: its settlement is the one kept)."""
    promotion = get(context, promotion_id)
    due = charged_coins(promotion.billed_millicoins) - promotion.posted_coins
    if promotion.state not in BILLABLE_STATES or due <= 0 or promotion.reserved_coins == 0:
        return 0
    seq, rest = promotion.reserve_seq, promotion.reserved_coins - due
    chain = settlement_chain(
        promotion.id, promotion.creator_id, seq, promotion.reserve_transfer_id, due=due, rest=rest
    )
    next_id = chain[1].id if rest else TransferId(0)
    now = context.now()

    def record(tx: Tx, results: list[TransferResult]) -> int:
        if results[0].code != TransferResultCode.OK:
            return 0  # the reservation was closed by another settlement or the close
        if not promotions.set_settled(
            tx,
            promotion.id,
            seq=seq,
            next_transfer_id=next_id,
            rest_coins=rest,
            due_coins=due,
            now_ns=now,
        ):
            raise _conflict(promotion.id)
        return due

    outcome = context.economy.ledger.commit([Part(chain, record)]).outcomes[0]
    if isinstance(outcome, RecordRejectedError):
        return 0  # billed meanwhile by another server, or settled: the next one catches up
    if isinstance(outcome, BaseException):
        raise outcome
    return int(outcome.value or 0)


# --- close ----------------------------------------------------------------------------


def close(
    context: PromoteContext,
    promotion_id: str,
    target: PromotionState,
    *,
    reason: str | None = None,
    once: Once | None = None,
) -> Promotion:
    """End, cancel or reject: the last whole coins due posted, the rest released, in
    the transaction that writes the final state. Tries again when a bill or a
    settlement landed between the read and the write."""
    for _ in range(CLOSE_TRIES):
        promotion = get(context, promotion_id)
        check_transition(promotion.state, target)
        try:
            if promotion.state == PromotionState.DRAFT or promotion.reserve_transfer_id == 0:
                return _close_without_money(context, promotion, target, reason, once)
            closed = _close_once(context, promotion, target, reason, once)
        except RecordRejectedError as rejected:
            if rejected.code != _CONFLICT:
                raise
            continue
        if closed is not None:
            return closed
    raise PromoteError(
        f"promotion {promotion_id} kept changing; try again", code="promotion_conflict"
    )


def _close_without_money(
    context: PromoteContext,
    promotion: Promotion,
    target: PromotionState,
    reason: str | None,
    once: Once | None,
) -> Promotion:
    """A draft, or a promotion whose every reserved coin was spent: state only."""
    if promotion.state == PromotionState.DRAFT:
        return move(context, promotion.id, target, reason=reason, once=once)
    now = context.now()

    def update(tx: Tx) -> Promotion:
        _write_closed(tx, promotion, target, reason, posted=0, now=now)
        closed = find(tx, promotion.id)
        if once is not None:
            once.keep(tx, closed, now=now)
        return closed

    return context.write(update)


def _close_once(
    context: PromoteContext,
    promotion: Promotion,
    target: PromotionState,
    reason: str | None,
    once: Once | None,
) -> Promotion | None:
    due = charged_coins(promotion.billed_millicoins) - promotion.posted_coins
    transfer = closing_transfer(
        promotion.id, promotion.reserve_seq, promotion.reserve_transfer_id, due=due
    )
    now = context.now()

    def record(tx: Tx, results: list[TransferResult]) -> Promotion | None:
        if results[0].code != TransferResultCode.OK:
            return None
        _write_closed(tx, promotion, target, reason, posted=due, now=now)
        closed = find(tx, promotion.id)
        if once is not None:
            once.keep(tx, closed, now=now)
        return closed

    results = context.economy.ledger.create_transfers([transfer], record)
    failure = first_failure(results)
    if failure is not None:
        if failure.code == TransferResultCode.PENDING_ALREADY_CLOSED:
            return None  # a settlement closed it meanwhile: read again
        raise ledger_error(failure, f"closing promotion {promotion.id}")
    return get(context, promotion.id)


def _write_closed(
    tx: Tx,
    promotion: Promotion,
    target: PromotionState,
    reason: str | None,
    *,
    posted: int,
    now: int,
) -> None:
    if not promotions.set_closed(
        tx, promotion, target=target, reason=reason, posted_coins=posted, now_ns=now
    ):
        raise _conflict(promotion.id)
