"""The embedding API: a ledger in your own process, no server needed.

    with Ledger.open("sqlite:///giftflow.db") as ledger:
        ledger.create_accounts([...])
        results = ledger.create_transfers([...])

Every write goes through the batch engine (group commit): transfers and domain writes
alike join the next batch's transaction. Reads go straight to the store, never behind
the writer. Each write method has an ``async`` twin for asyncio code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from giftflow.ledger.accounts import Account
from giftflow.ledger.clock import Clock, SystemClock
from giftflow.ledger.limits import AccountId, TransferId
from giftflow.ledger.reconcile import ReconcileReport
from giftflow.ledger.results import AccountResult, TransferResult
from giftflow.ledger.transfers import Transfer
from giftflow.service.engine import (
    BATCH_MAX,
    QUEUED_MAX,
    Committed,
    Finish,
    LedgerEngine,
    Part,
)
from giftflow.settings import DEFAULT_DATABASE_URL
from giftflow.store import Balance, LedgerStore, TransferPage, open_store
from giftflow.store.tx import Record, Tx

T = TypeVar("T")


class Ledger:
    """The ledger's embedding API: a store (SQLite or PostgreSQL) and the engine that
    group-commits writes to it. Submit accounts and transfers; read accounts, transfers
    and balances; run domain writes in the same transactions as transfers."""

    def __init__(self, store: LedgerStore, engine: LedgerEngine) -> None:
        self.store = store
        self.engine = engine

    @classmethod
    def open(
        cls,
        url: str = DEFAULT_DATABASE_URL,
        *,
        clock: Clock | None = None,
        batch_max: int = BATCH_MAX,
        wait_ms: float = 0.0,
        queued_max: int = QUEUED_MAX,
    ) -> Ledger:
        """Open (and migrate) the store the URL names and start its engine."""
        store = open_store(url)
        engine = LedgerEngine(
            store,
            clock=clock or SystemClock(),
            batch_max=batch_max,
            wait_ms=wait_ms,
            queued_max=queued_max,
        )
        return cls(store, engine)

    @property
    def clock(self) -> Clock:
        """The clock that stamps transfers (nanoseconds since the epoch)."""
        return self.engine.clock

    # --- writes --------------------------------------------------------------------

    def create_accounts(self, accounts: Sequence[Account]) -> list[AccountResult]:
        """Create accounts, one result per account (``exists`` for an identical one)."""
        results: list[AccountResult] = self.engine.run(self._accounts_call(accounts))
        return results

    async def create_accounts_async(self, accounts: Sequence[Account]) -> list[AccountResult]:
        """``create_accounts`` for an event loop."""
        results: list[AccountResult] = await self.engine.run_async(self._accounts_call(accounts))
        return results

    def _accounts_call(self, accounts: Sequence[Account]) -> Callable[[], list[AccountResult]]:
        return lambda: self.store.create_accounts(accounts, now=self.clock.now_ns())

    def create_transfers(
        self, transfers: Sequence[Transfer], record: Record | None = None
    ) -> list[TransferResult]:
        """Apply transfers durably; ``record`` writes domain rows in the same transaction."""
        return self.engine.create_transfers(transfers, record)

    async def create_transfers_async(
        self, transfers: Sequence[Transfer], record: Record | None = None
    ) -> list[TransferResult]:
        """``create_transfers`` for an event loop: grouped with other callers' into one
        transaction."""
        return await self.engine.create_transfers_async(transfers, record)

    def commit(self, parts: Sequence[Part], finish: Finish | None = None) -> Committed:
        """One job of several parts (a gateway's batch of gifts) and what the job as a
        whole writes (``finish``), committed together (``LedgerEngine.commit``)."""
        return self.engine.commit(parts, finish)

    async def commit_async(self, parts: Sequence[Part], finish: Finish | None = None) -> Committed:
        """``commit`` for an event loop."""
        return await self.engine.commit_async(parts, finish)

    def write(self, work: Callable[[Tx], T]) -> T:
        """Domain writes in the next batch's transaction, in order with the transfers;
        returns what ``work`` returns or raises what it raises (nothing of it is kept)."""
        value: T = _value(self.engine.commit([_writing(work)]))
        return value

    async def write_async(self, work: Callable[[Tx], T]) -> T:
        """``write`` for an event loop."""
        value: T = _value(await self.engine.commit_async([_writing(work)]))
        return value

    def read(self, work: Callable[[Tx], T]) -> T:
        """Domain reads on one consistent snapshot (not through the writer)."""
        return self.store.read(work)

    async def read_async(self, work: Callable[[Tx], T]) -> T:
        """``read`` from an event loop: on SQLite right here (an in-process read costs
        less than a thread hop); on PostgreSQL in a worker thread, so that the loop
        serves other requests while this one waits for the server."""
        if self.store.local_reads:
            return self.store.read(work)
        return await asyncio.to_thread(self.store.read, work)

    def set_frozen(
        self, account_id: AccountId, *, frozen: bool, record: Callable[[Tx], object] | None = None
    ) -> AccountResult:
        """On the writer, in order with the batches; ``record`` commits with the flag."""
        result: AccountResult = self.engine.run(
            lambda: self.store.set_frozen(account_id, frozen=frozen, record=record)
        )
        return result

    # --- reads ---------------------------------------------------------------------

    def account(self, account_id: AccountId) -> Account | None:
        """The account, or ``None``."""
        found = self.store.lookup_accounts([account_id])
        return found[0] if found else None

    def accounts(self, account_ids: Sequence[AccountId]) -> list[Account]:
        """The accounts of these ids that exist, in the order asked."""
        return self.store.lookup_accounts(account_ids)

    def transfer(self, transfer_id: TransferId) -> Transfer | None:
        """The transfer, or ``None``."""
        found = self.store.lookup_transfers([transfer_id])
        return found[0] if found else None

    def account_transfers(
        self, account_id: AccountId, *, limit: int = 50, cursor: int | None = None
    ) -> TransferPage:
        """One page of an account's transfers, newest first."""
        return self.store.account_transfers(account_id, limit=limit, cursor=cursor)

    def balance_as_of(self, account_id: AccountId, timestamp: int) -> Balance | None:
        """An account's balance just after ``timestamp`` (nanoseconds), or ``None`` when
        it has no history."""
        return self.store.balance_as_of(account_id, timestamp)

    def reconcile(self) -> ReconcileReport:
        """Recompute every balance from the transfer log and compare it with the stored
        balances."""
        return self.store.reconcile()

    # --- lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        """Stop the engine (after what is queued) and close the store."""
        self.engine.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _writing(work: Callable[[Tx], T]) -> Part:
    return Part((), lambda tx, _results: work(tx))


def _value(committed: Committed) -> Any:
    (outcome,) = committed.outcomes
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome.value
