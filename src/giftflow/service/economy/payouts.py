"""Payouts: creators withdraw available diamonds as cash through a payout partner.

The diamonds are reserved with a pending ledger transfer on request
(``giftflow.service.economy.payout_requests``); approval and the partner's batch follow
(``giftflow.service.economy.payout_batches``); the partner's result posts the
reservation (paid, with the cash booked in the payout currency) or voids it (failed or
rejected: the diamonds come back). Every state change is a compare-and-set on the
payout's row, in the same transaction as its ledger transfers.

Here: reading payouts, the moves a person decides (hold, approve, reject), and the
pieces every move shares: the compare-and-set, its ``payout.<state>`` event, the
transfers that post or void the reservation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from giftflow.economy.chart import AccountKind, TransferCode, platform_account
from giftflow.economy.errors import PayoutNotFoundError
from giftflow.economy.ids import derived_id
from giftflow.economy.payouts import PayoutState, check_transition
from giftflow.ids import UserId
from giftflow.ledger.limits import TransferId
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.ledger.transfers import Transfer, TransferFlags, closing
from giftflow.ledger.units import fiat
from giftflow.service.economy.context import (
    EconomyContext,
    PendingEvent,
    first_failure,
    ledger_error,
)
from giftflow.service.once import Once
from giftflow.store import payouts as stored
from giftflow.store.payouts import Payout
from giftflow.store.tx import Record, RecordRejectedError, Tx


def get(context: EconomyContext, payout_id: str) -> Payout:
    """The payout, or ``PayoutNotFoundError``."""
    return context.ledger.read(lambda tx: find(tx, payout_id))


def find(tx: Tx, payout_id: str) -> Payout:
    """``get`` inside a transaction."""
    payout = stored.by_id(tx, payout_id)
    if payout is None:
        raise PayoutNotFoundError(f"no payout {payout_id}")
    return payout


def listing(
    context: EconomyContext, *, creator_id: UserId | None = None, state: str | None = None
) -> list[Payout]:
    """The newest payouts (500 at most), of one creator or in one state if given."""
    return context.ledger.read(
        lambda tx: stored.newest(tx, creator_id=creator_id, state=state, limit=500)
    )


def _move(
    context: EconomyContext,
    payout_id: str,
    target: PayoutState,
    *,
    transfers: list[Transfer] | None = None,
    reference: str | None = None,
    reason: str | None = None,
    once: Once | None = None,
) -> Payout:
    payout = get(context, payout_id)
    current = PayoutState(payout.state)
    check_transition(current, target)
    update = state_update(context, payout_id, current, target, reference=reference, reason=reason)

    def update_and_keep(tx: Tx) -> Payout:
        update(tx)
        moved = find(tx, payout_id)
        if once is not None:
            once.keep(tx, moved, now=context.now())
        return moved

    if not transfers:
        return context.ledger.write(update_and_keep)
    results = context.ledger.create_transfers(transfers, when_ok(update_and_keep))
    failure = first_failure(results)
    if failure is not None:
        raise ledger_error(failure, f"payout {payout_id} going {target}")
    return get(context, payout_id)


def state_update(
    context: EconomyContext,
    payout_id: str,
    current: PayoutState,
    target: PayoutState,
    *,
    reference: str | None = None,
    reason: str | None = None,
) -> Callable[[Tx], None]:
    """The compare-and-set of one payout's state."""
    now = context.now()

    def update(tx: Tx) -> None:
        moved = stored.set_state(
            tx,
            payout_id,
            current=current.value,
            target=target.value,
            now_ns=now,
            reference=reference,
            reason=reason,
        )
        if not moved:
            raise RecordRejectedError(f"payout {payout_id} changed meanwhile")
        announce(context, tx, payout_id, target, now)

    return update


def announce(context: EconomyContext, tx: Tx, payout_id: str, state: PayoutState, now: int) -> None:
    """``payout.<state>`` for webhooks out, in the transaction that moved it there."""
    type = f"payout.{state.value}"
    if context.outbox.wants(tx, type):
        payout = find(tx, payout_id)
        data = asdict(payout) | {"payee_destination": payout.payee_masked}  # masked
        context.stage(tx, [PendingEvent(payout.creator_id, type, data, now)])


def when_ok(update: Callable[[Tx], object]) -> Record:
    """A record that runs ``update`` only when every transfer of its part went through."""

    def record(tx: Tx, results: list[TransferResult]) -> None:
        if all(result.code == TransferResultCode.OK for result in results):
            update(tx)

    return record


def approve(context: EconomyContext, payout_id: str, *, once: Once | None = None) -> Payout:
    """``held`` to ``approved``: the next partner batch takes it."""
    return _move(context, payout_id, PayoutState.APPROVED, once=once)


def hold(context: EconomyContext, payout_id: str, *, once: Once | None = None) -> Payout:
    """Send a payout kept in ``requested`` on to ``held`` once a person cleared it."""
    return _move(context, payout_id, PayoutState.HELD, once=once)


def reject(
    context: EconomyContext, payout_id: str, reason: str, *, once: Once | None = None
) -> Payout:
    """Refuse the payout (``reason`` kept): its reservation is voided, the diamonds
    come back."""
    payout = get(context, payout_id)
    return _move(
        context,
        payout_id,
        PayoutState.REJECTED,
        transfers=[void_reserve(payout)],
        reason=reason,
        once=once,
    )


def void_reserve(payout: Payout) -> Transfer:
    """The void of the payout's reservation: its diamonds back to the creator."""
    reserve = TransferId(payout.reserve_transfer_id)
    return closing(
        derived_id("payout-void", payout.id), reserve, post=False, code=TransferCode.PAYOUT_RETURNED
    )


def paid_transfers(payout: Payout) -> list[Transfer]:
    """Post the reserved diamonds and book the cash: gross to the creator's net payout
    and the partner's fee, in the payout currency; one linked chain."""
    gross = platform_account(AccountKind.PAYOUTS_GROSS, payout.currency)
    unit = fiat(payout.currency)
    legs = [
        closing(
            derived_id("payout-post", payout.id),
            TransferId(payout.reserve_transfer_id),
            post=True,
            code=TransferCode.PAYOUT_PAID,
            flags=TransferFlags.LINKED,
        ),
        Transfer(
            id=derived_id("payout-cash", payout.id),
            debit_account_id=gross,
            credit_account_id=platform_account(AccountKind.PAYOUTS_CASH_OUT, payout.currency),
            amount=payout.net_minor,
            unit=unit,
            code=TransferCode.PAYOUT_CASH,
            user_data_1=payout.creator_id,
        ),
    ]
    if payout.fee_minor:
        legs[-1] = legs[-1]._replace(flags=TransferFlags.LINKED)
        legs.append(
            Transfer(
                id=derived_id("payout-fee", payout.id),
                debit_account_id=gross,
                credit_account_id=platform_account(AccountKind.PAYOUT_FEES, payout.currency),
                amount=payout.fee_minor,
                unit=unit,
                code=TransferCode.PAYOUT_FEE,
                user_data_1=payout.creator_id,
            )
        )
    return legs
