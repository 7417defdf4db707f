"""Project-wide fixtures: a throwaway PostgreSQL database and a fresh store per test;
the local Redis and a key prefix of a test's own on it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from psycopg import sql

from giftflow.store.base import LedgerStore
from giftflow.store.postgres import PostgresStore
from giftflow.store.sqlite import SQLiteStore
from tests.servers import CONNECT_TIMEOUT_S, reachable_redis, skip_or_fail
from tests.tables import LEDGER_TABLES, RESET_LEDGER_CLOCK, empty_tables

POSTGRES_SERVER_URL = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"
StoreFactory = Callable[[], LedgerStore]


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    """Autocommit (CREATE DATABASE refuses to run inside a transaction)."""
    return psycopg.connect(
        f"{POSTGRES_SERVER_URL}/postgres", autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
    )


def _recreate(connection: psycopg.Connection[tuple[object, ...]], name: str) -> None:
    database = sql.Identifier(name)
    connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
    connection.execute(sql.SQL("CREATE DATABASE {}").format(database))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this test run, dropped at the end."""
    name = f"giftflow_test_{os.getpid()}"
    try:
        with _admin_connection() as connection:
            _recreate(connection, name)
    except psycopg.OperationalError as error:
        skip_or_fail("PostgreSQL", str(error).strip())
    yield f"{POSTGRES_SERVER_URL}/{name}"
    with _admin_connection() as connection:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        connection.execute(drop.format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def _migrated_postgres_url(postgres_url: str) -> str:
    """The session database at the latest schema (migrated once, by opening a store)."""
    PostgresStore(postgres_url).close()
    return postgres_url


def _empty_ledger(url: str) -> None:
    """Wiped, not re-migrated: a fresh ledger in milliseconds."""
    empty_tables(url, LEDGER_TABLES, RESET_LEDGER_CLOCK)


def _empty_postgres_store(url: str) -> PostgresStore:
    _empty_ledger(url)
    return PostgresStore(url)


@pytest.fixture
def postgres_store(_migrated_postgres_url: str) -> Iterator[PostgresStore]:
    """A PostgresStore on an empty ledger."""
    store = _empty_postgres_store(_migrated_postgres_url)
    yield store
    store.close()


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens a fresh, empty ledger on each call, on each backend in turn. On PostgreSQL a
    new one empties the database: close the previous one first. All closed at teardown."""
    opened: list[LedgerStore] = []
    url: str | None = None
    if request.param == "postgres":
        url = request.getfixturevalue("_migrated_postgres_url")

    def open_store() -> LedgerStore:
        if url is not None:
            opened.append(_empty_postgres_store(url))
        else:
            name = f"ledger-{len(opened)}.db" if opened else "ledger.db"
            opened.append(SQLiteStore(tmp_path / name))
        return opened[-1]

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def store(new_store: StoreFactory) -> LedgerStore:
    """A fresh, empty ledger on each backend."""
    return new_store()


@pytest.fixture
def empty_postgres_url(_migrated_postgres_url: str) -> str:
    """The session database at the latest schema with an empty ledger, for tests that
    open their own connections (a ``Ledger``, a subprocess, the CLI)."""
    _empty_ledger(_migrated_postgres_url)
    return _migrated_postgres_url


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty ledger on each backend: a SQLite file not yet created, or the
    session PostgreSQL database, emptied."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("empty_postgres_url")
        return url
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def postgres_admin_url(postgres_url: str) -> str:
    """The server's own ``postgres`` database, where tools create their databases
    (skips or fails like ``postgres_url`` when the server is down)."""
    return f"{POSTGRES_SERVER_URL}/postgres"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis (skips, or fails in CI, when it does not answer)."""
    return reachable_redis(REDIS_URL)


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other test or run uses; its keys are deleted afterwards."""
    prefix = f"giftflow-test:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
