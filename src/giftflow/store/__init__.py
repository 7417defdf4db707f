"""Storage: the ledger's tables and two backends (SQLite, PostgreSQL) behind one contract."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from giftflow.errors import ConfigurationError, StoreError
from giftflow.store.base import Balance, LedgerStore, TransferPage


def open_store(url: str) -> LedgerStore:
    """Open (and migrate) the store a URL names: ``sqlite:///PATH``, ``sqlite:///:memory:``
    or ``postgresql://USER@HOST:PORT/DB``."""
    if url.startswith("sqlite:///"):
        from giftflow.store.sqlite import SQLiteStore  # noqa: PLC0415 (load one driver only)

        path = url.removeprefix("sqlite:///")
        with _unavailable(url, sqlite3.Error):
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            return SQLiteStore(path)
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        import psycopg  # noqa: PLC0415 (load one driver only)

        from giftflow.store.postgres import PostgresStore  # noqa: PLC0415 (load one driver only)

        with _unavailable(url, psycopg.Error):
            return PostgresStore(url)
    raise ConfigurationError(
        f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://…"
    )


@contextmanager
def _unavailable(url: str, driver_error: type[Exception]) -> Iterator[None]:
    """A database that cannot be reached, created or migrated is a ``StoreError`` that
    says why, not a driver's traceback (the CLI exits 2 on it, not 1 as if unreconciled)."""
    try:
        yield
    except (OSError, sa.exc.SQLAlchemyError, driver_error) as error:
        cause = getattr(error, "orig", None) or error
        raise StoreError(f"cannot open {url}: {cause}") from error


__all__ = ["Balance", "LedgerStore", "TransferPage", "open_store"]
