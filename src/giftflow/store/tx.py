"""A transaction handle for domain SQL that runs on both backends.

Domain code writes SQL once, with ``?`` placeholders and the SQL that SQLite and
PostgreSQL share (``ON CONFLICT``, ``RETURNING``); ``Tx`` adapts the placeholders to the
driver. A ``Tx`` is only valid inside the store call that handed it out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from giftflow.errors import GiftflowError
from giftflow.ledger.results import TransferResult

Row = tuple[Any, ...]
NamedRow = dict[str, Any]
"""A row read by column name (``Tx.named``): what store modules build typed values
from."""


class Tx:
    def __init__(self, cursor: Any, convert: Callable[[str], str], dialect: str) -> None:
        self._cursor = cursor
        self._convert = convert
        self.dialect = dialect
        """``"sqlite"`` or ``"postgresql"``, for the rare statement that must differ."""
        self.memo: dict[str, Any] = {}
        """What one transaction computes once for all its records (the webhook
        subscriptions it saw, the outbox rows it gathered)."""
        self._before_commit: dict[str, Callable[[Tx], object]] = {}

    def before_commit(self, key: str, call: Callable[[Tx], object]) -> None:
        """Run ``call(tx)`` once, after every record of the transaction and before its
        commit (the store does, ``settle``): a write gathered from many records (the
        outbox's rows) goes in one statement. A second call with the same key keeps the
        first."""
        self._before_commit.setdefault(key, call)

    def settle(self) -> None:
        """Run what ``before_commit`` asked for; the store calls it before committing."""
        for call in self._before_commit.values():
            call(self)
        self._before_commit.clear()

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Tx:
        self._cursor.execute(self._convert(sql), tuple(parameters))
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Tx:
        self._cursor.executemany(self._convert(sql), [tuple(row) for row in rows])
        return self

    def fetchone(self) -> Row | None:
        row = self._cursor.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[Row]:
        return [tuple(row) for row in self._cursor.fetchall()]

    def any_of(self, values: Sequence[int | str]) -> tuple[str, Any]:
        """A membership test for ``column <clause>`` and its one parameter: one
        statement for a list of keys, on either backend."""
        if len(values) == 1:
            return "= ?", values[0]  # the common case, and the cheapest plan on both
        if self.dialect == "postgresql":
            kind = "bigint" if values and isinstance(values[0], int) else "text"
            return f"= ANY(?::{kind}[])", list(values)
        return "IN (SELECT value FROM json_each(?))", json.dumps(list(values))

    def named(self, sql: str, parameters: Sequence[Any] = ()) -> NamedRow | None:
        """The first row of ``sql``, read by column name (``row["title"]``), or
        ``None``. Store modules turn it into their typed value by name, never by
        position."""
        self.execute(sql, parameters)
        row = self._cursor.fetchone()
        return None if row is None else dict(zip(self._names(), row, strict=True))

    def named_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[NamedRow]:
        """Every row of ``sql``, each read by column name."""
        self.execute(sql, parameters)
        names = self._names()  # once for the statement, not per row
        return [dict(zip(names, row, strict=True)) for row in self._cursor.fetchall()]

    def _names(self) -> list[str]:
        return [column[0] for column in self._cursor.description]

    def scalar(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        row = self.execute(sql, parameters).fetchone()
        return None if row is None else row[0]

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


class RecordRejectedError(GiftflowError):
    """Raised by a ``Record`` whose domain rows conflict with what another writer did
    (a streak count that moved, a gift matured twice …). The engine takes that request
    out of the batch, answers it with this error and applies the rest."""

    code = "conflict"


Record = Callable[[Tx, list[TransferResult]], Any]
"""Domain writes that belong to a request's transfers: called inside the same database
transaction, after the batch was applied, with that request's results. Whatever it
writes commits with the transfers or not at all; what it returns reaches the caller
(``giftflow.service.engine.Done.value``)."""
