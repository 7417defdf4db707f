"""The ``giftflow`` command line, run as the installed console script in a subprocess.

Exit codes are the contract: 0 all is well, 1 the books do not reconcile, 2 the command
could not do its work (a URL it does not support, a database it cannot open).
"""

from __future__ import annotations

import json
import math
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest

from giftflow.ledger import (
    COIN,
    Account,
    AccountFlags,
    AccountId,
    Transfer,
    TransferFlags,
    TransferId,
)
from giftflow.service import Ledger
from tests.cli.conftest import giftflow, said

ISSUER = AccountId(1)
REVENUE = AccountId(2)
"""No limit flags: raising its credits breaks no CHECK constraint, only the books."""
ALICE = AccountId(10)
BENCH_KEYS = {
    "backend",
    "gifts",
    "engine_gifts_per_s",
    "naive_gifts_per_s",
    "ratio",
    "p50_ms",
    "p99_ms",
    "peak_rss_mb",
    "reconciled",
}


def query(url: str, statement: str) -> list[tuple[Any, ...]]:
    """Raw SQL, bypassing giftflow (to inspect the schema, or to tamper with the books)."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(path)) as connection, connection:
            return connection.execute(statement).fetchall()
    with psycopg.connect(url, autocommit=True) as server:
        cursor = server.execute(statement)
        return cursor.fetchall() if cursor.description else []


def spend(transfer_id: int, amount: int, flags: int = 0, pending_id: int = 0) -> Transfer:
    return Transfer(
        TransferId(transfer_id), ALICE, REVENUE, amount, COIN, 1, flags, TransferId(pending_id)
    )


def fill(url: str) -> None:
    """Books kept through the Ledger: funding, a spend, a posted and a voided reserve."""
    wallet = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
    accounts = [
        Account(ISSUER, COIN, 1),
        Account(REVENUE, COIN, 2),
        Account(ALICE, COIN, 3, flags=wallet),
    ]
    transfers = [
        Transfer(TransferId(1), ISSUER, ALICE, 100, COIN, 1),
        spend(2, 10),
        spend(3, 20, TransferFlags.PENDING),
        spend(4, 5, TransferFlags.PENDING),
        spend(5, 0, TransferFlags.POST_PENDING, pending_id=3),
        spend(6, 0, TransferFlags.VOID_PENDING, pending_id=4),
    ]
    with Ledger.open(url) as ledger:
        assert all(result.ok for result in ledger.create_accounts(accounts))
        results = ledger.create_transfers(transfers)
        assert all(result.ok for result in results), results


# --- db upgrade ----------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_of_a_new_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "ledger.db"

    result = giftflow("db", "upgrade", "--database-url", f"sqlite:///{path}")

    assert result.returncode == 0, said(result)
    assert "up to date" in said(result)
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {name for (name,) in rows}
    assert {"accounts", "transfers", "pending_transfers", "ledger_state"} <= tables


def test_db_upgrade_is_a_no_op_on_a_database_already_up_to_date(database_url: str) -> None:
    first = giftflow("db", "upgrade", "--database-url", database_url)
    second = giftflow("db", "upgrade", "--database-url", database_url)

    assert (first.returncode, second.returncode) == (0, 0), said(first) + said(second)
    assert query(database_url, "SELECT count(*) FROM accounts") == [(0,)]
    assert len(query(database_url, "SELECT version_num FROM alembic_version")) == 1


# --- reconcile -----------------------------------------------------------------------


def test_reconcile_exits_0_on_books_kept_through_the_ledger(database_url: str) -> None:
    fill(database_url)

    result = giftflow("reconcile", "--database-url", database_url)

    assert result.returncode == 0, said(result)
    assert "3 accounts, 6 transfers" in said(result)
    assert "reconciled" in said(result)
    assert "NOT reconciled" not in said(result)


def test_reconcile_exits_1_and_names_the_account_whose_balance_was_tampered_with(
    database_url: str,
) -> None:
    fill(database_url)
    query(
        database_url,
        f"UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = {REVENUE}",
    )

    result = giftflow("reconcile", "--database-url", database_url)

    assert result.returncode == 1, said(result)
    assert "NOT reconciled" in said(result)
    assert f"mismatch account {REVENUE} credits_posted: stored 31, recomputed 30" in said(result)


# --- databases that cannot be used --------------------------------------------------


@pytest.mark.parametrize("command", [["db", "upgrade"], ["reconcile"]], ids=" ".join)
def test_an_unsupported_database_url_exits_2_with_a_clear_message(command: list[str]) -> None:
    result = giftflow(*command, "--database-url", "mysql://localhost/giftflow")

    assert result.returncode == 2, said(result)
    assert "configuration_invalid: unsupported database URL 'mysql://localhost/giftflow'" in (
        said(result)
    )
    assert "Traceback" not in said(result)


@pytest.mark.parametrize("command", [["db", "upgrade"], ["reconcile"]], ids=" ".join)
def test_a_database_that_cannot_be_created_exits_2_not_1(
    command: list[str], tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")

    result = giftflow(*command, "--database-url", f"sqlite:///{not_a_folder / 'ledger.db'}")

    assert result.returncode == 2, said(result)
    assert "store_unavailable: cannot open sqlite:///" in said(result)
    assert "Traceback" not in said(result)


@pytest.mark.postgres
def test_reconcile_on_a_missing_postgres_database_exits_2_not_1(postgres_admin_url: str) -> None:
    server = postgres_admin_url.rsplit("/", 1)[0]

    result = giftflow("reconcile", "--database-url", f"{server}/giftflow_no_such_database")

    assert result.returncode == 2, said(result)
    assert "store_unavailable" in said(result)
    assert 'database "giftflow_no_such_database" does not exist' in said(result)
    assert "Traceback" not in said(result)


# --- bench ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_bench_ledger_json_prints_one_object_of_a_reconciled_run(
    backend: str, request: pytest.FixtureRequest
) -> None:
    options = ["--gifts", "3000", "--naive-gifts", "300", "--clients", "64", "--json"]
    if backend == "postgres":
        server: str = request.getfixturevalue("postgres_admin_url")
        options += ["--backend", "postgres", "--postgres-url", server]

    result = giftflow("bench", "ledger", *options)

    assert result.returncode == 0, said(result)
    assert len(result.stdout.strip().splitlines()) == 1, result.stdout
    figures = json.loads(result.stdout)
    assert figures.keys() >= BENCH_KEYS
    assert (figures["backend"], figures["gifts"], figures["reconciled"]) == (backend, 3000, True)
    rates = (figures["engine_gifts_per_s"], figures["naive_gifts_per_s"])
    assert all(rate > 0 for rate in rates)
    assert math.isclose(figures["ratio"], rates[0] / rates[1], rel_tol=0.01)
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
    assert figures["peak_rss_mb"] > 0
