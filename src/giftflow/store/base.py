"""The storage contract of the ledger, and the batch procedure both SQL stores share.

A store applies one batch of transfers in one database transaction: it loads what the
batch refers to, runs the pure state machine, writes every change and commits before it
answers. The SQL differs per backend; the procedure and the rows do not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from giftflow.ledger.accounts import Account
from giftflow.ledger.limits import AccountId, TransferId
from giftflow.ledger.reconcile import ReconcileReport
from giftflow.ledger.results import AccountResult, TransferResult
from giftflow.ledger.transfers import PendingState, Transfer
from giftflow.ledger.units import UnitCode
from giftflow.store.tx import Record, Tx

T = TypeVar("T")

TRANSFER_COLUMNS = (
    "id, debit_account_id, credit_account_id, amount, unit, code, flags, pending_id,"
    " timeout_s, user_data_1, user_data_2, user_data_3, timestamp"
)
ACCOUNT_COLUMNS = (
    "id, unit, code, owner_id, flags, debits_pending, debits_posted, credits_pending,"
    " credits_posted, timestamp"
)


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's balances at one moment (now, or as of a past timestamp)."""

    account_id: AccountId
    unit: str
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    timestamp: int

    @property
    def posted(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def pending(self) -> int:
        return self.credits_pending - self.debits_pending

    @property
    def available(self) -> int:
        return self.credits_posted - self.debits_posted - self.debits_pending


@dataclass(frozen=True, slots=True)
class TransferPage:
    """One page of an account's transfers, newest first; pass ``next_cursor`` back to
    get the next page (``None`` when there is none)."""

    transfers: list[Transfer]
    next_cursor: int | None


class LedgerStore(Protocol):
    """What the engine and the queries need from a backend."""

    url: str
    local_reads: bool
    """Reads are in-process work (SQLite), cheaper than a thread hop; else they wait on
    a server (PostgreSQL), and an event loop should not wait with them."""

    def create_accounts(self, accounts: Sequence[Account], *, now: int) -> list[AccountResult]:
        """Create accounts in one transaction; one result per account."""
        ...

    def create_transfers(
        self,
        transfers: Sequence[Transfer],
        *,
        now: int,
        request_ends: Sequence[int] = (),
        record: Record | None = None,
    ) -> list[TransferResult]:
        """Apply a batch in one durable transaction; one result per transfer. A linked
        chain never crosses one of ``request_ends`` (see ``chain_bounds``); ``record``
        writes domain rows in the same transaction."""
        ...

    def write(self, work: Callable[[Tx], T]) -> T:
        """Run domain writes in one write transaction."""
        ...

    def read(self, work: Callable[[Tx], T]) -> T:
        """Run domain reads on one consistent snapshot."""
        ...

    def set_frozen(
        self, account_id: AccountId, *, frozen: bool, record: Callable[[Tx], object] | None = None
    ) -> AccountResult:
        """Set or clear the account's ``frozen`` flag; ``record`` writes in the same
        transaction (when the account exists)."""
        ...

    def lookup_accounts(self, account_ids: Sequence[AccountId]) -> list[Account]: ...

    def lookup_transfers(self, transfer_ids: Sequence[TransferId]) -> list[Transfer]: ...

    def account_transfers(
        self, account_id: AccountId, *, limit: int = 50, cursor: int | None = None
    ) -> TransferPage: ...

    def balance_as_of(self, account_id: AccountId, timestamp: int) -> Balance | None: ...

    def iter_accounts(self) -> Iterator[Account]: ...

    def iter_transfers(self) -> Iterator[Transfer]: ...

    def pending_statuses(self) -> dict[TransferId, str]: ...

    def reconcile(self) -> ReconcileReport:
        """Recompute every balance from the log, on one consistent snapshot."""
        ...

    def close(self) -> None: ...


def transfer_of(row: Sequence[Any]) -> Transfer:
    return Transfer(
        id=row[0],
        debit_account_id=row[1],
        credit_account_id=row[2],
        amount=row[3],
        unit=UnitCode(row[4]),
        code=row[5],
        flags=row[6],
        pending_id=row[7],
        timeout_s=row[8],
        user_data_1=row[9],
        user_data_2=row[10],
        user_data_3=row[11],
        timestamp=row[12],
    )


def account_of(row: Sequence[Any]) -> Account:
    return Account(
        id=row[0],
        unit=UnitCode(row[1]),
        code=row[2],
        owner_id=row[3],
        flags=row[4],
        debits_pending=row[5],
        debits_posted=row[6],
        credits_pending=row[7],
        credits_posted=row[8],
        timestamp=row[9],
    )


def pending_row(state: PendingState) -> tuple[int, str, int, int]:
    return (state.transfer.id, state.status, state.expires_at, state.closed_at)
