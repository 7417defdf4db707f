"""The embedding API: ``Ledger.open(url)`` on a SQLite file and on PostgreSQL.

The clock is a ``ManualClock`` that never moves, so the ledger's timestamps are the
clock's reading plus one per account or transfer, and "as of" questions need no sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from giftflow.errors import ConfigurationError, StoreError
from giftflow.ledger import (
    COIN,
    Account,
    AccountFlags,
    AccountId,
    AccountResultCode,
    ManualClock,
    Transfer,
    TransferFlags,
    TransferId,
    TransferResultCode,
)
from giftflow.service import Ledger
from giftflow.service.engine import EngineClosedError

Code = TransferResultCode
NOW = 1_700_000_000 * 1_000_000_000
ISSUER = AccountId(1)
REVENUE = AccountId(2)
ALICE = AccountId(10)
BOB = AccountId(11)
UNKNOWN = AccountId(999)
WALLET = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
BOOKS = [
    Account(ISSUER, COIN, 1),
    Account(REVENUE, COIN, 2),
    Account(ALICE, COIN, 3, owner_id=10, flags=WALLET),
    Account(BOB, COIN, 3, owner_id=11, flags=WALLET),
]


def coins(transfer_id: int, debit: AccountId, credit: AccountId, amount: int) -> Transfer:
    return Transfer(TransferId(transfer_id), debit, credit, amount, COIN, 1)


def close_pending(transfer_id: int, pending_id: int, flags: int, amount: int = 0) -> Transfer:
    """Post or void pending transfer ``pending_id`` (amount 0: all of it)."""
    return coins(transfer_id, ALICE, REVENUE, amount)._replace(
        flags=flags, pending_id=TransferId(pending_id)
    )


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    with Ledger.open(database_url, clock=ManualClock(NOW)) as opened:
        yield opened


@pytest.fixture
def books(ledger: Ledger) -> Ledger:
    """The ledger with its four accounts and 100 coins in Alice's wallet (transfer 1)."""
    assert all(result.ok for result in ledger.create_accounts(BOOKS))
    assert ledger.create_transfers([coins(1, ISSUER, ALICE, 100)])[0].code == Code.OK
    return ledger


def test_accounts_are_created_once_and_read_back(ledger: Ledger) -> None:
    created = ledger.create_accounts(BOOKS)
    again = ledger.create_accounts(BOOKS)
    changed = ledger.create_accounts([Account(ALICE, COIN, 4, owner_id=10, flags=WALLET)])

    assert [result.code for result in created] == [AccountResultCode.OK] * len(BOOKS)
    assert [result.code for result in again] == [AccountResultCode.EXISTS] * len(BOOKS)
    assert (changed[0].code, changed[0].detail) == (
        AccountResultCode.EXISTS_WITH_DIFFERENT_FIELDS,
        "code",
    )
    alice = ledger.account(ALICE)
    assert alice is not None
    assert (alice.unit, alice.code, alice.owner_id, alice.flags) == (COIN, 3, 10, WALLET)
    assert alice.timestamp > NOW
    assert ledger.account(UNKNOWN) is None
    assert [account.id for account in ledger.accounts([BOB, UNKNOWN, ALICE])] == [BOB, ALICE]


def test_transfers_move_balances_and_are_read_back_as_stored(books: Ledger) -> None:
    results = books.create_transfers([coins(2, ALICE, REVENUE, 30), coins(3, BOB, REVENUE, 1)])

    assert [result.code for result in results] == [Code.OK, Code.INSUFFICIENT_FUNDS]
    alice, revenue = books.accounts([ALICE, REVENUE])
    assert (alice.balance_posted, alice.balance_available) == (70, 70)
    assert revenue.credits_posted == 30
    stored = books.transfer(TransferId(2))
    assert stored is not None
    assert stored._replace(timestamp=0) == coins(2, ALICE, REVENUE, 30)
    assert stored.timestamp == results[0].timestamp
    assert books.transfer(TransferId(3)) is None


def test_account_transfers_come_newest_first_in_pages_until_the_cursor_runs_out(
    books: Ledger,
) -> None:
    results = books.create_transfers([coins(10 + n, ALICE, REVENUE, 1) for n in range(6)])
    assert all(result.ok for result in results)

    pages = [books.account_transfers(ALICE, limit=3)]
    while (cursor := pages[-1].next_cursor) is not None:
        pages.append(books.account_transfers(ALICE, limit=3, cursor=cursor))

    assert [len(page.transfers) for page in pages] == [3, 3, 1]
    seen = [transfer.id for page in pages for transfer in page.transfers]
    assert seen == [15, 14, 13, 12, 11, 10, 1]
    revenue = books.account_transfers(REVENUE, limit=50)
    assert [transfer.id for transfer in revenue.transfers] == [15, 14, 13, 12, 11, 10]
    assert revenue.next_cursor is None


def test_balance_as_of_gives_the_counters_as_they_stood_at_a_past_timestamp(
    books: Ledger,
) -> None:
    funded = books.transfer(TransferId(1))
    assert funded is not None
    (spent,) = books.create_transfers([coins(2, ALICE, REVENUE, 30)])
    reserve = coins(3, ALICE, REVENUE, 20)._replace(flags=TransferFlags.PENDING)
    (reserved,) = books.create_transfers([reserve])
    (posted,) = books.create_transfers([close_pending(4, 3, TransferFlags.POST_PENDING)])

    def posted_and_pending(timestamp: int) -> tuple[int, int]:
        balance = books.balance_as_of(ALICE, timestamp)
        assert balance is not None
        return balance.posted, balance.debits_pending

    assert posted_and_pending(funded.timestamp - 1) == (0, 0)
    assert posted_and_pending(funded.timestamp) == (100, 0)
    assert posted_and_pending(spent.timestamp) == (70, 0)
    assert posted_and_pending(reserved.timestamp) == (70, 20)
    assert posted_and_pending(posted.timestamp) == (50, 0)
    assert books.balance_as_of(UNKNOWN, posted.timestamp) is None


def test_a_frozen_account_refuses_transfers_until_it_is_unfrozen(books: Ledger) -> None:
    assert books.set_frozen(ALICE, frozen=True).ok
    (refused,) = books.create_transfers([coins(2, ALICE, REVENUE, 10)])
    frozen = books.account(ALICE)

    assert books.set_frozen(ALICE, frozen=False).ok
    (accepted,) = books.create_transfers([coins(2, ALICE, REVENUE, 10)])

    assert (refused.code, refused.detail) == (Code.ACCOUNT_FROZEN, "debit_account_id")
    assert frozen is not None
    assert frozen.frozen
    assert accepted.code == Code.OK
    assert books.set_frozen(UNKNOWN, frozen=True).code == AccountResultCode.ACCOUNT_NOT_FOUND


def test_reconcile_proves_the_books_after_spends_reserves_posts_and_voids(books: Ledger) -> None:
    pending = TransferFlags.PENDING
    results = books.create_transfers(
        [
            coins(2, ALICE, REVENUE, 10),
            coins(3, ALICE, REVENUE, 20)._replace(flags=pending),
            coins(4, ALICE, REVENUE, 5)._replace(flags=pending),
            close_pending(5, 3, TransferFlags.POST_PENDING, amount=15),
            close_pending(6, 4, TransferFlags.VOID_PENDING),
        ]
    )
    assert all(result.code == Code.OK for result in results)

    report = books.reconcile()

    assert report.ok, (report.mismatches, report.problems)
    assert (report.accounts, report.transfers) == (len(BOOKS), 6)
    alice = books.account(ALICE)
    assert alice is not None
    assert (alice.balance_posted, alice.debits_pending) == (75, 0)


def test_async_twins_create_accounts_and_transfers(ledger: Ledger) -> None:
    async def open_and_fund() -> list[Code]:
        assert all(result.ok for result in await ledger.create_accounts_async(BOOKS))
        results = await ledger.create_transfers_async(
            [coins(1, ISSUER, BOB, 40), coins(2, BOB, REVENUE, 41)]
        )
        return [result.code for result in results]

    assert asyncio.run(open_and_fund()) == [Code.OK, Code.INSUFFICIENT_FUNDS]
    bob = ledger.account(BOB)
    assert bob is not None
    assert bob.balance_posted == 40


def test_a_reopened_ledger_keeps_what_was_written_and_a_closed_one_refuses_writes(
    database_url: str,
) -> None:
    ledger = Ledger.open(database_url)
    assert all(result.ok for result in ledger.create_accounts(BOOKS))
    assert ledger.create_transfers([coins(1, ISSUER, ALICE, 7)])[0].ok
    ledger.close()

    with pytest.raises(EngineClosedError):
        ledger.create_transfers([coins(2, ISSUER, ALICE, 7)])
    with Ledger.open(database_url) as reopened:
        alice = reopened.account(ALICE)
        assert alice is not None
        assert alice.balance_posted == 7


def test_opening_an_unsupported_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Ledger.open("mysql://localhost/giftflow")

    assert refused.value.code == "configuration_invalid"


def test_opening_a_database_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")

    with pytest.raises(StoreError) as refused:
        Ledger.open(f"sqlite:///{not_a_folder / 'ledger.db'}")

    assert refused.value.code == "store_unavailable"
