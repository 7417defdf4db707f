"""Each store answers and ends exactly like the in-memory ``Book``, the reference model.

Hypothesis draws sequences of batches (moves, pending transfers, posts, voids, linked
chains, bad input, reused ids), freezes and clock jumps that let pending transfers
expire. Both stores must give the same result for every transfer and end with the same
accounts, transfers and pending statuses as the ``Book``: what the stores add (loading,
caching, locking, persisting) must change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.ledger import (
    COIN,
    DIAMOND,
    INT64_MAX,
    Account,
    AccountFlags,
    AccountId,
    Book,
    ManualClock,
    Transfer,
    TransferId,
    UnitCode,
    reconcile,
)
from giftflow.store.base import LedgerStore
from tests.ledger.builders import LINKED, PENDING, POST, VOID

START_NS = 1_700_000_000 * 1_000_000_000
SECOND_NS = 1_000_000_000

ACCOUNTS = [
    Account(AccountId(1), COIN, 1),
    Account(AccountId(2), COIN, 1, flags=AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
    Account(AccountId(3), COIN, 1, flags=AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
    Account(AccountId(4), COIN, 1, flags=AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS),
    Account(AccountId(5), DIAMOND, 1),
]
FUNDING = [
    Transfer(TransferId(1001), AccountId(1), AccountId(2), 500, COIN, 1),
    Transfer(TransferId(1002), AccountId(1), AccountId(3), 300, COIN, 1),
    Transfer(TransferId(1003), AccountId(4), AccountId(1), 200, COIN, 1),
]

transfer_ids = st.integers(min_value=1, max_value=40).map(TransferId)
"""A small pool, so that ids get reused now and then."""
pairs = st.sampled_from([(1, 2), (1, 3), (2, 3), (3, 2), (2, 1), (3, 1), (2, 4), (3, 4), (4, 1)])
"""Debit and credit accounts that may well move money (wallets can still run dry)."""
odd_pairs = st.sampled_from([(1, 5), (5, 1), (1, 99), (99, 2), (2, 2)])
"""Pairs that mix units, name an unknown account or the same account twice."""
amounts = st.integers(min_value=1, max_value=300)
bad_amounts = st.sampled_from([0, -1, INT64_MAX + 1])
kinds = st.sampled_from(
    [(0, 0), (0, 0), (LINKED, 0), (PENDING, 0), (PENDING, 1), (PENDING, 3), (PENDING | LINKED, 0)]
)
"""Flags, with a timeout (seconds) for some pending transfers."""
closing_flags = st.sampled_from([POST, POST, VOID, POST | LINKED])
closing_amounts = st.sampled_from([0, 0, 10, 50, 1_000])
freezes = st.tuples(st.sampled_from([2, 3, 4]).map(AccountId), st.booleans())


@dataclass(frozen=True)
class Step:
    """Optionally freeze or unfreeze an account, move the clock on, submit a batch."""

    freeze: tuple[AccountId, bool] | None
    advance_s: int
    batch: list[Transfer]


def _one_in(draw: st.DrawFn, count: int) -> bool:
    """Rare choices: ``|`` between strategies would pick each side half of the time."""
    return draw(st.integers(min_value=1, max_value=count)) == 1


def _move(draw: st.DrawFn) -> Transfer:
    flags, timeout_s = draw(kinds)
    debit, credit = draw(odd_pairs if _one_in(draw, 8) else pairs)
    amount = draw(bad_amounts if _one_in(draw, 10) else amounts)
    unit = DIAMOND if _one_in(draw, 12) else COIN
    transfer = Transfer(
        draw(transfer_ids), AccountId(debit), AccountId(credit), amount, unit, 1, flags
    )
    return transfer._replace(timeout_s=timeout_s)


def _closing(draw: st.DrawFn, pending_ids: list[TransferId]) -> Transfer:
    """A post or void that leaves the accounts, unit and code to its pending transfer."""
    pending_id = draw(transfer_ids if _one_in(draw, 5) else st.sampled_from(pending_ids))
    flags, amount = draw(closing_flags), draw(closing_amounts)
    none = AccountId(0)
    return Transfer(draw(transfer_ids), none, none, amount, UnitCode(""), 0, flags, pending_id)


def _next(draw: st.DrawFn, submitted: list[Transfer], pending_ids: list[TransferId]) -> Transfer:
    """A retry of an earlier transfer, a post or void, or a new move."""
    if submitted and _one_in(draw, 10):
        return draw(st.sampled_from(submitted))
    if pending_ids and _one_in(draw, 3):
        return _closing(draw, pending_ids)
    move = _move(draw)
    if move.flags & PENDING:
        pending_ids.append(move.id)
    return move


@st.composite
def plans(draw: st.DrawFn) -> list[Step]:
    """Steps whose posts and voids mostly name a pending transfer submitted before."""
    submitted: list[Transfer] = []
    pending_ids: list[TransferId] = []
    steps: list[Step] = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        size = draw(st.integers(min_value=1, max_value=6))
        batch = [_next(draw, submitted, pending_ids) for _ in range(size)]
        submitted += batch
        freeze = draw(freezes) if _one_in(draw, 4) else None
        steps.append(Step(freeze, draw(st.integers(min_value=0, max_value=2)), batch))
    return steps


def assert_same_ledger(store: LedgerStore, book: Book) -> None:
    expected_accounts = [book.account(AccountId(each)) for each in sorted(book.accounts)]
    assert list(store.iter_accounts()) == expected_accounts
    assert sorted(store.iter_transfers()) == sorted(book.log)
    statuses = {pending_id: state.status for pending_id, state in book.pendings.items()}
    assert store.pending_statuses() == statuses
    report = reconcile(store.iter_accounts(), store.iter_transfers(), store.pending_statuses())
    assert report.ok, (report.mismatches, report.problems)


@settings(
    max_examples=40,
    deadline=None,
    # The factory fixture is meant to be called once per example.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(plan=plans())
def test_a_store_gives_the_same_results_and_balances_as_the_book(
    new_store: Callable[[], LedgerStore], plan: list[Step]
) -> None:
    store = new_store()
    try:
        replay(store, plan)
    finally:
        store.close()


def replay(store: LedgerStore, plan: list[Step]) -> None:
    clock = ManualClock(START_NS)
    book = Book(clock)
    assert store.create_accounts(ACCOUNTS, now=clock.now_ns()) == book.create_accounts(ACCOUNTS)
    assert store.create_transfers(FUNDING, now=clock.now_ns()) == book.create_transfers(FUNDING)
    for step in plan:
        if step.freeze is not None:
            account_id, frozen = step.freeze
            stored = store.set_frozen(account_id, frozen=frozen)
            assert stored == book.set_frozen(account_id, frozen=frozen)
        clock.advance(seconds=step.advance_s)
        results = store.create_transfers(step.batch, now=clock.now_ns())
        assert results == book.create_transfers(step.batch)
    assert_same_ledger(store, book)
