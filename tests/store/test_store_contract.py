"""The storage contract: SQLite and PostgreSQL behave alike, and like the ledger rules.

Every test runs on both backends (the ``store`` fixture). Time is passed in explicitly
(``now=`` in nanoseconds), so expiry is tested by submitting later, never by sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from giftflow.ledger import (
    COIN,
    DIAMOND,
    INT64_MAX,
    Account,
    AccountFlags,
    AccountId,
    AccountResultCode,
    PendingStatus,
    Transfer,
    TransferFlags,
    TransferId,
    UnitCode,
    reconcile,
)
from giftflow.store.base import LedgerStore
from giftflow.store.postgres import PostgresStore
from giftflow.store.sqlite import SQLiteStore
from giftflow.store.tx import Tx
from tests.ledger import builders
from tests.ledger.builders import LINKED, PENDING, POST, VOID, WALLET, Code, closing, codes

NOW = 1_700_000_000 * 1_000_000_000
SECOND_NS = 1_000_000_000
STARTING_COINS = 1_000

ISSUER = AccountId(1)
"""Where coins come from: no limit flag, so it may go negative."""
ALICE = AccountId(2)
BOB = AccountId(3)
GEMS = AccountId(4)
"""A diamond wallet: any coin transfer to or from it mixes units."""
FROZEN = AccountId(5)
UNKNOWN = AccountId(999)

FUNDING_ALICE = TransferId(1)
FUNDING_FROZEN = TransferId(2)

Counters = tuple[int, int, int, int]
"""debits_pending, debits_posted, credits_pending, credits_posted"""


def coins(
    transfer_id: int,
    debit: AccountId,
    credit: AccountId,
    amount: int,
    *,
    flags: int = TransferFlags.NONE,
    timeout_s: int = 0,
) -> Transfer:
    return Transfer(
        id=TransferId(transfer_id),
        debit_account_id=debit,
        credit_account_id=credit,
        amount=amount,
        unit=COIN,
        code=1,
        flags=flags,
        timeout_s=timeout_s,
    )


def account(account_id: AccountId, unit: UnitCode = COIN, flags: int = WALLET) -> Account:
    """The shared builder's account, a wallet unless ``flags`` says otherwise."""
    return builders.account(account_id, unit, flags)


def counters(store: LedgerStore, account_id: AccountId) -> Counters:
    (found,) = store.lookup_accounts([account_id])
    return (found.debits_pending, found.debits_posted, found.credits_pending, found.credits_posted)


def transfer_ids(store: LedgerStore) -> set[int]:
    return {transfer.id for transfer in store.iter_transfers()}


def assert_reconciled(store: LedgerStore) -> None:
    report = reconcile(store.iter_accounts(), store.iter_transfers(), store.pending_statuses())
    assert report.ok, (report.mismatches, report.problems, report.units)
    assert store.reconcile() == report, "the store's own snapshot reconciles alike"


def reopen(store: LedgerStore) -> LedgerStore:
    """Close the store and open the same database again, as a restarted process would."""
    store.close()
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)
    assert isinstance(store, PostgresStore)
    return PostgresStore(store.url)


@pytest.fixture
def ledger(store: LedgerStore) -> LedgerStore:
    """Alice holds 1000 coins, Bob none; a diamond wallet; a funded wallet that is frozen."""
    accounts = [
        account(ISSUER, flags=AccountFlags.NONE),
        account(ALICE),
        account(BOB),
        account(GEMS, unit=DIAMOND),
        account(FROZEN),
    ]
    assert all(result.ok for result in store.create_accounts(accounts, now=NOW))
    funding = [
        coins(FUNDING_ALICE, ISSUER, ALICE, STARTING_COINS),
        coins(FUNDING_FROZEN, ISSUER, FROZEN, STARTING_COINS),
    ]
    assert codes(store.create_transfers(funding, now=NOW)) == [Code.OK, Code.OK]
    assert store.set_frozen(FROZEN, frozen=True).code is AccountResultCode.OK
    return store


# --- accounts ----------------------------------------------------------------------


def test_create_accounts_returns_one_result_per_account_in_order(store: LedgerStore) -> None:
    requests = [
        account(ALICE),
        account(AccountId(0)),
        account(BOB, unit=UnitCode("coins")),
        replace(account(GEMS), code=0),
        account(FROZEN, flags=WALLET | AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS),
        account(AccountId(INT64_MAX + 1)),
        account(ALICE),
    ]

    results = store.create_accounts(requests, now=NOW)

    assert [result.code for result in results] == [
        AccountResultCode.OK,
        AccountResultCode.ID_INVALID,
        AccountResultCode.UNIT_INVALID,
        AccountResultCode.CODE_INVALID,
        AccountResultCode.FLAGS_INVALID,
        AccountResultCode.ID_INVALID,
        AccountResultCode.EXISTS,
    ]
    assert [found.id for found in store.iter_accounts()] == [ALICE]


def test_creating_an_existing_account_again_reports_exists_or_the_field_that_differs(
    store: LedgerStore,
) -> None:
    store.create_accounts([account(ALICE)], now=NOW)

    again = store.create_accounts(
        [account(ALICE), account(ALICE, unit=DIAMOND), replace(account(ALICE), code=2)],
        now=NOW,
    )

    assert [(result.code, result.detail) for result in again] == [
        (AccountResultCode.EXISTS, None),
        (AccountResultCode.EXISTS_WITH_DIFFERENT_FIELDS, "unit"),
        (AccountResultCode.EXISTS_WITH_DIFFERENT_FIELDS, "code"),
    ]
    (stored,) = store.lookup_accounts([ALICE])
    assert stored.unit == COIN
    assert stored.code == 1


def test_new_accounts_start_empty_with_timestamps_after_now(store: LedgerStore) -> None:
    store.create_accounts([account(ALICE), account(BOB)], now=NOW)

    alice, bob = store.lookup_accounts([ALICE, BOB])

    assert (alice.balance_posted, alice.balance_pending, bob.balance_posted) == (0, 0, 0)
    assert NOW < alice.timestamp < bob.timestamp


def test_lookup_accounts_keeps_the_requested_order_and_skips_unknown_ids(
    ledger: LedgerStore,
) -> None:
    found = ledger.lookup_accounts([BOB, UNKNOWN, ALICE, ISSUER])

    assert [each.id for each in found] == [BOB, ALICE, ISSUER]


# --- transfers ---------------------------------------------------------------------


def test_transfer_moves_posted_balances_and_reports_its_timestamp(ledger: LedgerStore) -> None:
    (result,) = ledger.create_transfers([coins(10, ALICE, BOB, 250)], now=NOW)

    assert result.code is Code.OK
    (stored,) = ledger.lookup_transfers([TransferId(10)])
    assert stored.timestamp == result.timestamp > NOW
    assert counters(ledger, ALICE) == (0, 250, 0, STARTING_COINS)
    assert counters(ledger, BOB) == (0, 0, 0, 250)
    assert_reconciled(ledger)


def test_resubmitting_an_identical_transfer_returns_exists_and_moves_nothing(
    ledger: LedgerStore,
) -> None:
    (first,) = ledger.create_transfers([coins(10, ALICE, BOB, 250)], now=NOW)

    (again,) = ledger.create_transfers([coins(10, ALICE, BOB, 250)], now=NOW + SECOND_NS)

    assert again.code is Code.EXISTS
    assert again.timestamp == first.timestamp
    assert counters(ledger, BOB) == (0, 0, 0, 250)


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        (coins(10, ALICE, BOB, 251), "amount"),
        (coins(10, ALICE, ISSUER, 250), "credit_account_id"),
        (coins(10, ALICE, BOB, 250)._replace(user_data_1=7), "user_data_1"),
        (coins(10, ALICE, BOB, 250, flags=PENDING), "flags"),
    ],
)
def test_reusing_a_transfer_id_with_other_fields_names_the_first_field_that_differs(
    ledger: LedgerStore, changed: Transfer, field: str
) -> None:
    ledger.create_transfers([coins(10, ALICE, BOB, 250)], now=NOW)

    (result,) = ledger.create_transfers([changed], now=NOW)

    assert (result.code, result.detail) == (Code.EXISTS_WITH_DIFFERENT_FIELDS, field)
    (stored,) = ledger.lookup_transfers([TransferId(10)])
    assert stored._replace(timestamp=0) == coins(10, ALICE, BOB, 250)
    assert counters(ledger, BOB) == (0, 0, 0, 250)


def test_timestamps_keep_increasing_even_when_the_clock_goes_back(ledger: LedgerStore) -> None:
    (later,) = ledger.create_transfers([coins(10, ALICE, BOB, 1)], now=NOW + 60 * SECOND_NS)

    (earlier,) = ledger.create_transfers([coins(11, ALICE, BOB, 1)], now=NOW)

    assert earlier.timestamp > later.timestamp > NOW + 60 * SECOND_NS


# --- linked chains -----------------------------------------------------------------


def test_a_linked_chain_applies_every_transfer_together(ledger: LedgerStore) -> None:
    chain = [
        coins(10, ALICE, BOB, 100, flags=LINKED),
        coins(11, BOB, ISSUER, 60, flags=LINKED),
        coins(12, BOB, ALICE, 40),
    ]

    results = ledger.create_transfers(chain, now=NOW)

    assert codes(results) == [Code.OK, Code.OK, Code.OK]
    assert counters(ledger, BOB) == (0, 100, 0, 100)
    assert_reconciled(ledger)


def test_a_linked_chain_fails_as_a_whole_and_other_chains_still_apply(
    ledger: LedgerStore,
) -> None:
    batch = [
        coins(10, ALICE, BOB, 100, flags=LINKED),
        coins(11, BOB, ISSUER, 101, flags=LINKED),
        coins(12, BOB, ALICE, 1),
        coins(13, ALICE, BOB, 5),
    ]

    results = ledger.create_transfers(batch, now=NOW)

    assert [(result.code, result.detail) for result in results] == [
        (Code.LINKED_EVENT_FAILED, None),
        (Code.INSUFFICIENT_FUNDS, "debit_account_id"),
        (Code.LINKED_EVENT_FAILED, None),
        (Code.OK, None),
    ]
    assert transfer_ids(ledger) == {FUNDING_ALICE, FUNDING_FROZEN, 13}
    assert counters(ledger, BOB) == (0, 0, 0, 5)
    assert_reconciled(ledger)


def test_a_chain_failing_at_its_last_transfer_restores_every_balance_it_touched(
    ledger: LedgerStore,
) -> None:
    accounts_before = list(ledger.iter_accounts())
    chain = [
        coins(10, ALICE, BOB, 100, flags=LINKED),
        coins(11, BOB, ISSUER, 60, flags=LINKED | PENDING),
        coins(12, BOB, ALICE, 41),
    ]

    results = ledger.create_transfers(chain, now=NOW)

    assert codes(results) == [
        Code.LINKED_EVENT_FAILED,
        Code.LINKED_EVENT_FAILED,
        Code.INSUFFICIENT_FUNDS,
    ]
    assert list(ledger.iter_accounts()) == accounts_before
    assert ledger.pending_statuses() == {}
    assert_reconciled(ledger)


def test_a_failed_chain_that_posted_a_pending_transfer_leaves_it_open(
    ledger: LedgerStore,
) -> None:
    batch = [
        coins(10, ALICE, BOB, 100, flags=PENDING),
        closing(11, 10, POST | LINKED),
        coins(12, BOB, UNKNOWN, 1),
    ]

    results = ledger.create_transfers(batch, now=NOW)

    assert codes(results) == [Code.OK, Code.LINKED_EVENT_FAILED, Code.ACCOUNT_NOT_FOUND]
    assert ledger.pending_statuses() == {10: PendingStatus.PENDING}
    assert counters(ledger, BOB) == (0, 0, 100, 0)
    (posted,) = ledger.create_transfers([closing(13, 10, POST)], now=NOW)
    assert posted.code is Code.OK
    assert_reconciled(ledger)


def test_a_chain_left_open_at_the_end_of_a_batch_is_refused(ledger: LedgerStore) -> None:
    batch = [coins(10, ALICE, BOB, 1, flags=LINKED), coins(11, ALICE, BOB, 2, flags=LINKED)]

    results = ledger.create_transfers(batch, now=NOW)

    assert codes(results) == [Code.LINKED_EVENT_FAILED, Code.LINKED_EVENT_CHAIN_OPEN]
    assert counters(ledger, BOB) == (0, 0, 0, 0)


# --- pending transfers -------------------------------------------------------------


def test_a_pending_transfer_reserves_funds_without_posting_them(ledger: LedgerStore) -> None:
    (reserved,) = ledger.create_transfers([coins(10, ALICE, BOB, 700, flags=PENDING)], now=NOW)

    (over,) = ledger.create_transfers([coins(11, ALICE, BOB, 301)], now=NOW)

    assert (reserved.code, over.code) == (Code.OK, Code.INSUFFICIENT_FUNDS)
    assert counters(ledger, ALICE) == (700, 0, 0, STARTING_COINS)
    assert counters(ledger, BOB) == (0, 0, 700, 0)
    (alice,) = ledger.lookup_accounts([ALICE])
    assert alice.balance_available == 300
    assert ledger.pending_statuses() == {10: PendingStatus.PENDING}
    assert_reconciled(ledger)


def test_posting_a_pending_transfer_in_full_moves_the_reserved_amount(
    ledger: LedgerStore,
) -> None:
    ledger.create_transfers([coins(10, ALICE, BOB, 700, flags=PENDING)], now=NOW)

    (posted,) = ledger.create_transfers([closing(11, 10, POST)], now=NOW)

    assert posted.code is Code.OK
    (stored,) = ledger.lookup_transfers([TransferId(11)])
    assert (stored.debit_account_id, stored.credit_account_id, stored.amount) == (ALICE, BOB, 700)
    assert counters(ledger, ALICE) == (0, 700, 0, STARTING_COINS)
    assert counters(ledger, BOB) == (0, 0, 0, 700)
    assert ledger.pending_statuses() == {10: PendingStatus.POSTED}
    assert_reconciled(ledger)


def test_posting_part_of_a_pending_transfer_releases_the_rest(ledger: LedgerStore) -> None:
    ledger.create_transfers([coins(10, ALICE, BOB, 700, flags=PENDING)], now=NOW)

    (posted,) = ledger.create_transfers([closing(11, 10, POST, amount=250)], now=NOW)

    assert posted.code is Code.OK
    assert counters(ledger, ALICE) == (0, 250, 0, STARTING_COINS)
    assert counters(ledger, BOB) == (0, 0, 0, 250)
    assert_reconciled(ledger)


def test_posting_more_than_was_reserved_is_refused(ledger: LedgerStore) -> None:
    ledger.create_transfers([coins(10, ALICE, BOB, 700, flags=PENDING)], now=NOW)

    (posted,) = ledger.create_transfers([closing(11, 10, POST, amount=701)], now=NOW)

    assert posted.code is Code.EXCEEDS_PENDING_AMOUNT
    assert ledger.pending_statuses() == {10: PendingStatus.PENDING}
    assert counters(ledger, ALICE) == (700, 0, 0, STARTING_COINS)


def test_voiding_a_pending_transfer_releases_it_entirely(ledger: LedgerStore) -> None:
    ledger.create_transfers([coins(10, ALICE, BOB, 700, flags=PENDING)], now=NOW)

    (voided,) = ledger.create_transfers([closing(11, 10, VOID)], now=NOW)

    assert voided.code is Code.OK
    assert counters(ledger, ALICE) == (0, 0, 0, STARTING_COINS)
    assert counters(ledger, BOB) == (0, 0, 0, 0)
    assert ledger.pending_statuses() == {10: PendingStatus.VOIDED}
    assert_reconciled(ledger)


def test_a_pending_transfer_is_closed_only_once(ledger: LedgerStore) -> None:
    ledger.create_transfers([coins(10, ALICE, BOB, 700, flags=PENDING)], now=NOW)
    ledger.create_transfers([closing(11, 10, POST)], now=NOW)

    (again,) = ledger.create_transfers([closing(12, 10, VOID)], now=NOW)

    assert (again.code, again.detail) == (Code.PENDING_ALREADY_CLOSED, PendingStatus.POSTED)
    assert counters(ledger, BOB) == (0, 0, 0, 700)


def test_a_pending_transfer_expires_once_its_timeout_has_passed(ledger: LedgerStore) -> None:
    (reserved,) = ledger.create_transfers(
        [coins(10, ALICE, BOB, 700, flags=PENDING, timeout_s=60)], now=NOW
    )
    ledger.create_transfers([coins(11, ALICE, BOB, 1)], now=NOW + 59 * SECOND_NS)
    assert ledger.pending_statuses()[TransferId(10)] == PendingStatus.PENDING

    (unrelated,) = ledger.create_transfers([coins(12, ALICE, BOB, 2)], now=NOW + 61 * SECOND_NS)

    assert unrelated.code is Code.OK
    assert ledger.pending_statuses()[TransferId(10)] == PendingStatus.EXPIRED
    assert counters(ledger, ALICE) == (0, 3, 0, STARTING_COINS)
    assert counters(ledger, BOB) == (0, 0, 0, 3)
    during = ledger.balance_as_of(ALICE, reserved.timestamp)
    assert during is not None
    assert during.debits_pending == 700
    after = ledger.balance_as_of(ALICE, unrelated.timestamp)
    assert after is not None
    assert after.debits_pending == 0
    (late_post,) = ledger.create_transfers([closing(13, 10, POST)], now=NOW + 62 * SECOND_NS)
    assert (late_post.code, late_post.detail) == (Code.PENDING_ALREADY_CLOSED, "expired")
    assert_reconciled(ledger)


def test_a_pending_transfer_expires_exactly_when_its_timeout_has_passed(
    ledger: LedgerStore,
) -> None:
    first, second = ledger.create_transfers(
        [
            coins(10, ALICE, BOB, 300, flags=PENDING, timeout_s=60),
            coins(11, ALICE, BOB, 400, flags=PENDING, timeout_s=60),
        ],
        now=NOW,
    )

    (in_time,) = ledger.create_transfers(
        [closing(12, 10, POST)], now=first.timestamp + 60 * SECOND_NS - 1
    )
    (too_late,) = ledger.create_transfers(
        [closing(13, 11, POST)], now=second.timestamp + 60 * SECOND_NS
    )

    assert in_time.code is Code.OK
    assert (too_late.code, too_late.detail) == (Code.PENDING_ALREADY_CLOSED, "expired")
    assert counters(ledger, BOB) == (0, 0, 0, 300)
    assert ledger.pending_statuses() == {10: PendingStatus.POSTED, 11: PendingStatus.EXPIRED}
    assert_reconciled(ledger)


# --- bad input ---------------------------------------------------------------------


@dataclass(frozen=True)
class BadTransfer:
    transfer: Transfer
    code: Code
    detail: str | None = None


BAD_TRANSFERS = {
    "unknown-debit-account": BadTransfer(
        coins(20, UNKNOWN, BOB, 5), Code.ACCOUNT_NOT_FOUND, "debit_account_id"
    ),
    "unknown-credit-account": BadTransfer(
        coins(20, ALICE, UNKNOWN, 5), Code.ACCOUNT_NOT_FOUND, "credit_account_id"
    ),
    "account-id-beyond-64-bits": BadTransfer(
        coins(20, ALICE, AccountId(INT64_MAX + 1), 5), Code.ACCOUNT_NOT_FOUND, "credit_account_id"
    ),
    "unit-mismatch": BadTransfer(
        coins(20, ALICE, GEMS, 5), Code.UNIT_MISMATCH, "credit_account_id"
    ),
    "amount-zero": BadTransfer(coins(20, ALICE, BOB, 0), Code.AMOUNT_INVALID),
    "amount-negative": BadTransfer(coins(20, ALICE, BOB, -5), Code.AMOUNT_INVALID),
    "amount-beyond-64-bits": BadTransfer(coins(20, ALICE, BOB, INT64_MAX + 1), Code.AMOUNT_INVALID),
    "id-beyond-64-bits": BadTransfer(coins(INT64_MAX + 1, ALICE, BOB, 5), Code.ID_INVALID),
    "reused-id-with-other-fields": BadTransfer(
        coins(FUNDING_ALICE, ISSUER, ALICE, 5), Code.EXISTS_WITH_DIFFERENT_FIELDS, "amount"
    ),
    "frozen-debit-account": BadTransfer(
        coins(20, FROZEN, BOB, 5), Code.ACCOUNT_FROZEN, "debit_account_id"
    ),
    "frozen-credit-account": BadTransfer(
        coins(20, ALICE, FROZEN, 5), Code.ACCOUNT_FROZEN, "credit_account_id"
    ),
    "overdrawn-wallet": BadTransfer(
        coins(20, BOB, ALICE, 100), Code.INSUFFICIENT_FUNDS, "debit_account_id"
    ),
}


@pytest.mark.parametrize("linked", [False, True], ids=["alone", "in-a-chain"])
@pytest.mark.parametrize("bad", BAD_TRANSFERS.values(), ids=BAD_TRANSFERS.keys())
def test_a_bad_transfer_is_refused_with_its_code_and_the_rest_of_the_batch_applies(
    ledger: LedgerStore, bad: BadTransfer, linked: bool
) -> None:
    partner = [coins(31, ALICE, BOB, 7, flags=LINKED)] if linked else []
    batch = [coins(30, ALICE, BOB, 10), *partner, bad.transfer, coins(32, ALICE, BOB, 20)]
    accounts_before = list(ledger.iter_accounts())
    transfers_before = list(ledger.iter_transfers())

    results = ledger.create_transfers(batch, now=NOW)

    failed = [(Code.LINKED_EVENT_FAILED, None)] if linked else []
    assert [(result.code, result.detail) for result in results] == [
        (Code.OK, None),
        *failed,
        (bad.code, bad.detail),
        (Code.OK, None),
    ]
    assert ledger.lookup_transfers([each.id for each in transfers_before]) == transfers_before
    assert transfer_ids(ledger) == {transfer.id for transfer in transfers_before} | {30, 32}
    moved = {ALICE: (0, 30, 0, 0), BOB: (0, 0, 0, 30)}
    for before in accounts_before:
        change = moved.get(before.id, (0, 0, 0, 0))
        expected = (
            before.debits_pending + change[0],
            before.debits_posted + change[1],
            before.credits_pending + change[2],
            before.credits_posted + change[3],
        )
        assert counters(ledger, before.id) == expected
    assert_reconciled(ledger)


def test_an_unfrozen_account_accepts_transfers_again(ledger: LedgerStore) -> None:
    assert ledger.set_frozen(FROZEN, frozen=False).code is AccountResultCode.OK

    (result,) = ledger.create_transfers([coins(10, FROZEN, BOB, 5)], now=NOW)

    assert result.code is Code.OK
    (frozen,) = ledger.lookup_accounts([FROZEN])
    assert not frozen.frozen


def test_freezing_an_unknown_account_reports_it_not_found(store: LedgerStore) -> None:
    result = store.set_frozen(UNKNOWN, frozen=True)

    assert result.code is AccountResultCode.ACCOUNT_NOT_FOUND


# --- queries -----------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 3, 6, 50])
def test_account_transfers_pages_newest_first_on_both_sides_with_a_cursor(
    ledger: LedgerStore, limit: int
) -> None:
    batch = [
        coins(10, ALICE, BOB, 10),
        coins(11, BOB, ISSUER, 1),
        coins(12, BOB, ALICE, 2),
        coins(13, ALICE, ISSUER, 3),
        coins(14, ISSUER, BOB, 4),
        coins(15, ISSUER, ALICE, 5),
    ]
    ledger.create_transfers(batch, now=NOW)
    expected = [15, 13, 12, 10, FUNDING_ALICE]

    pages = []
    cursor: int | None = None
    while True:
        page = ledger.account_transfers(ALICE, limit=limit, cursor=cursor)
        pages.append([transfer.id for transfer in page.transfers])
        cursor = page.next_cursor
        if cursor is None:
            break
        assert len(pages) <= len(expected), "the cursor must move on"

    assert [transfer_id for page_ids in pages for transfer_id in page_ids] == expected
    assert all(0 < len(page_ids) <= limit for page_ids in pages)


def test_account_transfers_of_an_account_without_transfers_is_one_empty_page(
    ledger: LedgerStore,
) -> None:
    page = ledger.account_transfers(GEMS)

    assert (page.transfers, page.next_cursor) == ([], None)


def test_balance_as_of_replays_the_counters_at_past_timestamps(ledger: LedgerStore) -> None:
    (alice,) = ledger.lookup_accounts([ALICE])
    (funding,) = ledger.lookup_transfers([FUNDING_ALICE])
    (reserved,) = ledger.create_transfers([coins(10, ALICE, BOB, 100, flags=PENDING)], now=NOW)
    (paid,) = ledger.create_transfers([coins(11, ALICE, BOB, 50)], now=NOW)
    (posted,) = ledger.create_transfers([closing(12, 10, POST, amount=60)], now=NOW)
    (refund,) = ledger.create_transfers([coins(13, BOB, ALICE, 5)], now=NOW)
    moments = {
        alice.timestamp: (0, 0, 0, 0),
        funding.timestamp - 1: (0, 0, 0, 0),
        funding.timestamp: (0, 0, 0, STARTING_COINS),
        reserved.timestamp - 1: (0, 0, 0, STARTING_COINS),
        reserved.timestamp: (100, 0, 0, STARTING_COINS),
        paid.timestamp: (100, 50, 0, STARTING_COINS),
        posted.timestamp - 1: (100, 50, 0, STARTING_COINS),
        posted.timestamp: (0, 110, 0, STARTING_COINS),
        refund.timestamp: (0, 110, 0, STARTING_COINS + 5),
    }

    for timestamp, expected in moments.items():
        balance = ledger.balance_as_of(ALICE, timestamp)
        assert balance is not None
        at = (
            balance.debits_pending,
            balance.debits_posted,
            balance.credits_pending,
            balance.credits_posted,
        )
        assert at == expected, f"as of {timestamp}"
    assert counters(ledger, ALICE) == moments[refund.timestamp]


def test_balance_as_of_an_unknown_account_is_none(ledger: LedgerStore) -> None:
    assert ledger.balance_as_of(UNKNOWN, NOW) is None


def test_a_voided_reservation_shows_until_the_void_and_never_as_posted(
    ledger: LedgerStore,
) -> None:
    (reserved,) = ledger.create_transfers([coins(10, ALICE, BOB, 100, flags=PENDING)], now=NOW)
    (voided,) = ledger.create_transfers([closing(11, 10, VOID)], now=NOW)

    during = ledger.balance_as_of(BOB, reserved.timestamp)
    after = ledger.balance_as_of(BOB, voided.timestamp)

    assert during is not None
    assert after is not None
    assert (during.credits_pending, during.credits_posted) == (100, 0)
    assert (after.credits_pending, after.credits_posted) == (0, 0)


# --- reconciliation and durability ---------------------------------------------------


def test_reconcile_proves_a_ledger_with_every_kind_of_transfer(ledger: LedgerStore) -> None:
    ledger.create_transfers(
        [
            coins(10, ALICE, BOB, 100, flags=PENDING),
            coins(11, ALICE, BOB, 100, flags=PENDING),
            coins(12, ALICE, BOB, 100, flags=PENDING, timeout_s=1),
            coins(13, ALICE, BOB, 50, flags=LINKED),
            coins(14, BOB, ISSUER, 20),
        ],
        now=NOW,
    )
    ledger.create_transfers([closing(15, 10, POST, amount=30), closing(16, 11, VOID)], now=NOW)
    ledger.create_transfers([coins(17, BOB, ALICE, 1)], now=NOW + 2 * SECOND_NS)

    assert ledger.pending_statuses() == {
        10: PendingStatus.POSTED,
        11: PendingStatus.VOIDED,
        12: PendingStatus.EXPIRED,
    }
    assert_reconciled(ledger)


def test_committed_batches_survive_closing_and_reopening_the_store(ledger: LedgerStore) -> None:
    ledger.create_transfers(
        [coins(10, ALICE, BOB, 100, flags=PENDING), coins(11, ALICE, BOB, 50)], now=NOW
    )
    accounts = list(ledger.iter_accounts())
    transfers = sorted(ledger.iter_transfers())
    statuses = ledger.pending_statuses()

    reopened = reopen(ledger)
    try:
        assert list(reopened.iter_accounts()) == accounts
        assert sorted(reopened.iter_transfers()) == transfers
        assert reopened.pending_statuses() == statuses
        (post,) = reopened.create_transfers([closing(12, 10, POST)], now=NOW)
        assert post.code is Code.OK
        assert post.timestamp > max(transfer.timestamp for transfer in transfers)
        assert counters(reopened, BOB) == (0, 0, 0, 150)
        assert_reconciled(reopened)
    finally:
        reopened.close()


def test_rows_read_by_name_alike_on_both_backends(store: LedgerStore) -> None:
    """``Tx.named`` and ``Tx.named_all``: what store modules build typed values from."""

    def read(tx: Tx) -> tuple[object, ...]:
        return (
            tx.named("SELECT 1 AS one, 'x' AS letter"),
            tx.named_all("SELECT 2 AS n UNION ALL SELECT 3 AS n ORDER BY n"),
            tx.named("SELECT 1 AS one WHERE 1 = 0"),
        )

    assert store.read(read) == ({"one": 1, "letter": "x"}, [{"n": 2}, {"n": 3}], None)
