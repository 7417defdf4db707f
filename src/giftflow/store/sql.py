"""The batch procedure and the queries that the SQLite and PostgreSQL stores share.

SQL is written once with ``?`` placeholders; a backend rewrites them if its driver
wants another style. Backends supply the transaction, the id-list clause, locking and
the bulk writes, which is where they really differ.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from giftflow.errors import StoreError
from giftflow.ledger.account_rules import apply_accounts
from giftflow.ledger.accounts import Account, AccountBalance
from giftflow.ledger.limits import AccountId, TransferId, is_valid_id
from giftflow.ledger.reconcile import ReconcileReport, reconcile
from giftflow.ledger.results import AccountResult, AccountResultCode, TransferResult
from giftflow.ledger.state_machine import BatchOutcome, BatchView, apply_transfers, referenced_ids
from giftflow.ledger.transfers import PendingState, Transfer
from giftflow.store.base import (
    ACCOUNT_COLUMNS,
    TRANSFER_COLUMNS,
    Balance,
    TransferPage,
    account_of,
    pending_row,
    transfer_of,
)
from giftflow.store.tx import Record, Tx

T = TypeVar("T")
Cursor = Any  # a DB-API cursor (sqlite3.Cursor or psycopg.Cursor)
MAX_ATTEMPTS = 8
"""How often a batch that lost a race with another process is tried again."""

_PREFIXED_TRANSFER_COLUMNS = ", ".join(f"t.{name.strip()}" for name in TRANSFER_COLUMNS.split(","))
_POSTED = 2 | 8  # PENDING or VOID_PENDING: these move no posted balance


class _Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=_Closable)


def close_connections(lock: AbstractContextManager[Any], writer: C, readers: list[C]) -> None:
    """A store's ``close``: every reader a thread opened, then the writer, under the
    lock that guards the list of readers."""
    with lock:
        for connection in readers:
            connection.close()
        readers.clear()
        writer.close()


class SqlStore(ABC):
    """A ledger store over a SQL database; subclasses bind it to one driver."""

    url: str
    retryable: tuple[type[Exception], ...] = ()

    # --- what a backend supplies ---------------------------------------------------

    @abstractmethod
    def _write(self) -> AbstractContextManager[Cursor]:
        """A write transaction: yields a cursor, commits durably on success."""

    @abstractmethod
    def _read(self) -> AbstractContextManager[Cursor]:
        """A cursor for reads (a consistent snapshot within one call)."""

    @abstractmethod
    def _ids(self, ids: Sequence[int]) -> tuple[str, Any]:
        """A ``column <clause>`` membership test for a list of ids, and its parameter."""

    @abstractmethod
    def _last_timestamp(self, cursor: Cursor) -> int:
        """The ledger clock inside a write transaction (locking it where needed)."""

    @abstractmethod
    def _load_accounts(
        self, cursor: Cursor, account_ids: set[AccountId]
    ) -> dict[AccountId, AccountBalance]:
        """Working copies of the accounts, locked against other writers where needed."""

    @abstractmethod
    def _insert_transfers(self, cursor: Cursor, transfers: list[Transfer]) -> None: ...

    @abstractmethod
    def _update_balances(self, cursor: Cursor, balances: list[AccountBalance]) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def _sql(self, text: str) -> str:
        return text

    def _forget(self) -> None:  # noqa: B027 (a hook: stores without a cache keep nothing)
        """Drop any cached state after a failed transaction."""

    # --- the batch procedure -------------------------------------------------------

    dialect: str = "sqlite"

    def create_transfers(
        self,
        transfers: Sequence[Transfer],
        *,
        now: int,
        request_ends: Sequence[int] = (),
        record: Record | None = None,
    ) -> list[TransferResult]:
        requests = list(transfers)
        for _attempt in range(MAX_ATTEMPTS):
            try:
                return self._apply_batch(requests, now, request_ends, record).results
            except self.retryable:
                self._forget()
            except BaseException:
                self._forget()
                raise
        raise StoreError(f"batch lost {MAX_ATTEMPTS} races with other writers in a row")

    def _apply_batch(
        self,
        requests: list[Transfer],
        now: int,
        request_ends: Sequence[int],
        record: Record | None,
    ) -> BatchOutcome:
        account_ids, transfer_ids, pending_ids = referenced_ids(requests)
        with self._write() as cursor:
            last_timestamp = self._last_timestamp(cursor)
            existing = self._transfers_by_id(cursor, transfer_ids)
            pendings = self._pendings(cursor, pending_ids)
            expiring = self._expiring(cursor, now)
            for state in (*pendings.values(), *expiring):
                account_ids.add(state.transfer.debit_account_id)
                account_ids.add(state.transfer.credit_account_id)
                pendings[state.transfer.id] = state
            accounts = self._load_accounts(cursor, account_ids)
            view = BatchView(accounts, existing, pendings, expiring)
            outcome = apply_transfers(
                view,
                requests,
                now=now,
                last_timestamp=last_timestamp,
                request_ends=request_ends,
            )
            self._persist(cursor, outcome)
            if record is not None:
                tx = Tx(cursor, self._sql, self.dialect)
                record(tx, outcome.results)
                tx.settle()
        return outcome

    def write(self, work: Callable[[Tx], T]) -> T:
        """Run domain writes in one write transaction of their own."""
        try:
            with self._write() as cursor:
                tx = Tx(cursor, self._sql, self.dialect)
                value = work(tx)
                tx.settle()
                return value
        except BaseException:
            self._forget()
            raise

    def read(self, work: Callable[[Tx], T]) -> T:
        """Run domain reads on one consistent snapshot."""
        with self._read() as cursor:
            return work(Tx(cursor, self._sql, self.dialect))

    def _persist(self, cursor: Cursor, outcome: BatchOutcome) -> None:
        if outcome.transfers:
            self._insert_transfers(cursor, outcome.transfers)
        if outcome.accounts:
            self._update_balances(cursor, list(outcome.accounts.values()))
        if outcome.pendings_opened:
            cursor.executemany(
                self._sql(
                    "INSERT INTO pending_transfers (id, status, expires_at, closed_at)"
                    " VALUES (?, ?, ?, ?)"
                ),
                [pending_row(state) for state in outcome.pendings_opened],
            )
        if outcome.pendings_closed:
            self._close_pendings(cursor, outcome.pendings_closed)
        self._set_last_timestamp(cursor, outcome.last_timestamp)

    def _close_pendings(self, cursor: Cursor, closed: list[PendingState]) -> None:
        rows = [(state.status, state.closed_at, state.transfer.id) for state in closed]
        for row in rows:
            cursor.execute(
                self._sql(
                    "UPDATE pending_transfers SET status = ?, closed_at = ?"
                    " WHERE id = ? AND status = 'pending'"
                ),
                row,
            )
            if cursor.rowcount != 1:
                raise StoreError(f"pending transfer {row[2]} was closed by another writer")

    def _set_last_timestamp(self, cursor: Cursor, timestamp: int) -> None:
        cursor.execute(
            self._sql("UPDATE ledger_state SET last_timestamp = ? WHERE id = 1"), (timestamp,)
        )

    def _transfers_by_id(
        self, cursor: Cursor, transfer_ids: set[TransferId]
    ) -> dict[TransferId, Transfer]:
        if not transfer_ids:
            return {}
        clause, parameter = self._ids(sorted(transfer_ids))
        cursor.execute(
            self._sql(f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id {clause}"), (parameter,)
        )
        return {row[0]: transfer_of(row) for row in cursor.fetchall()}

    def _pendings(
        self, cursor: Cursor, pending_ids: set[TransferId]
    ) -> dict[TransferId, PendingState]:
        if not pending_ids:
            return {}
        clause, parameter = self._ids(sorted(pending_ids))
        cursor.execute(
            self._sql(
                f"SELECT {_PREFIXED_TRANSFER_COLUMNS}, p.status, p.closed_at FROM transfers t"
                f" JOIN pending_transfers p ON p.id = t.id WHERE p.id {clause}"
            ),
            (parameter,),
        )
        return {row[0]: _pending_of(row) for row in cursor.fetchall()}

    def _expiring(self, cursor: Cursor, now: int) -> list[PendingState]:
        cursor.execute(
            self._sql(
                f"SELECT {_PREFIXED_TRANSFER_COLUMNS}, p.status, p.closed_at FROM transfers t"
                " JOIN pending_transfers p ON p.id = t.id"
                " WHERE p.status = 'pending' AND p.expires_at > 0 AND p.expires_at <= ?"
                " ORDER BY p.expires_at, p.id"
            ),
            (now,),
        )
        return [_pending_of(row) for row in cursor.fetchall()]

    # --- accounts ------------------------------------------------------------------

    def create_accounts(self, accounts: Sequence[Account], *, now: int) -> list[AccountResult]:
        try:
            with self._write() as cursor:
                ids: set[AccountId] = {a.id for a in accounts if is_valid_id(a.id)}
                existing: dict[AccountId, Account] = {
                    a.id: a for a in self._accounts_by_id(cursor, ids)
                }
                last_timestamp = max(now, self._last_timestamp(cursor))
                results, created, last = apply_accounts(
                    existing, list(accounts), timestamp=last_timestamp
                )
                cursor.executemany(
                    self._sql(f"INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES ({_marks(10)})"),
                    [_account_row(account) for account in created],
                )
                self._set_last_timestamp(cursor, last)
        except BaseException:
            self._forget()
            raise
        return results

    def set_frozen(
        self, account_id: AccountId, *, frozen: bool, record: Callable[[Tx], object] | None = None
    ) -> AccountResult:
        operation = "flags | 4" if frozen else "flags & ~4"
        try:
            with self._write() as cursor:
                cursor.execute(
                    self._sql(f"UPDATE accounts SET flags = {operation} WHERE id = ?"),
                    (account_id,),
                )
                found = cursor.rowcount == 1
                if found and record is not None:
                    record(Tx(cursor, self._sql, self.dialect))
        finally:
            self._forget()
        if not found:
            return AccountResult(AccountResultCode.ACCOUNT_NOT_FOUND)
        return AccountResult(AccountResultCode.OK)

    def _accounts_by_id(self, cursor: Cursor, account_ids: set[AccountId]) -> list[Account]:
        if not account_ids:
            return []
        clause, parameter = self._ids(sorted(account_ids))
        cursor.execute(
            self._sql(f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id {clause}"), (parameter,)
        )
        return [account_of(row) for row in cursor.fetchall()]

    # --- queries -------------------------------------------------------------------

    def lookup_accounts(self, account_ids: Sequence[AccountId]) -> list[Account]:
        with self._read() as cursor:
            found: dict[AccountId, Account] = {
                a.id: a for a in self._accounts_by_id(cursor, set(account_ids))
            }
        return [found[i] for i in account_ids if i in found]

    def lookup_transfers(self, transfer_ids: Sequence[TransferId]) -> list[Transfer]:
        with self._read() as cursor:
            found = self._transfers_by_id(cursor, set(transfer_ids))
        return [found[i] for i in transfer_ids if i in found]

    def account_transfers(
        self, account_id: AccountId, *, limit: int = 50, cursor: int | None = None
    ) -> TransferPage:
        """Transfers that debit or credit the account, newest first, ``limit`` a page;
        ``cursor`` is the timestamp the previous page ended at."""
        before = cursor if cursor is not None else 2**63 - 1
        query = self._sql(
            f"SELECT {TRANSFER_COLUMNS} FROM transfers"
            " WHERE debit_account_id = ? AND timestamp < ?"
            f" UNION ALL SELECT {TRANSFER_COLUMNS} FROM transfers"
            " WHERE credit_account_id = ? AND timestamp < ?"
            " ORDER BY timestamp DESC LIMIT ?"
        )
        with self._read() as db:
            db.execute(query, (account_id, before, account_id, before, limit + 1))
            rows = db.fetchall()
        page = [transfer_of(row) for row in rows[:limit]]
        more = len(rows) > limit
        return TransferPage(page, page[-1].timestamp if more and page else None)

    def balance_as_of(self, account_id: AccountId, timestamp: int) -> Balance | None:
        """The account's four counters as they stood at ``timestamp`` (inclusive)."""
        with self._read() as db:
            db.execute(self._sql("SELECT unit FROM accounts WHERE id = ?"), (account_id,))
            row = db.fetchone()
            if row is None:
                return None
            sums = [self._sum_as_of(db, side, account_id, timestamp) for side in _SIDES]
        return Balance(account_id, row[0], sums[0], sums[1], sums[2], sums[3], timestamp)

    def _sum_as_of(self, db: Cursor, side: tuple[str, bool], account_id: AccountId, at: int) -> int:
        column, pending = side
        if pending:
            query = (
                "SELECT COALESCE(SUM(t.amount), 0) FROM transfers t"
                " JOIN pending_transfers p ON p.id = t.id"
                f" WHERE t.{column} = ? AND t.timestamp <= ?"
                " AND (p.closed_at = 0 OR p.closed_at > ?)"
            )
            db.execute(self._sql(query), (account_id, at, at))
        else:
            query = (
                "SELECT COALESCE(SUM(amount), 0) FROM transfers"
                f" WHERE {column} = ? AND timestamp <= ? AND (flags & {_POSTED}) = 0"
            )
            db.execute(self._sql(query), (account_id, at))
        return int(db.fetchone()[0])

    def reconcile(self) -> ReconcileReport:
        """Reconcile one consistent snapshot of the whole ledger (one read transaction)."""
        with self._read() as db:
            db.execute("SELECT id, status FROM pending_transfers")
            statuses = {row[0]: row[1] for row in db.fetchall()}
            db.execute(f"SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY id")
            accounts = [account_of(row) for row in db.fetchall()]
            db.execute(f"SELECT {TRANSFER_COLUMNS} FROM transfers")
            return reconcile(accounts, _rows(db, transfer_of), statuses)

    def iter_accounts(self) -> Iterator[Account]:
        return self._stream(f"SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY id", account_of)

    def iter_transfers(self) -> Iterator[Transfer]:
        return self._stream(f"SELECT {TRANSFER_COLUMNS} FROM transfers", transfer_of)

    def pending_statuses(self) -> dict[TransferId, str]:
        with self._read() as db:
            db.execute("SELECT id, status FROM pending_transfers")
            return {row[0]: row[1] for row in db.fetchall()}

    def _stream(self, query: str, build: Callable[[Sequence[Any]], Any]) -> Iterator[Any]:
        with self._read() as db:
            db.execute(query)
            yield from _rows(db, build)


def _rows(db: Cursor, build: Callable[[Sequence[Any]], Any]) -> Iterator[Any]:
    while rows := db.fetchmany(10_000):
        yield from map(build, rows)


_SIDES = (
    ("debit_account_id", True),
    ("debit_account_id", False),
    ("credit_account_id", True),
    ("credit_account_id", False),
)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _pending_of(row: Sequence[Any]) -> PendingState:
    return PendingState(transfer_of(row[:13]), row[13], row[14])


def _account_row(account: Account) -> tuple[Any, ...]:
    return (
        account.id,
        account.unit,
        account.code,
        account.owner_id,
        account.flags,
        account.debits_pending,
        account.debits_posted,
        account.credits_pending,
        account.credits_posted,
        account.timestamp,
    )
