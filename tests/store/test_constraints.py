"""The database itself refuses what breaks a money rule, even with giftflow bypassed.

Each case writes with the plain driver (``sqlite3`` / ``psycopg``) on the store's own
database, as a careless script or another service would, and expects the driver's
integrity error and not one row changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from giftflow.ledger import (
    COIN,
    DIAMOND,
    Account,
    AccountFlags,
    AccountId,
    Transfer,
    TransferFlags,
    TransferId,
    TransferResultCode,
    UnitCode,
    reconcile,
)
from giftflow.store.base import LedgerStore
from giftflow.store.postgres import PostgresStore
from giftflow.store.sqlite import SQLiteStore

NOW = 1_700_000_000 * 1_000_000_000
ISSUER = AccountId(1)
WALLET = AccountId(2)
GEMS = AccountId(3)
FUNDING = TransferId(1)
RESERVED = TransferId(2)
POSTED = TransferId(3)
TABLES = ("accounts", "transfers", "pending_transfers", "ledger_state")
INSERT_TRANSFER = (
    "INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, unit, code,"
    " flags, pending_id, timeout_s, user_data_1, user_data_2, user_data_3, timestamp)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
Row = tuple[object, ...]


@dataclass(frozen=True)
class RawDatabase:
    """A plain driver connection in autocommit mode: no giftflow code in the way."""

    execute: Callable[[str, Row], list[Row]]
    integrity_error: type[Exception]
    close: Callable[[], None]

    def snapshot(self) -> dict[str, list[Row]]:
        return {table: self.execute(f"SELECT * FROM {table} ORDER BY 1", ()) for table in TABLES}


def _raw_sqlite(path: str) -> RawDatabase:
    connection = sqlite3.connect(path, isolation_level=None)
    # SQLite checks foreign keys only on connections that ask for it.
    connection.execute("PRAGMA foreign_keys = ON")

    def execute(statement: str, parameters: Row) -> list[Row]:
        return connection.execute(statement, parameters).fetchall()

    return RawDatabase(execute, sqlite3.IntegrityError, connection.close)


def _raw_postgres(url: str) -> RawDatabase:
    connection = psycopg.connect(url, autocommit=True)

    def execute(statement: str, parameters: Row) -> list[Row]:
        cursor = connection.execute(statement.replace("?", "%s"), parameters)
        return cursor.fetchall() if cursor.description else []

    return RawDatabase(execute, psycopg.errors.IntegrityError, connection.close)


def raw_connection(store: LedgerStore) -> RawDatabase:
    if isinstance(store, SQLiteStore):
        return _raw_sqlite(store.path)
    assert isinstance(store, PostgresStore)
    return _raw_postgres(store.url)


def coins(
    transfer_id: TransferId, debit: AccountId, credit: AccountId, amount: int, flags: int = 0
) -> Transfer:
    return Transfer(transfer_id, debit, credit, amount, COIN, 1, flags)


@pytest.fixture
def ledger(store: LedgerStore) -> LedgerStore:
    """A wallet holding 100 coins, a diamond account, and a pending transfer now posted."""
    store.create_accounts(
        [
            Account(ISSUER, COIN, code=1),
            Account(WALLET, COIN, code=1, flags=AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
            Account(GEMS, DIAMOND, code=1),
        ],
        now=NOW,
    )
    results = store.create_transfers(
        [
            coins(FUNDING, ISSUER, WALLET, 100),
            coins(RESERVED, WALLET, ISSUER, 30, TransferFlags.PENDING),
            Transfer(POSTED, AccountId(0), AccountId(0), 0, UnitCode(""), 0, 4, RESERVED),
        ],
        now=NOW,
    )
    assert all(result.code is TransferResultCode.OK for result in results)
    return store


@pytest.fixture
def raw(ledger: LedgerStore) -> Iterator[RawDatabase]:
    database = raw_connection(ledger)
    yield database
    database.close()


def _transfer(
    transfer_id: int,
    debit: int,
    credit: int,
    amount: int,
    *,
    flags: int = 0,
    pending_id: int = 0,
) -> tuple[str, Row]:
    """A raw INSERT of one coin transfer, timestamped after everything in the fixture."""
    return INSERT_TRANSFER, (
        transfer_id,
        debit,
        credit,
        amount,
        COIN,
        1,
        flags,
        pending_id,
        0,
        0,
        0,
        0,
        NOW + 1_000,
    )


@dataclass(frozen=True)
class Forbidden:
    statement: str
    parameters: Row
    rule: str
    """A pattern of the error message naming the rule (SQLite's, then PostgreSQL's)."""


def _insert(row: tuple[str, Row], rule: str) -> Forbidden:
    return Forbidden(row[0], row[1], rule)


SAME_UNIT = "FOREIGN KEY constraint failed|a missing account or one of another unit"
APPEND_ONLY = "transfers are append-only"
NO_OVERDRAFT = "accounts_no_overdraft"
FORBIDDEN_WRITES: dict[str, Forbidden] = {
    "transfer-of-amount-zero": _insert(
        _transfer(10, WALLET, ISSUER, 0), "transfers_amount_positive"
    ),
    "transfer-of-negative-amount": _insert(
        _transfer(10, WALLET, ISSUER, -5), "transfers_amount_positive"
    ),
    "transfer-unit-differs-from-credit-account": _insert(_transfer(10, WALLET, GEMS, 5), SAME_UNIT),
    "transfer-unit-differs-from-debit-account": _insert(_transfer(10, GEMS, ISSUER, 5), SAME_UNIT),
    "transfer-from-unknown-account": _insert(_transfer(10, 999, ISSUER, 5), SAME_UNIT),
    "transfer-to-the-same-account": _insert(
        _transfer(10, ISSUER, ISSUER, 5), "transfers_two_accounts"
    ),
    "duplicate-transfer-id": _insert(
        _transfer(FUNDING, ISSUER, WALLET, 5), "transfers.id|transfers_pkey"
    ),
    "second-closing-of-a-pending-transfer": _insert(
        _transfer(10, WALLET, ISSUER, 30, flags=TransferFlags.VOID_PENDING, pending_id=RESERVED),
        "transfers.pending_id|transfers_pending_closed_once",
    ),
    "wallet-overdrawn-by-posted-debits": Forbidden(
        "UPDATE accounts SET debits_posted = credits_posted + 1 WHERE id = ?",
        (WALLET,),
        NO_OVERDRAFT,
    ),
    "wallet-overdrawn-by-pending-debits": Forbidden(
        "UPDATE accounts SET debits_pending = credits_posted - debits_posted + 1 WHERE id = ?",
        (WALLET,),
        NO_OVERDRAFT,
    ),
    "negative-balance-counter": Forbidden(
        "UPDATE accounts SET credits_posted = -1 WHERE id = ?",
        (ISSUER,),
        "accounts_counters_non_negative",
    ),
    "transfer-amended": Forbidden(
        "UPDATE transfers SET amount = amount + 1 WHERE id = ?", (FUNDING,), APPEND_ONLY
    ),
    "transfer-deleted": Forbidden("DELETE FROM transfers WHERE id = ?", (FUNDING,), APPEND_ONLY),
    "account-deleted": Forbidden(
        "DELETE FROM accounts WHERE id = ?", (GEMS,), "accounts are never deleted"
    ),
    "account-unit-changed": Forbidden(
        "UPDATE accounts SET unit = 'DIAMOND' WHERE id = ?",
        (ISSUER,),
        "an account keeps its id and unit",
    ),
    "closed-pending-transfer-reopened": Forbidden(
        "UPDATE pending_transfers SET status = 'pending' WHERE id = ?",
        (RESERVED,),
        "pending_closed_at_when_closed",
    ),
}


@pytest.mark.parametrize("write", FORBIDDEN_WRITES.values(), ids=FORBIDDEN_WRITES.keys())
def test_the_database_refuses_a_write_that_breaks_a_money_rule(
    ledger: LedgerStore, raw: RawDatabase, write: Forbidden
) -> None:
    before = raw.snapshot()

    with pytest.raises(raw.integrity_error, match=write.rule):
        raw.execute(write.statement, write.parameters)

    assert raw.snapshot() == before
    report = reconcile(ledger.iter_accounts(), ledger.iter_transfers(), ledger.pending_statuses())
    assert report.ok, report.problems


def test_the_same_raw_writes_are_accepted_when_they_keep_the_rules(
    ledger: LedgerStore, raw: RawDatabase
) -> None:
    """The cases above fail for the rule they break, not for how they are written."""
    statement, parameters = _transfer(10, WALLET, ISSUER, 5)

    raw.execute(statement, parameters)

    assert [transfer.id for transfer in ledger.lookup_transfers([TransferId(10)])] == [10]


@pytest.mark.xfail(
    strict=True,
    reason="SQLite enforces the same-unit foreign keys only on connections that run"
    " PRAGMA foreign_keys = ON; nothing else stops a careless client mixing units",
)
def test_sqlite_refuses_mixed_units_even_without_the_foreign_keys_pragma(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "ledger.db")
    store = SQLiteStore(path)
    store.create_accounts([Account(ISSUER, COIN, code=1), Account(GEMS, DIAMOND, code=1)], now=NOW)
    store.close()
    connection = sqlite3.connect(path, isolation_level=None)
    statement, parameters = _transfer(10, ISSUER, GEMS, 5)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute(statement, parameters)
    finally:
        connection.close()
