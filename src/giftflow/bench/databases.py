"""Fresh databases for a bench run, removed afterwards: SQLite files in a temporary
folder, or databases ``giftflow_bench_<name>_<run>`` created on a PostgreSQL server
(``<run>`` is new for each run, so two runs at once never share or drop each other's)."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

UrlFor = Callable[[str], str]
"""The URL of a new, empty database of the given name (letters, digits, ``_``)."""


@contextmanager
def fresh_databases(backend: str, postgres_url: str) -> Iterator[UrlFor]:
    """``backend`` is ``sqlite`` or ``postgres`` (on the server of ``postgres_url``)."""
    if backend == "sqlite":
        with _sqlite_databases() as url_for:
            yield url_for
    else:
        with _postgres_databases(postgres_url) as url_for:
            yield url_for


@contextmanager
def _sqlite_databases() -> Iterator[UrlFor]:
    folder = Path(tempfile.mkdtemp(prefix="giftflow-bench-"))
    try:
        yield lambda name: f"sqlite:///{folder / name}.db"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _postgres_databases(admin_url: str) -> Iterator[UrlFor]:
    created: list[str] = []
    run = secrets.token_hex(4)

    def url_for(name: str) -> str:
        database = f"giftflow_bench_{name}_{run}"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        created.append(database)
        return f"{admin_url.rsplit('/', 1)[0]}/{database}"

    try:
        yield url_for
    finally:
        for database in created:
            _drop(admin_url, database)


def _drop(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        connection.execute(statement.format(sql.Identifier(database)))
