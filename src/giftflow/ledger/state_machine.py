"""The state machine: apply a batch of transfers, in order, to a view of the ledger.

Pure and deterministic: the caller (a store, or the in-memory ``Book``) loads a
``BatchView`` holding every account, existing transfer and pending transfer the batch
refers to, and persists the ``BatchOutcome``. Nothing here does I/O or reads a clock.
Here: chains, balances, pending transfers and undo; the rules a transfer passes on its
own (ranges, flags, replays) are ``giftflow.ledger.transfer_rules``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from giftflow.ledger.accounts import AccountBalance, AccountFlags
from giftflow.ledger.limits import INT64_MAX, AccountId, TransferId
from giftflow.ledger.results import TransferResult
from giftflow.ledger.results import TransferResultCode as Code
from giftflow.ledger.transfer_rules import (
    ChainFailedError,
    check_fields,
    check_header,
    closing_amount,
    compare_existing,
)
from giftflow.ledger.transfers import (
    CLOSING_FLAGS,
    PendingState,
    PendingStatus,
    Transfer,
    TransferFlags,
)
from giftflow.ledger.units import UnitCode

_LINKED = TransferFlags.LINKED
_PENDING = TransferFlags.PENDING
_POST = TransferFlags.POST_PENDING
_CLOSING = CLOSING_FLAGS
_OVERRIDE_FROZEN = TransferFlags.OVERRIDE_FROZEN
_DEBITS_MUST_NOT_EXCEED_CREDITS = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
_CREDITS_MUST_NOT_EXCEED_DEBITS = AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
_FROZEN = AccountFlags.FROZEN

_OK = TransferResult(Code.OK)
_Id = TypeVar("_Id", bound=int)
_LINKED_FAILED = TransferResult(Code.LINKED_EVENT_FAILED)
_DEBIT = "debit_account_id"
_CREDIT = "credit_account_id"


@dataclass(slots=True)
class BatchView:
    """What the store loaded for one batch: working copies it may mutate."""

    accounts: dict[AccountId, AccountBalance]
    transfers: dict[TransferId, Transfer]
    pendings: dict[TransferId, PendingState]
    expiring: list[PendingState] = field(default_factory=list)


@dataclass(slots=True)
class BatchOutcome:
    """What one batch changed: everything a store must persist, atomically."""

    results: list[TransferResult]
    transfers: list[Transfer]
    accounts: dict[AccountId, AccountBalance]
    pendings_opened: list[PendingState]
    pendings_closed: list[PendingState]
    last_timestamp: int


class _Chain:
    """Undo information for the chain being applied, so a failure restores everything.
    One is reused for every chain of a batch (``clear``): this is the hot path."""

    __slots__ = ("balances", "pendings", "record_balances", "transfers")

    def __init__(self) -> None:
        self.record_balances = True
        """False for a chain's last transfer: it fails before it changes anything, and
        once it succeeds the chain has succeeded, so its balances need no undo."""
        self.balances: list[tuple[AccountBalance, tuple[int, int, int, int]]] = []
        self.transfers: list[Transfer] = []
        self.pendings: list[tuple[TransferId, PendingState | None]] = []

    def clear(self) -> None:
        self.balances.clear()
        self.transfers.clear()
        self.pendings.clear()


def chain_bounds(
    requests: list[Transfer], request_ends: Sequence[int] = ()
) -> list[tuple[int, int]]:
    """Split a batch into linked chains ``[start, end)``; a single transfer is a chain.

    ``request_ends`` are the indices just past each caller's request when one batch
    carries several callers' requests: a chain never crosses from one into the next.
    """
    ends = set(request_ends)
    bounds: list[tuple[int, int]] = []
    start = 0
    for index, transfer in enumerate(requests):
        if not transfer.flags & _LINKED or index + 1 in ends:
            bounds.append((start, index + 1))
            start = index + 1
    if start < len(requests):
        bounds.append((start, len(requests)))
    return bounds


class _Applier:
    """Applies transfers one by one; holds the batch's clock and change sets."""

    def __init__(self, view: BatchView, timestamp: int) -> None:
        self.view = view
        self.timestamp = timestamp
        self.touched: dict[AccountId, AccountBalance] = {}
        self.transfers: list[Transfer] = []
        self.opened: dict[TransferId, PendingState] = {}
        self.closed: dict[TransferId, PendingState] = {}
        self.undo = _Chain()

    def expire(self, states: list[PendingState]) -> None:
        for state in states:
            pending = state.transfer
            debit = self.view.accounts[pending.debit_account_id]
            credit = self.view.accounts[pending.credit_account_id]
            debit.debits_pending -= pending.amount
            credit.credits_pending -= pending.amount
            self.touched[debit.id] = debit
            self.touched[credit.id] = credit
            self.timestamp += 1
            closed = PendingState(pending, PendingStatus.EXPIRED, self.timestamp)
            self.view.pendings[pending.id] = closed
            self._close(closed)

    def apply_chain(self, chain: list[Transfer], results: list[TransferResult]) -> None:
        undo = self.undo
        undo.clear()
        undo.record_balances = True
        last = len(chain) - 1
        position = 0
        try:
            for position, transfer in enumerate(chain):
                if position == last:
                    if transfer.flags & _LINKED:
                        raise ChainFailedError(Code.LINKED_EVENT_CHAIN_OPEN)
                    undo.record_balances = False
                results.append(self._apply(transfer, undo))
        except ChainFailedError as failure:
            self._undo(undo)
            del results[len(results) - position :]
            results.extend([_LINKED_FAILED] * len(chain))
            results[len(results) - len(chain) + position] = failure.result
            return
        self.transfers.extend(undo.transfers)

    def _undo(self, undo: _Chain) -> None:
        for balance, counters in reversed(undo.balances):
            (
                balance.debits_pending,
                balance.debits_posted,
                balance.credits_pending,
                balance.credits_posted,
            ) = counters
        for transfer in undo.transfers:
            del self.view.transfers[transfer.id]
        for pending_id, previous in reversed(undo.pendings):
            if previous is None:
                del self.view.pendings[pending_id]
                self.opened.pop(pending_id, None)
            else:
                self.view.pendings[pending_id] = previous
                if pending_id in self.opened:  # opened by an earlier chain of this batch
                    self.opened[pending_id] = previous
                else:
                    self.closed.pop(pending_id, None)

    def _apply(self, transfer: Transfer, undo: _Chain) -> TransferResult:
        check_header(transfer)
        existing = self.view.transfers.get(transfer.id)
        if existing is not None:
            return compare_existing(transfer, existing)
        check_fields(transfer)
        if transfer.flags & _CLOSING:
            stored = self._close_pending(transfer, undo)
        else:
            stored = self._move(transfer, undo)
        self.view.transfers[stored.id] = stored
        undo.transfers.append(stored)
        return _ok(stored.timestamp)

    def _move(self, transfer: Transfer, undo: _Chain) -> Transfer:
        debit, credit = self._accounts_of(transfer)
        amount = transfer.amount
        pending = transfer.flags & _PENDING
        if debit.flags & _DEBITS_MUST_NOT_EXCEED_CREDITS and (
            debit.debits_pending + debit.debits_posted + amount > debit.credits_posted
        ):
            raise ChainFailedError(Code.INSUFFICIENT_FUNDS, _DEBIT)
        if credit.flags & _CREDITS_MUST_NOT_EXCEED_DEBITS and (
            credit.credits_pending + credit.credits_posted + amount > credit.debits_posted
        ):
            raise ChainFailedError(Code.EXCEEDS_DEBITS, _CREDIT)
        if debit.debits_pending + debit.debits_posted + amount > INT64_MAX:
            raise ChainFailedError(Code.OVERFLOW, _DEBIT)
        if credit.credits_pending + credit.credits_posted + amount > INT64_MAX:
            raise ChainFailedError(Code.OVERFLOW, _CREDIT)
        if undo.record_balances:
            undo.balances.append((debit, debit.counters()))
            undo.balances.append((credit, credit.counters()))
        touched = self.touched
        touched[debit.id] = debit
        touched[credit.id] = credit
        if pending:
            debit.debits_pending += amount
            credit.credits_pending += amount
        else:
            debit.debits_posted += amount
            credit.credits_posted += amount
        self.timestamp += 1
        stored = _stamped(transfer, self.timestamp)
        if pending:
            state = PendingState(stored)
            undo.pendings.append((stored.id, None))
            self.view.pendings[stored.id] = state
            self.opened[stored.id] = state
        return stored

    def _close_pending(self, transfer: Transfer, undo: _Chain) -> Transfer:
        state = self._pending_of(transfer)
        pending = state.transfer
        posting = bool(transfer.flags & _POST)
        amount = closing_amount(transfer, pending, posting=posting)
        debit = self.view.accounts[pending.debit_account_id]
        credit = self.view.accounts[pending.credit_account_id]
        frozen = not transfer.flags & _OVERRIDE_FROZEN and (debit.flags | credit.flags) & _FROZEN
        if posting and frozen:
            raise ChainFailedError(
                Code.ACCOUNT_FROZEN, _DEBIT if debit.flags & _FROZEN else _CREDIT
            )
        self._remember(debit, undo)
        self._remember(credit, undo)
        debit.debits_pending -= pending.amount
        credit.credits_pending -= pending.amount
        if posting:
            debit.debits_posted += amount
            credit.credits_posted += amount
        self.timestamp += 1
        stored = Transfer(
            id=transfer.id,
            debit_account_id=pending.debit_account_id,
            credit_account_id=pending.credit_account_id,
            amount=amount,
            unit=pending.unit,
            code=transfer.code or pending.code,
            flags=transfer.flags,
            pending_id=pending.id,
            user_data_1=transfer.user_data_1 or pending.user_data_1,
            user_data_2=transfer.user_data_2 or pending.user_data_2,
            user_data_3=transfer.user_data_3 or pending.user_data_3,
            timestamp=self.timestamp,
        )
        status = PendingStatus.POSTED if posting else PendingStatus.VOIDED
        closed = PendingState(pending, status, self.timestamp)
        undo.pendings.append((pending.id, state))
        self.view.pendings[pending.id] = closed
        self._close(closed)
        return stored

    def _close(self, closed: PendingState) -> None:
        if closed.transfer.id in self.opened:
            self.opened[closed.transfer.id] = closed
        else:
            self.closed[closed.transfer.id] = closed

    def _pending_of(self, transfer: Transfer) -> PendingState:
        if transfer.pending_id in (0, transfer.id):
            raise ChainFailedError(Code.PENDING_ID_INVALID)
        if transfer.timeout_s != 0:
            raise ChainFailedError(Code.TIMEOUT_INVALID)
        state = self.view.pendings.get(transfer.pending_id)
        if state is None:
            raise ChainFailedError(Code.PENDING_NOT_FOUND)
        if state.status != PendingStatus.PENDING:
            raise ChainFailedError(Code.PENDING_ALREADY_CLOSED, state.status)
        pending = state.transfer
        for name in (_DEBIT, _CREDIT, "unit"):
            given = getattr(transfer, name)
            if given and given != getattr(pending, name):
                raise ChainFailedError(Code.PENDING_MISMATCH, name)
        return state

    def _accounts_of(self, transfer: Transfer) -> tuple[AccountBalance, AccountBalance]:
        if transfer.pending_id != 0:
            raise ChainFailedError(Code.PENDING_ID_INVALID)
        if transfer.timeout_s and not transfer.flags & _PENDING:
            raise ChainFailedError(Code.TIMEOUT_INVALID)
        if not 0 < transfer.amount <= INT64_MAX:
            raise ChainFailedError(Code.AMOUNT_INVALID)
        if transfer.debit_account_id == transfer.credit_account_id:
            raise ChainFailedError(Code.ACCOUNTS_MUST_BE_DIFFERENT)
        debit = self.view.accounts.get(transfer.debit_account_id)
        if debit is None:
            raise ChainFailedError(Code.ACCOUNT_NOT_FOUND, _DEBIT)
        credit = self.view.accounts.get(transfer.credit_account_id)
        if credit is None:
            raise ChainFailedError(Code.ACCOUNT_NOT_FOUND, _CREDIT)
        if debit.unit != transfer.unit:
            raise ChainFailedError(Code.UNIT_MISMATCH, _DEBIT)
        if credit.unit != transfer.unit:
            raise ChainFailedError(Code.UNIT_MISMATCH, _CREDIT)
        if (debit.flags | credit.flags) & _FROZEN and not transfer.flags & _OVERRIDE_FROZEN:
            side = _DEBIT if debit.flags & _FROZEN else _CREDIT
            raise ChainFailedError(Code.ACCOUNT_FROZEN, side)
        return debit, credit

    def _remember(self, balance: AccountBalance, undo: _Chain) -> None:
        if undo.record_balances:
            undo.balances.append((balance, balance.counters()))
        self.touched[balance.id] = balance


def _stamped(transfer: Transfer, timestamp: int) -> Transfer:
    """A copy with the ledger's timestamp. ``tuple.__new__`` skips the generated
    ``NamedTuple`` constructor's argument parsing: a third of the cost, on the hot path."""
    return tuple.__new__(Transfer, (*transfer[:12], timestamp))


def _ok(timestamp: int) -> TransferResult:
    return tuple.__new__(TransferResult, (Code.OK, None, timestamp))


def apply_transfers(
    view: BatchView,
    requests: list[Transfer],
    *,
    now: int,
    last_timestamp: int,
    request_ends: Sequence[int] = (),
) -> BatchOutcome:
    """Apply ``requests`` in order; expire due pending transfers first.

    ``now`` is the clock in nanoseconds; every transfer applied gets a timestamp
    strictly greater than ``last_timestamp`` and than the one before it. A linked chain
    still open at the end of the batch, or at one of ``request_ends``, fails with
    ``linked_event_chain_open``.
    """
    applier = _Applier(view, max(now, last_timestamp))
    applier.expire(view.expiring)
    results: list[TransferResult] = []
    for start, end in chain_bounds(requests, request_ends):
        applier.apply_chain(requests[start:end], results)
    assert len(results) == len(requests)
    return BatchOutcome(
        results=results,
        transfers=applier.transfers,
        accounts=applier.touched,
        pendings_opened=list(applier.opened.values()),
        pendings_closed=list(applier.closed.values()),
        last_timestamp=applier.timestamp,
    )


def referenced_ids(
    requests: list[Transfer],
) -> tuple[set[AccountId], set[TransferId], set[TransferId]]:
    """The account, transfer and pending ids a batch refers to (what a store loads)."""
    account_ids: set[AccountId] = set()
    transfer_ids: set[TransferId] = set()
    pending_ids: set[TransferId] = set()
    for transfer in requests:
        account_ids.add(transfer.debit_account_id)
        account_ids.add(transfer.credit_account_id)
        transfer_ids.add(transfer.id)
        if transfer.pending_id:
            pending_ids.add(transfer.pending_id)
    # Ids outside 1 .. 2**63-1 are never stored; asking for one would make PostgreSQL
    # refuse the whole batch (bigint out of range) instead of that one transfer.
    return _storable(account_ids), _storable(transfer_ids), _storable(pending_ids)


def _storable(ids: set[_Id]) -> set[_Id]:
    return {value for value in ids if 0 < value <= INT64_MAX}


__all__ = [
    "BatchOutcome",
    "BatchView",
    "TransferId",
    "UnitCode",
    "apply_transfers",
    "chain_bounds",
    "referenced_ids",
]
