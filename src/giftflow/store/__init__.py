"""Storage: the ledger's tables and two backends (SQLite, PostgreSQL) behind one contract."""

from __future__ import annotations

from pathlib import Path

from giftflow.errors import ConfigurationError
from giftflow.store.base import Balance, LedgerStore, TransferPage

DEFAULT_URL = "sqlite:///giftflow.db"


def open_store(url: str) -> LedgerStore:
    """Open (and migrate) the store a URL names: ``sqlite:///PATH``, ``sqlite:///:memory:``
    or ``postgresql://USER@HOST:PORT/DB``."""
    if url.startswith("sqlite:///"):
        from giftflow.store.sqlite import SQLiteStore  # noqa: PLC0415 (load one driver only)

        path = url.removeprefix("sqlite:///")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteStore(path)
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from giftflow.store.postgres import PostgresStore  # noqa: PLC0415 (load one driver only)

        return PostgresStore(url)
    raise ConfigurationError(
        f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://…"
    )


__all__ = ["DEFAULT_URL", "Balance", "LedgerStore", "TransferPage", "open_store"]
