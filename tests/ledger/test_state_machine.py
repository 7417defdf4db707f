"""The ledger's behaviour, one result code at a time, through the in-memory ``Book``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from giftflow.ledger import (
    COIN,
    DIAMOND,
    INT64_MAX,
    Account,
    AccountBalance,
    AccountFlags,
    AccountId,
    AccountResultCode,
    BatchView,
    Book,
    ManualClock,
    Transfer,
    TransferFlags,
    TransferId,
    TransferResultCode,
    UnitCode,
    apply_transfers,
)
from giftflow.ledger.transfer_rules import TIMEOUT_S_MAX
from giftflow.ledger.transfers import PendingStatus
from tests.ledger.builders import (
    LIMITED,
    LINKED,
    PENDING,
    POST,
    VOID,
    WALLET,
    Code,
    account,
    closing,
    move,
)

HOUSE = AccountId(1)
"""Where coins come from: no balance limit, so it may go negative."""
ALICE = AccountId(2)
BOB = AccountId(3)
ESCROW = AccountId(4)
"""Holds no more than was put in (credits must not exceed debits)."""
DIAMOND_HOUSE = AccountId(5)
CAROL_DIAMONDS = AccountId(6)
MISSING = AccountId(99)


USER_DATA_FIELDS = [name for name in Transfer._fields if name.startswith("user_data")]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def book(clock: ManualClock) -> Book:
    book = Book(clock)
    results = book.create_accounts(
        [
            account(HOUSE),
            account(ALICE, flags=WALLET),
            account(BOB, flags=WALLET),
            account(ESCROW, flags=LIMITED),
            account(DIAMOND_HOUSE, DIAMOND),
            account(CAROL_DIAMONDS, DIAMOND, WALLET),
        ]
    )
    assert [result.code for result in results] == [AccountResultCode.OK] * 6
    return book


def codes(book: Book, transfers: list[Transfer]) -> list[TransferResultCode]:
    return [result.code for result in book.create_transfers(transfers)]


def only(book: Book, transfer: Transfer) -> tuple[TransferResultCode, str | None]:
    (result,) = book.create_transfers([transfer])
    return result.code, result.detail


def counters(book: Book, account_id: int) -> tuple[int, int, int, int]:
    """debits_pending, debits_posted, credits_pending, credits_posted."""
    found = book.account(AccountId(account_id))
    assert found is not None
    return (
        found.debits_pending,
        found.debits_posted,
        found.credits_pending,
        found.credits_posted,
    )


def snapshot(book: Book) -> dict[int, tuple[int, int, int, int]]:
    return {account_id: counters(book, account_id) for account_id in book.accounts}


def fund(book: Book, wallet: int, amount: int, transfer_id: int = 1000) -> None:
    unit = book.accounts[AccountId(wallet)].unit
    source = HOUSE if unit == COIN else DIAMOND_HOUSE
    assert only(book, move(transfer_id, source, wallet, amount, unit=unit)) == (Code.OK, None)


# Accounts ----------------------------------------------------------------------------


def test_created_accounts_start_at_zero_with_increasing_timestamps(book: Book) -> None:
    created = [book.accounts[account_id] for account_id in sorted(book.accounts)]
    timestamps = [entry.timestamp for entry in created]
    assert timestamps == sorted(set(timestamps))
    assert timestamps[0] > 0
    assert all(counters(book, entry.id) == (0, 0, 0, 0) for entry in created)


def test_creating_an_account_again_with_the_same_fields_returns_exists(book: Book) -> None:
    first = book.accounts[ALICE]
    (result,) = book.create_accounts([account(ALICE, flags=WALLET)])
    assert result.code is AccountResultCode.EXISTS
    assert result.ok
    assert book.accounts[ALICE] == first


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"unit": DIAMOND}, "unit"),
        ({"code": 2}, "code"),
        ({"owner_id": 7}, "owner_id"),
        ({"flags": AccountFlags.NONE}, "flags"),
    ],
)
def test_creating_an_account_again_with_other_fields_names_the_field(
    book: Book, changes: dict[str, Any], field_name: str
) -> None:
    (result,) = book.create_accounts([replace(account(ALICE, flags=WALLET), **changes)])
    assert (result.code, result.detail) == (
        AccountResultCode.EXISTS_WITH_DIFFERENT_FIELDS,
        field_name,
    )
    assert not result.ok


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (account(0), AccountResultCode.ID_INVALID),
        (account(-1), AccountResultCode.ID_INVALID),
        (account(INT64_MAX + 1), AccountResultCode.ID_INVALID),
        (account(10, UnitCode("coins")), AccountResultCode.UNIT_INVALID),
        (account(10, UnitCode("usd")), AccountResultCode.UNIT_INVALID),
        (account(10, code=0), AccountResultCode.CODE_INVALID),
        (account(10, code=2**16), AccountResultCode.CODE_INVALID),
        (account(10, owner_id=-1), AccountResultCode.OWNER_INVALID),
        (account(10, owner_id=INT64_MAX + 1), AccountResultCode.OWNER_INVALID),
        (account(10, flags=64), AccountResultCode.FLAGS_INVALID),
        (account(10, flags=WALLET | LIMITED), AccountResultCode.FLAGS_INVALID),
        (account(10, credits_posted=5), AccountResultCode.BALANCES_MUST_BE_ZERO),
        (account(10, debits_pending=1), AccountResultCode.BALANCES_MUST_BE_ZERO),
        (account(10, timestamp=1), AccountResultCode.TIMESTAMP_MUST_BE_ZERO),
    ],
)
def test_an_invalid_account_is_rejected_with_a_code_naming_the_problem(
    book: Book, candidate: Account, expected: AccountResultCode
) -> None:
    (result,) = book.create_accounts([candidate])
    assert result.code is expected
    assert candidate.id not in book.accounts


def test_a_fiat_account_counts_minor_units(book: Book) -> None:
    (result,) = book.create_accounts([account(20, UnitCode("USD"))])
    assert result.code is AccountResultCode.OK


def test_one_bad_account_does_not_stop_the_others_in_its_batch(book: Book) -> None:
    results = book.create_accounts([account(20), account(0), account(21)])
    assert [result.code for result in results] == [
        AccountResultCode.OK,
        AccountResultCode.ID_INVALID,
        AccountResultCode.OK,
    ]
    assert {20, 21} <= book.accounts.keys()


def test_freezing_an_unknown_account_returns_account_not_found(book: Book) -> None:
    result = book.set_frozen(MISSING, frozen=True)
    assert result.code is AccountResultCode.ACCOUNT_NOT_FOUND


# Transfers: the happy path and idempotency ---------------------------------------------


def test_a_transfer_moves_the_amount_from_debit_to_credit_posted(book: Book) -> None:
    (result,) = book.create_transfers([move(1, HOUSE, ALICE, 100)])
    assert result.code is Code.OK
    assert result.ok
    assert counters(book, HOUSE) == (0, 100, 0, 0)
    assert counters(book, ALICE) == (0, 0, 0, 100)
    alice = book.account(ALICE)
    assert alice is not None
    assert (alice.balance_posted, alice.balance_available) == (100, 100)


def test_every_transfer_gets_a_timestamp_after_all_earlier_ones(
    book: Book, clock: ManualClock
) -> None:
    first = book.create_transfers([move(1, HOUSE, ALICE, 1), move(2, HOUSE, ALICE, 1)])
    clock.set_ns(clock.now_ns() - 10**12)  # a clock stepping back must not reorder the log
    (third,) = book.create_transfers([move(3, HOUSE, ALICE, 1)])
    timestamps = [result.timestamp for result in [*first, third]]
    assert timestamps == sorted(set(timestamps))
    assert timestamps[0] > max(entry.timestamp for entry in book.accounts.values())
    assert [entry.timestamp for entry in book.log] == timestamps


def test_replaying_a_transfer_returns_exists_with_its_first_timestamp_and_changes_nothing(
    book: Book, clock: ManualClock
) -> None:
    (first,) = book.create_transfers([move(1, HOUSE, ALICE, 100)])
    before = snapshot(book)
    clock.advance(seconds=5)
    (again,) = book.create_transfers([move(1, HOUSE, ALICE, 100)])
    assert (again.code, again.timestamp) == (Code.EXISTS, first.timestamp)
    assert again.ok
    assert snapshot(book) == before
    assert len(book.log) == 1


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"amount": 101}, "amount"),
        ({"credit_account_id": BOB}, "credit_account_id"),
        ({"debit_account_id": BOB}, "debit_account_id"),
        ({"code": 2}, "code"),
        ({"flags": PENDING}, "flags"),
        ({"unit": DIAMOND}, "unit"),
    ],
)
def test_replaying_an_id_with_other_fields_names_the_field_and_changes_nothing(
    book: Book, changes: dict[str, Any], field_name: str
) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 100)])
    before = snapshot(book)
    result = only(book, move(1, HOUSE, ALICE, 100)._replace(**changes))
    assert result == (Code.EXISTS_WITH_DIFFERENT_FIELDS, field_name)
    assert snapshot(book) == before


def test_replaying_a_post_that_left_fields_empty_returns_exists(book: Book) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 100, flags=PENDING)])
    (posted,) = book.create_transfers([closing(2, 1)])
    (again,) = book.create_transfers([closing(2, 1)])
    assert (again.code, again.timestamp) == (Code.EXISTS, posted.timestamp)
    assert only(book, closing(2, 1, amount=99)) == (Code.EXISTS_WITH_DIFFERENT_FIELDS, "amount")
    assert only(book, closing(2, 1, flags=VOID)) == (Code.EXISTS_WITH_DIFFERENT_FIELDS, "flags")


@pytest.mark.parametrize("field_name", USER_DATA_FIELDS)
def test_user_data_is_kept_and_must_fit_a_signed_64_bit_integer(
    book: Book, field_name: str
) -> None:
    valid: dict[str, Any] = {field_name: INT64_MAX}
    assert only(book, move(1, HOUSE, ALICE, 1, **valid)) == (Code.OK, None)
    assert getattr(book.transfers[TransferId(1)], field_name) == INT64_MAX
    for value in (-1, INT64_MAX + 1):
        invalid: dict[str, Any] = {field_name: value}
        assert only(book, move(2, HOUSE, ALICE, 1, **invalid)) == (Code.USER_DATA_INVALID, None)


# Linked chains --------------------------------------------------------------------------


def test_a_linked_chain_applies_all_its_transfers_together(book: Book) -> None:
    chain = [
        move(1, HOUSE, ALICE, 100, flags=LINKED),
        move(2, ALICE, BOB, 60, flags=LINKED),
        move(3, BOB, ALICE, 10),
    ]
    assert codes(book, chain) == [Code.OK] * 3
    assert counters(book, ALICE) == (0, 60, 0, 110)
    assert counters(book, BOB) == (0, 10, 0, 60)


def test_a_linked_chain_with_a_failing_member_applies_nothing(book: Book) -> None:
    fund(book, ALICE, 50)
    before = snapshot(book)
    log_before = list(book.log)
    chain = [
        move(1, HOUSE, ALICE, 100, flags=LINKED),
        move(2, ALICE, BOB, 500, flags=LINKED),  # more than Alice will hold
        move(3, BOB, ALICE, 10),
    ]
    results = book.create_transfers(chain)
    assert [result.code for result in results] == [
        Code.LINKED_EVENT_FAILED,
        Code.INSUFFICIENT_FUNDS,
        Code.LINKED_EVENT_FAILED,
    ]
    assert results[1].detail == "debit_account_id"
    assert not any(result.ok for result in results)
    assert snapshot(book) == before
    assert book.log == log_before
    # The ids were not taken: the corrected chain goes through.
    chain[1] = chain[1]._replace(amount=150)
    assert codes(book, chain) == [Code.OK] * 3


def test_a_replay_with_other_fields_fails_its_linked_chain(book: Book) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 100)])
    before = snapshot(book)
    chain = [move(2, HOUSE, BOB, 5, flags=LINKED), move(1, HOUSE, ALICE, 99)]
    results = book.create_transfers(chain)
    assert [(result.code, result.detail) for result in results] == [
        (Code.LINKED_EVENT_FAILED, None),
        (Code.EXISTS_WITH_DIFFERENT_FIELDS, "amount"),
    ]
    assert snapshot(book) == before
    assert 2 not in book.transfers


def test_an_exact_replay_inside_a_linked_chain_counts_as_success(book: Book) -> None:
    (first,) = book.create_transfers([move(1, HOUSE, ALICE, 100)])
    results = book.create_transfers(
        [move(2, HOUSE, BOB, 5, flags=LINKED), move(1, HOUSE, ALICE, 100)]
    )
    assert [result.code for result in results] == [Code.OK, Code.EXISTS]
    assert results[1].timestamp == first.timestamp


def test_a_failed_chain_releases_a_pending_transfer_it_opened(book: Book) -> None:
    chain = [
        move(1, HOUSE, ALICE, 100, flags=PENDING | LINKED),
        move(2, HOUSE, MISSING, 1),
    ]
    assert codes(book, chain) == [Code.LINKED_EVENT_FAILED, Code.ACCOUNT_NOT_FOUND]
    assert 1 not in book.pendings
    assert only(book, closing(3, 1)) == (Code.PENDING_NOT_FOUND, None)


def test_a_failed_chain_reopens_a_pending_transfer_it_posted(book: Book) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 100, flags=PENDING)])
    before = snapshot(book)
    chain = [closing(2, 1, flags=POST | LINKED), move(3, ALICE, BOB, 0)]
    assert codes(book, chain) == [Code.LINKED_EVENT_FAILED, Code.AMOUNT_INVALID]
    assert book.pendings[TransferId(1)].status == PendingStatus.PENDING
    assert snapshot(book) == before
    assert codes(book, [closing(2, 1)]) == [Code.OK]


def test_a_linked_chain_left_open_at_the_end_of_the_batch_fails(book: Book) -> None:
    before = snapshot(book)
    results = codes(
        book, [move(1, HOUSE, ALICE, 5, flags=LINKED), move(2, HOUSE, BOB, 5, flags=LINKED)]
    )
    assert results == [Code.LINKED_EVENT_FAILED, Code.LINKED_EVENT_CHAIN_OPEN]
    assert snapshot(book) == before
    assert book.log == []


def test_a_single_transfer_flagged_linked_at_the_end_of_a_batch_is_a_chain_left_open(
    book: Book,
) -> None:
    assert only(book, move(1, HOUSE, ALICE, 5, flags=LINKED)) == (
        Code.LINKED_EVENT_CHAIN_OPEN,
        None,
    )


def test_a_failed_chain_leaves_the_chains_around_it_applied(book: Book) -> None:
    batch = [
        move(1, HOUSE, ALICE, 10),
        move(2, HOUSE, BOB, 10, flags=LINKED),
        move(3, BOB, ALICE, 11),
        move(4, HOUSE, BOB, 7, flags=LINKED),
        move(5, BOB, ALICE, 7),
    ]
    assert codes(book, batch) == [
        Code.OK,
        Code.LINKED_EVENT_FAILED,
        Code.INSUFFICIENT_FUNDS,
        Code.OK,
        Code.OK,
    ]
    assert counters(book, ALICE) == (0, 0, 0, 17)
    assert counters(book, BOB) == (0, 7, 0, 7)


def test_a_failed_chain_that_closed_a_pending_opened_earlier_in_its_batch_reports_it_open() -> None:
    # A store persists ``pendings_opened``: it must not record a post that was undone.
    accounts: dict[AccountId, AccountBalance] = {
        HOUSE: AccountBalance(HOUSE, COIN, 0, 0, 0, 0, 0),
        ALICE: AccountBalance(ALICE, COIN, 0, 0, 0, 0, 0),
    }
    view = BatchView(accounts, {}, {})
    requests = [
        move(1, HOUSE, ALICE, 50, flags=PENDING),
        closing(2, 1, flags=POST | LINKED),
        move(3, HOUSE, ALICE, 0),
    ]
    outcome = apply_transfers(view, requests, now=1_000, last_timestamp=0)
    assert [result.code for result in outcome.results] == [
        Code.OK,
        Code.LINKED_EVENT_FAILED,
        Code.AMOUNT_INVALID,
    ]
    assert [state.status for state in outcome.pendings_opened] == [PendingStatus.PENDING]
    assert outcome.pendings_closed == []
    assert [transfer.id for transfer in outcome.transfers] == [1]
    assert accounts[ALICE].counters() == (0, 0, 50, 0)


# Validation of a single transfer --------------------------------------------------------


@pytest.mark.parametrize("transfer_id", [0, -1, INT64_MAX + 1])
def test_a_transfer_id_must_be_between_1_and_int64_max(book: Book, transfer_id: int) -> None:
    assert only(book, move(transfer_id, HOUSE, ALICE, 5)) == (Code.ID_INVALID, None)
    assert book.log == []


def test_the_largest_id_and_amount_are_accepted(book: Book) -> None:
    assert only(book, move(INT64_MAX, HOUSE, ALICE, INT64_MAX)) == (Code.OK, None)


@pytest.mark.parametrize("amount", [0, -1, INT64_MAX + 1])
def test_an_amount_must_be_between_1_and_int64_max(book: Book, amount: int) -> None:
    assert only(book, move(1, HOUSE, ALICE, amount)) == (Code.AMOUNT_INVALID, None)
    assert counters(book, ALICE) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("transfer", "side"),
    [
        (move(1, DIAMOND_HOUSE, CAROL_DIAMONDS, 5, unit=COIN), "debit_account_id"),
        (move(1, HOUSE, CAROL_DIAMONDS, 5, unit=COIN), "credit_account_id"),
        (move(1, HOUSE, CAROL_DIAMONDS, 5, unit=DIAMOND), "debit_account_id"),
    ],
)
def test_coins_and_diamonds_never_mix_and_the_result_names_the_side(
    book: Book, transfer: Transfer, side: str
) -> None:
    assert only(book, transfer) == (Code.UNIT_MISMATCH, side)


@pytest.mark.parametrize("unit", ["coins", "usd", "EURO"])
def test_a_transfer_unit_must_be_known(book: Book, unit: str) -> None:
    assert only(book, move(1, HOUSE, ALICE, 5, unit=UnitCode(unit))) == (Code.UNIT_INVALID, None)


@pytest.mark.parametrize("code", [0, -1, 2**16])
def test_a_transfer_code_must_be_between_1_and_code_max(book: Book, code: int) -> None:
    assert only(book, move(1, HOUSE, ALICE, 5, code=code)) == (Code.CODE_INVALID, None)


def test_an_account_cannot_pay_itself(book: Book) -> None:
    assert only(book, move(1, HOUSE, HOUSE, 5)) == (Code.ACCOUNTS_MUST_BE_DIFFERENT, None)


@pytest.mark.parametrize(
    ("transfer", "side"),
    [
        (move(1, MISSING, ALICE, 5), "debit_account_id"),
        (move(1, HOUSE, MISSING, 5), "credit_account_id"),
    ],
)
def test_a_missing_account_is_named_by_its_side(book: Book, transfer: Transfer, side: str) -> None:
    assert only(book, transfer) == (Code.ACCOUNT_NOT_FOUND, side)


def test_a_frozen_account_can_neither_pay_nor_be_paid_until_unfrozen(book: Book) -> None:
    fund(book, ALICE, 50)
    assert book.set_frozen(ALICE, frozen=True).code is AccountResultCode.OK
    frozen = book.account(ALICE)
    assert frozen is not None
    assert frozen.frozen
    assert only(book, move(1, ALICE, BOB, 5)) == (Code.ACCOUNT_FROZEN, "debit_account_id")
    assert only(book, move(2, HOUSE, ALICE, 5)) == (Code.ACCOUNT_FROZEN, "credit_account_id")
    assert counters(book, ALICE) == (0, 0, 0, 50)
    book.set_frozen(ALICE, frozen=False)
    assert codes(book, [move(1, ALICE, BOB, 5), move(2, HOUSE, ALICE, 5)]) == [Code.OK] * 2


def test_override_frozen_takes_value_back_from_a_frozen_account_and_is_on_record(
    book: Book,
) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30)])
    book.set_frozen(ALICE, frozen=True)
    override = TransferFlags.OVERRIDE_FROZEN
    assert only(book, move(2, ALICE, HOUSE, 10)) == (Code.ACCOUNT_FROZEN, "debit_account_id")
    assert only(book, move(3, ALICE, HOUSE, 10, flags=override)) == (Code.OK, None)
    assert book.transfers[TransferId(3)].flags == override
    assert only(book, move(4, ALICE, HOUSE, 21, flags=override)) == (
        Code.INSUFFICIENT_FUNDS,
        "debit_account_id",
    )
    assert counters(book, ALICE) == (0, 10, 0, 30)


def test_an_account_created_frozen_accepts_nothing(book: Book) -> None:
    book.create_accounts([account(20, flags=AccountFlags.FROZEN)])
    assert only(book, move(1, HOUSE, 20, 5)) == (Code.ACCOUNT_FROZEN, "credit_account_id")


def test_a_wallet_cannot_spend_more_than_it_holds(book: Book) -> None:
    fund(book, ALICE, 100)
    assert only(book, move(1, ALICE, BOB, 101)) == (Code.INSUFFICIENT_FUNDS, "debit_account_id")
    assert only(book, move(1, ALICE, BOB, 100)) == (Code.OK, None)
    assert only(book, move(2, ALICE, BOB, 1)) == (Code.INSUFFICIENT_FUNDS, "debit_account_id")
    assert counters(book, ALICE) == (0, 100, 0, 100)


def test_a_wallet_cannot_spend_what_is_reserved_by_a_pending_transfer(book: Book) -> None:
    fund(book, ALICE, 100)
    assert only(book, move(1, ALICE, BOB, 70, flags=PENDING)) == (Code.OK, None)
    assert only(book, move(2, ALICE, BOB, 31)) == (Code.INSUFFICIENT_FUNDS, "debit_account_id")
    alice = book.account(ALICE)
    assert alice is not None
    assert (alice.balance_posted, alice.balance_available) == (100, 30)


def test_a_wallet_cannot_spend_credits_that_are_still_pending(book: Book) -> None:
    assert only(book, move(1, HOUSE, ALICE, 100, flags=PENDING)) == (Code.OK, None)
    assert only(book, move(2, ALICE, BOB, 1)) == (Code.INSUFFICIENT_FUNDS, "debit_account_id")


def test_a_limited_account_cannot_be_credited_more_than_it_was_debited(book: Book) -> None:
    assert only(book, move(1, HOUSE, ESCROW, 1)) == (Code.EXCEEDS_DEBITS, "credit_account_id")
    assert only(book, move(2, ESCROW, HOUSE, 40)) == (Code.OK, None)
    assert only(book, move(3, HOUSE, ESCROW, 30, flags=PENDING)) == (Code.OK, None)
    assert only(book, move(4, HOUSE, ESCROW, 11)) == (Code.EXCEEDS_DEBITS, "credit_account_id")
    assert only(book, move(4, HOUSE, ESCROW, 10)) == (Code.OK, None)


def test_a_balance_that_would_pass_int64_max_is_an_overflow_naming_the_side(book: Book) -> None:
    book.create_accounts([account(20), account(21)])
    assert only(book, move(1, HOUSE, 20, INT64_MAX)) == (Code.OK, None)
    assert only(book, move(2, 21, 20, 1)) == (Code.OVERFLOW, "credit_account_id")
    assert only(book, move(3, HOUSE, 21, 1)) == (Code.OVERFLOW, "debit_account_id")
    assert only(book, move(4, HOUSE, 21, 1, flags=PENDING)) == (Code.OVERFLOW, "debit_account_id")
    assert counters(book, 21) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "flags",
    [POST | VOID, PENDING | POST, PENDING | VOID, 32, PENDING | 64],
)
def test_contradictory_or_unknown_flags_are_rejected(book: Book, flags: int) -> None:
    assert only(book, move(1, HOUSE, ALICE, 5, flags=flags)) == (Code.FLAGS_INVALID, None)


def test_a_submitted_transfer_must_leave_the_timestamp_to_the_ledger(book: Book) -> None:
    assert only(book, move(1, HOUSE, ALICE, 5, timestamp=1)) == (Code.TIMESTAMP_MUST_BE_ZERO, None)


def test_only_a_pending_transfer_may_have_a_timeout(book: Book) -> None:
    assert only(book, move(1, HOUSE, ALICE, 5, timeout_s=10)) == (Code.TIMEOUT_INVALID, None)
    book.create_transfers([move(2, HOUSE, ALICE, 5, flags=PENDING)])
    assert only(book, closing(3, 2, timeout_s=10)) == (Code.TIMEOUT_INVALID, None)
    assert only(book, closing(3, 2, flags=VOID, timeout_s=10)) == (Code.TIMEOUT_INVALID, None)


@pytest.mark.parametrize("timeout_s", [-1, TIMEOUT_S_MAX + 1])
def test_a_pending_timeout_must_be_between_0_and_ten_years(book: Book, timeout_s: int) -> None:
    transfer = move(1, HOUSE, ALICE, 5, flags=PENDING, timeout_s=timeout_s)
    assert only(book, transfer) == (Code.TIMEOUT_INVALID, None)


def test_a_plain_transfer_must_not_name_a_pending_transfer(book: Book) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 5, flags=PENDING)])
    transfer = move(2, HOUSE, ALICE, 5, pending_id=TransferId(1))
    assert only(book, transfer) == (Code.PENDING_ID_INVALID, None)


def test_a_bad_transfer_leaves_the_others_in_its_batch_applied(book: Book) -> None:
    batch = [
        move(1, HOUSE, ALICE, 10),
        move(2, HOUSE, ALICE, 0),
        move(3, HOUSE, MISSING, 10),
        move(4, ALICE, BOB, 4),
    ]
    assert codes(book, batch) == [Code.OK, Code.AMOUNT_INVALID, Code.ACCOUNT_NOT_FOUND, Code.OK]
    assert [transfer.id for transfer in book.log] == [1, 4]
    assert counters(book, BOB) == (0, 0, 0, 4)


# Pending transfers: reserve, then post or void -----------------------------------------


def test_a_pending_transfer_reserves_the_amount_without_posting_it(book: Book) -> None:
    fund(book, ALICE, 100)
    assert only(book, move(1, ALICE, BOB, 30, flags=PENDING)) == (Code.OK, None)
    assert counters(book, ALICE) == (30, 0, 0, 100)
    assert counters(book, BOB) == (0, 0, 30, 0)
    assert book.pendings[TransferId(1)].status == PendingStatus.PENDING


def test_posting_with_amount_zero_posts_the_whole_pending_amount(book: Book) -> None:
    fund(book, ALICE, 100)
    book.create_transfers([move(1, ALICE, BOB, 30, flags=PENDING, code=7)])
    assert only(book, closing(2, 1)) == (Code.OK, None)
    assert counters(book, ALICE) == (0, 30, 0, 100)
    assert counters(book, BOB) == (0, 0, 0, 30)
    stored = book.transfers[TransferId(2)]
    assert (stored.debit_account_id, stored.credit_account_id) == (ALICE, BOB)
    assert (stored.amount, stored.unit, stored.code) == (30, COIN, 7)
    assert book.pendings[TransferId(1)].status == PendingStatus.POSTED


def test_posting_part_of_a_pending_transfer_releases_the_rest(book: Book) -> None:
    fund(book, ALICE, 100)
    book.create_transfers([move(1, ALICE, BOB, 30, flags=PENDING)])
    assert only(book, closing(2, 1, amount=12)) == (Code.OK, None)
    assert counters(book, ALICE) == (0, 12, 0, 100)
    assert counters(book, BOB) == (0, 0, 0, 12)
    assert book.transfers[TransferId(2)].amount == 12


def test_voiding_a_pending_transfer_restores_both_balances(book: Book) -> None:
    fund(book, ALICE, 100)
    before = snapshot(book)
    book.create_transfers([move(1, ALICE, BOB, 30, flags=PENDING)])
    assert only(book, closing(2, 1, flags=VOID)) == (Code.OK, None)
    assert snapshot(book) == before
    assert book.pendings[TransferId(1)].status == PendingStatus.VOIDED
    assert only(book, closing(3, 1, flags=VOID, amount=30)) == (
        Code.PENDING_ALREADY_CLOSED,
        "voided",
    )


def test_a_pending_transfer_on_a_frozen_account_can_be_voided_but_not_posted(
    book: Book,
) -> None:
    fund(book, ALICE, 100)
    book.create_transfers([move(1, ALICE, BOB, 30, flags=PENDING)])
    book.set_frozen(BOB, frozen=True)
    assert only(book, closing(2, 1)) == (Code.ACCOUNT_FROZEN, "credit_account_id")
    book.set_frozen(BOB, frozen=False)
    book.set_frozen(ALICE, frozen=True)
    assert only(book, closing(2, 1)) == (Code.ACCOUNT_FROZEN, "debit_account_id")
    assert only(book, closing(3, 1, flags=VOID)) == (Code.OK, None)
    assert counters(book, ALICE) == (0, 0, 0, 100)


@pytest.mark.parametrize("flags", [POST, VOID])
def test_closing_an_unknown_pending_transfer_is_pending_not_found(book: Book, flags: int) -> None:
    assert only(book, closing(2, 404, flags=flags)) == (Code.PENDING_NOT_FOUND, None)
    fund(book, ALICE, 10, transfer_id=5)
    assert only(book, closing(2, 5, flags=flags)) == (Code.PENDING_NOT_FOUND, None)


@pytest.mark.parametrize("pending_id", [0, 2])
def test_a_closing_transfer_must_name_another_transfer(book: Book, pending_id: int) -> None:
    assert only(book, closing(2, pending_id)) == (Code.PENDING_ID_INVALID, None)


@pytest.mark.parametrize(
    ("first", "status"), [(closing(2, 1), "posted"), (closing(2, 1, flags=VOID), "voided")]
)
@pytest.mark.parametrize("second_flags", [POST, VOID])
def test_a_pending_transfer_closes_once_and_later_closings_name_how(
    book: Book, first: Transfer, status: str, second_flags: int
) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30, flags=PENDING)])
    assert only(book, first) == (Code.OK, None)
    before = snapshot(book)
    assert only(book, closing(3, 1, flags=second_flags)) == (Code.PENDING_ALREADY_CLOSED, status)
    assert snapshot(book) == before


def test_a_pending_transfer_expires_after_its_timeout_and_releases_the_reserve(
    book: Book, clock: ManualClock
) -> None:
    fund(book, ALICE, 100)
    before = snapshot(book)
    book.create_transfers([move(1, ALICE, BOB, 30, flags=PENDING, timeout_s=60)])
    clock.advance(seconds=59)
    book.create_transfers([])
    assert book.pendings[TransferId(1)].status == PendingStatus.PENDING
    assert counters(book, ALICE) == (30, 0, 0, 100)
    clock.advance(seconds=2)
    assert only(book, closing(2, 1)) == (Code.PENDING_ALREADY_CLOSED, "expired")
    assert book.pendings[TransferId(1)].status == PendingStatus.EXPIRED
    assert book.pendings[TransferId(1)].closed_at > book.transfers[TransferId(1)].timestamp
    assert snapshot(book) == before
    assert book.reconcile().ok


def test_a_pending_transfer_expires_exactly_when_its_timeout_has_passed(
    book: Book, clock: ManualClock
) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30, flags=PENDING, timeout_s=10)])
    expires_at_ns = book.transfers[TransferId(1)].timestamp + 10 * 1_000_000_000
    clock.set_ns(expires_at_ns - 1)
    book.create_transfers([])
    assert book.pendings[TransferId(1)].status == PendingStatus.PENDING
    clock.set_ns(expires_at_ns)
    book.create_transfers([])
    assert book.pendings[TransferId(1)].status == PendingStatus.EXPIRED
    assert counters(book, ALICE) == (0, 0, 0, 0)


def test_a_pending_transfer_without_timeout_never_expires(book: Book, clock: ManualClock) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30, flags=PENDING)])
    clock.advance(seconds=TIMEOUT_S_MAX * 2)
    assert only(book, closing(2, 1)) == (Code.OK, None)


def test_a_pending_transfer_posted_before_its_timeout_does_not_expire(
    book: Book, clock: ManualClock
) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30, flags=PENDING, timeout_s=5)])
    clock.advance(seconds=4)
    book.create_transfers([closing(2, 1)])
    clock.advance(seconds=10)
    book.create_transfers([])
    assert book.pendings[TransferId(1)].status == PendingStatus.POSTED
    assert counters(book, ALICE) == (0, 0, 0, 30)


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"debit_account_id": BOB}, "debit_account_id"),
        ({"credit_account_id": BOB}, "credit_account_id"),
        ({"unit": "DIAMOND"}, "unit"),
    ],
)
@pytest.mark.parametrize("flags", [POST, VOID])
def test_a_closing_transfer_that_contradicts_its_pending_transfer_names_the_field(
    book: Book, changes: dict[str, Any], field_name: str, flags: int
) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30, flags=PENDING)])
    assert only(book, closing(2, 1, flags=flags, **changes)) == (Code.PENDING_MISMATCH, field_name)
    assert book.pendings[TransferId(1)].status == PendingStatus.PENDING


@pytest.mark.parametrize("flags", [POST, VOID])
def test_a_closing_transfer_keeps_its_own_code_so_the_books_say_why_it_closed(
    book: Book, flags: int
) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30, flags=PENDING)])
    assert only(book, closing(2, 1, flags=flags, code=9)) == (Code.OK, None)
    assert book.transfers[TransferId(2)].code == 9


def test_a_closing_transfer_may_repeat_the_pending_transfers_fields(book: Book) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30, flags=PENDING)])
    post = move(2, HOUSE, ALICE, 30, flags=POST, pending_id=TransferId(1))
    assert only(book, post) == (Code.OK, None)


def test_voiding_part_of_a_pending_transfer_is_a_mismatch_on_amount(book: Book) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30, flags=PENDING)])
    assert only(book, closing(2, 1, flags=VOID, amount=10)) == (Code.PENDING_MISMATCH, "amount")
    assert only(book, closing(2, 1, flags=VOID, amount=30)) == (Code.OK, None)


@pytest.mark.parametrize("flags", [POST, VOID])
def test_closing_more_than_was_reserved_is_exceeds_pending_amount(book: Book, flags: int) -> None:
    book.create_transfers([move(1, HOUSE, ALICE, 30, flags=PENDING)])
    assert only(book, closing(2, 1, flags=flags, amount=31)) == (Code.EXCEEDS_PENDING_AMOUNT, None)
    assert only(book, closing(2, 1, flags=flags, amount=-1)) == (Code.AMOUNT_INVALID, None)
    assert book.pendings[TransferId(1)].status == PendingStatus.PENDING


# Reconciliation ---------------------------------------------------------------------------


def busy_day(book: Book, clock: ManualClock) -> None:
    fund(book, ALICE, 500)
    fund(book, CAROL_DIAMONDS, 80, transfer_id=1001)
    book.create_transfers(
        [
            move(1, ALICE, BOB, 100),
            move(2, ALICE, BOB, 50, flags=PENDING),
            move(3, ALICE, BOB, 40, flags=PENDING, timeout_s=1),
            move(4, ALICE, BOB, 30, flags=PENDING),
            move(5, CAROL_DIAMONDS, DIAMOND_HOUSE, 20, unit=DIAMOND),
            move(6, ESCROW, HOUSE, 20),
            move(7, HOUSE, ESCROW, 15),
        ]
    )
    clock.advance(seconds=2)
    book.create_transfers([closing(8, 2, amount=20), closing(9, 4, flags=VOID)])


def test_reconcile_proves_a_ledger_after_valid_work(book: Book, clock: ManualClock) -> None:
    busy_day(book, clock)
    report = book.reconcile()
    assert report.ok, (report.mismatches, report.problems)
    assert report.accounts == 6
    assert report.transfers == len(book.log) == 11
    assert [totals.unit for totals in report.units] == ["COIN", "DIAMOND"]
    assert all(totals.balanced for totals in report.units)


def test_reconcile_finds_a_tampered_balance(book: Book, clock: ManualClock) -> None:
    busy_day(book, clock)
    stored = book.balances[BOB].credits_posted
    book.balances[BOB].credits_posted += 1
    report = book.reconcile()
    assert not report.ok
    (mismatch,) = report.mismatches
    assert (mismatch.account_id, mismatch.field) == (BOB, "credits_posted")
    assert (mismatch.stored, mismatch.recomputed) == (stored + 1, stored)
    assert not next(totals for totals in report.units if totals.unit == "COIN").balanced


def test_reconcile_finds_an_overdrawn_wallet(book: Book) -> None:
    book.balances[ALICE].debits_posted += 5
    book.balances[HOUSE].credits_posted += 5
    report = book.reconcile()
    assert not report.ok
    assert "account 2 is overdrawn" in report.problems
