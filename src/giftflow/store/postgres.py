"""PostgreSQL: several writer processes share one database safely.

Each batch runs in one transaction that first locks the ledger clock row, then the
accounts it touches (in id order, so writers never deadlock), reads their current
balances, applies the batch and writes it with ``COPY``. The constraints of the schema
are the last line: a transfer id that another process inserted first, or a pending
transfer it closed first, aborts the batch, which is then tried again from fresh state.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import errors

from giftflow.errors import ConfigurationError
from giftflow.ledger.accounts import AccountBalance
from giftflow.ledger.limits import AccountId
from giftflow.ledger.transfers import Transfer
from giftflow.store.base import ACCOUNT_COLUMNS, TRANSFER_COLUMNS
from giftflow.store.migrate import upgrade_engine
from giftflow.store.sql import SqlStore, close_connections

_COPY_TRANSFERS = f"COPY transfers ({TRANSFER_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_TRANSFER_TYPES = ["int8"] * 4 + ["text", "int4", "int4"] + ["int8"] * 6
_UPDATE_BALANCES = (
    "UPDATE accounts AS a SET debits_pending = v.debits_pending,"
    " debits_posted = v.debits_posted, credits_pending = v.credits_pending,"
    " credits_posted = v.credits_posted"
    " FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS debits_pending,"
    " unnest(%s::bigint[]) AS debits_posted, unnest(%s::bigint[]) AS credits_pending,"
    " unnest(%s::bigint[]) AS credits_posted) AS v"
    " WHERE a.id = v.id"
)


def libpq_url(url: str) -> str:
    """``postgresql+psycopg://…`` or ``postgres://…`` as libpq wants it."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    if not url.startswith("postgresql://"):
        raise ConfigurationError(f"not a PostgreSQL URL: {url!r}")
    return url


class PostgresStore(SqlStore):
    """A ledger in a PostgreSQL database, migrated to the latest schema on open."""

    dialect = "postgresql"
    local_reads = False
    retryable = (
        errors.UniqueViolation,
        errors.DeadlockDetected,
        errors.SerializationFailure,
    )

    def __init__(self, url: str) -> None:
        self.url = libpq_url(url)
        engine = sa.create_engine(self.url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            upgrade_engine(engine)
        finally:
            engine.dispose()
        self._writer = psycopg.connect(self.url, autocommit=True)
        self._lock = threading.RLock()
        self._readers = threading.local()
        self._all_readers: list[psycopg.Connection[Any]] = []

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")

    @contextmanager
    def _write(self) -> Iterator[psycopg.Cursor[Any]]:
        with self._lock, self._writer.transaction(), self._writer.cursor() as cursor:
            yield cursor

    @contextmanager
    def _read(self) -> Iterator[psycopg.Cursor[Any]]:
        connection = getattr(self._readers, "connection", None)
        if connection is None or connection.closed:
            connection = psycopg.connect(self.url, autocommit=True)
            self._readers.connection = connection
            with self._lock:
                self._all_readers.append(connection)
        with connection.transaction(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield cursor

    def _ids(self, ids: Sequence[int]) -> tuple[str, Any]:
        return "= ANY(?::bigint[])", list(ids)

    def _last_timestamp(self, cursor: psycopg.Cursor[Any]) -> int:
        cursor.execute("SELECT last_timestamp FROM ledger_state WHERE id = 1 FOR UPDATE")
        row = cursor.fetchone()
        assert row is not None, "ledger_state has its one row from the first migration"
        return int(row[0])

    def _load_accounts(
        self, cursor: psycopg.Cursor[Any], account_ids: set[AccountId]
    ) -> dict[AccountId, AccountBalance]:
        if not account_ids:
            return {}
        cursor.execute(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ANY(%s::bigint[])"
            " ORDER BY id FOR UPDATE",
            (sorted(account_ids),),
        )
        return {
            row[0]: AccountBalance(row[0], row[1], row[4], *row[5:9]) for row in cursor.fetchall()
        }

    def _insert_transfers(self, cursor: psycopg.Cursor[Any], transfers: list[Transfer]) -> None:
        with cursor.copy(_COPY_TRANSFERS) as copy:
            copy.set_types(_TRANSFER_TYPES)
            for transfer in transfers:  # a Transfer is a tuple in column order
                copy.write_row(transfer)

    def _update_balances(self, cursor: psycopg.Cursor[Any], balances: list[AccountBalance]) -> None:
        cursor.execute(
            _UPDATE_BALANCES,
            (
                [balance.id for balance in balances],
                [balance.debits_pending for balance in balances],
                [balance.debits_posted for balance in balances],
                [balance.credits_pending for balance in balances],
                [balance.credits_posted for balance in balances],
            ),
        )

    def close(self) -> None:
        close_connections(self._lock, self._writer, self._all_readers)
