"""The batch engine: group commit that answers every caller with its own durable results.

Where a test needs callers to share a batch, it holds the writer thread inside an account
operation (``writer_held``) while they queue up: what shares a batch is then decided by
the test, never by timing. Every test runs on a SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Protocol

import pytest

from giftflow.ledger import (
    COIN,
    Account,
    AccountId,
    AccountResult,
    Transfer,
    TransferId,
    TransferResult,
)
from giftflow.service.engine import (
    BATCH_MAX,
    QUEUED_MAX,
    Done,
    EngineClosedError,
    EngineOverloadedError,
    LedgerEngine,
    Outcome,
    Part,
    RequestTooLargeError,
)
from giftflow.store import open_store
from giftflow.store.base import LedgerStore
from giftflow.store.tx import Record, RecordRejectedError, Tx
from tests.ledger.builders import LINKED, WALLET, Code, codes

WAIT_S = 30.0
"""How long a test waits for something that must happen: a guard against hanging, never
a bound on speed."""

ISSUER = AccountId(1)
"""Where coins come from (no limit flag)."""
REVENUE = AccountId(2)
"""Where spent coins go (no limit flag)."""
FIRST_WALLET = 100
WALLETS = 40
WALLET_COINS = 1_000
THREAD_CALLERS = 16
TASK_CALLERS = 16


def wallet(index: int) -> AccountId:
    return AccountId(FIRST_WALLET + index)


def spend(transfer_id: int, wallet_id: AccountId, amount: int, *, flags: int = 0) -> Transfer:
    """Coins from a wallet into the platform's revenue."""
    return Transfer(TransferId(transfer_id), wallet_id, REVENUE, amount, COIN, 2, flags=flags)


def open_books(store: LedgerStore) -> None:
    """The issuer, the revenue account and ``WALLETS`` wallets of ``WALLET_COINS`` each,
    written straight to the store so that no engine has counted a batch yet."""
    accounts = [Account(ISSUER, COIN, 1), Account(REVENUE, COIN, 2)]
    accounts += [Account(wallet(index), COIN, 3, flags=WALLET) for index in range(WALLETS)]
    assert all(result.ok for result in store.create_accounts(accounts, now=time.time_ns()))
    funding = [
        Transfer(TransferId(1 + index), ISSUER, wallet(index), WALLET_COINS, COIN, 1)
        for index in range(WALLETS)
    ]
    assert all(result.ok for result in store.create_transfers(funding, now=time.time_ns()))


class EngineFactory(Protocol):
    def __call__(
        self, *, batch_max: int = BATCH_MAX, queued_max: int = QUEUED_MAX
    ) -> LedgerEngine: ...


@pytest.fixture
def make_engine(store: LedgerStore) -> Iterator[EngineFactory]:
    """Engines over the test's store, its books opened; stopped afterwards (the ``store``
    fixture closes the store)."""
    open_books(store)
    engines: list[LedgerEngine] = []

    def make(*, batch_max: int = BATCH_MAX, queued_max: int = QUEUED_MAX) -> LedgerEngine:
        engine = LedgerEngine(store, batch_max=batch_max, queued_max=queued_max)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.stop()


@pytest.fixture
def engine(make_engine: EngineFactory) -> LedgerEngine:
    return make_engine()


@contextmanager
def writer_held(engine: LedgerEngine) -> Iterator[threading.Event]:
    """Keep the writer thread inside an account operation until the yielded event is set
    (at the latest when the block ends): whatever is submitted meanwhile waits, queued."""
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        inside.set()
        assert release.wait(WAIT_S), "the test never released the writer"

    holder = threading.Thread(target=engine.run, args=(hold,))
    holder.start()
    try:
        assert inside.wait(WAIT_S), "the writer never started the holding operation"
        yield release
    finally:
        release.set()
        holder.join()


def submitted(
    engine: LedgerEngine, transfers: list[Transfer], record: Record | None = None
) -> Future[list[TransferResult]]:
    """Queue a request without waiting for it; the future receives its answer."""
    return engine.submit_future(transfers, record)


def caller_request(caller: int) -> tuple[list[Transfer], list[Code]]:
    """One caller's request, from its own wallet, and the codes it must get back: one to
    three spends and, for every other caller, an overdraft among them. A result handed to
    the wrong caller shows up as a wrong count, code or timestamp."""
    first_id = 10_000 + 10 * caller
    own = wallet(caller)
    transfers = [spend(first_id + n, own, 1 + caller + n) for n in range(1 + caller % 3)]
    expected = [Code.OK] * len(transfers)
    if caller % 2:
        transfers.insert(1, spend(first_id + 9, own, WALLET_COINS + 1))
        expected.insert(1, Code.INSUFFICIENT_FUNDS)
    return transfers, expected


# --- answers and balances ----------------------------------------------------------


def test_create_transfers_answers_each_transfer_and_moves_the_balances(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    alice, bob = wallet(0), wallet(1)

    results = engine.create_transfers(
        [spend(1_000, alice, 300), spend(1_001, bob, WALLET_COINS + 1), spend(1_002, alice, 200)]
    )

    assert codes(results) == [Code.OK, Code.INSUFFICIENT_FUNDS, Code.OK]
    assert results[1].detail == "debit_account_id"
    stored = store.lookup_transfers([TransferId(1_000), TransferId(1_002)])
    assert [t.timestamp for t in stored] == [results[0].timestamp, results[2].timestamp]
    accounts = {account.id: account for account in store.lookup_accounts([alice, bob, REVENUE])}
    assert accounts[alice].balance_posted == WALLET_COINS - 500
    assert accounts[bob].balance_posted == WALLET_COINS
    assert accounts[REVENUE].credits_posted == 500


def test_a_replayed_request_is_answered_exists_and_moves_nothing_twice(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    request = [spend(1_100, wallet(0), 100)]
    (first,) = engine.create_transfers(request)

    (again,) = engine.create_transfers(request)

    assert (first.code, again.code) == (Code.OK, Code.EXISTS)
    assert again.timestamp == first.timestamp
    (alice,) = store.lookup_accounts([wallet(0)])
    assert alice.debits_posted == 100


def test_create_transfers_async_answers_each_transfer_and_moves_the_balances(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    alice = wallet(0)

    async def send() -> tuple[list[TransferResult], list[TransferResult]]:
        first = await engine.create_transfers_async([spend(1_200, alice, 50)])
        second = await engine.create_transfers_async(
            [spend(1_201, alice, WALLET_COINS), spend(1_202, alice, 25)]
        )
        return first, second

    first, second = asyncio.run(send())

    assert codes(first) == [Code.OK]
    assert codes(second) == [Code.INSUFFICIENT_FUNDS, Code.OK]
    (account,) = store.lookup_accounts([alice])
    assert account.balance_posted == WALLET_COINS - 75


# --- group commit ------------------------------------------------------------------


def test_concurrent_callers_share_batches_and_each_get_exactly_their_own_results(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    callers = range(THREAD_CALLERS + TASK_CALLERS)
    requests = {caller: caller_request(caller) for caller in callers}
    by_thread, by_task = callers[:THREAD_CALLERS], callers[THREAD_CALLERS:]

    # The pool outside: on the way out the writer is released before the pool waits.
    with ThreadPoolExecutor(THREAD_CALLERS) as pool, writer_held(engine) as release:
        thread_calls = {c: pool.submit(engine.create_transfers, requests[c][0]) for c in by_thread}

        async def task_callers() -> list[list[TransferResult]]:
            calls = [engine.create_transfers_async(requests[c][0]) for c in by_task]
            tasks = [asyncio.create_task(call) for call in calls]
            await asyncio.sleep(0)  # every task has run up to its await: its request is queued
            release.set()
            return await asyncio.gather(*tasks)

        task_answers = asyncio.run(task_callers())
        answers = {caller: call.result(WAIT_S) for caller, call in thread_calls.items()}
    answers.update(zip(by_task, task_answers, strict=True))

    assert engine.batches < len(callers), "the queued requests were grouped"
    for caller, (transfers, expected) in requests.items():
        results = answers[caller]
        assert codes(results) == expected, f"caller {caller}"
        stored = {t.id: t.timestamp for t in store.lookup_transfers([t.id for t in transfers])}
        timestamps = [stored.get(transfer.id, 0) for transfer in transfers]
        assert [result.timestamp for result in results] == timestamps, f"caller {caller}"


def test_an_open_linked_chain_fails_alone_and_never_links_into_the_next_callers_request(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    alice, bob, carol = wallet(0), wallet(1), wallet(2)

    with writer_held(engine):
        open_ended = submitted(
            engine,
            [
                spend(2_000, alice, 10),
                spend(2_001, alice, 20, flags=LINKED),
                spend(2_002, alice, 30, flags=LINKED),
            ],
        )
        following = submitted(engine, [spend(2_003, bob, 40)])
        closed_chain = submitted(
            engine, [spend(2_004, carol, 50, flags=LINKED), spend(2_005, carol, 60)]
        )

    assert codes(open_ended.result(WAIT_S)) == [
        Code.OK,
        Code.LINKED_EVENT_FAILED,
        Code.LINKED_EVENT_CHAIN_OPEN,
    ]
    assert codes(following.result(WAIT_S)) == [Code.OK]
    assert codes(closed_chain.result(WAIT_S)) == [Code.OK, Code.OK]
    assert engine.batches == 1, "the three requests shared one batch"
    stored = {
        transfer.id
        for transfer in store.lookup_transfers([TransferId(n) for n in range(2_000, 2_006)])
    }
    assert stored == {2_000, 2_003, 2_004, 2_005}
    (account,) = store.lookup_accounts([alice])
    assert account.debits_posted == 10


def test_a_request_whose_record_is_rejected_leaves_the_batch_alone_and_the_rest_commits(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    """A domain record that finds its rows moved on (a compare-and-set that failed)
    takes only its own request out of the batch: its transfers and rows are not kept,
    the other callers' are, in one batch applied again without it."""
    alice, bob = wallet(0), wallet(1)

    def rejecting(tx: Tx, results: list[TransferResult]) -> None:
        tx.execute("UPDATE accounts SET code = code WHERE id = ?", (alice,))
        raise RecordRejectedError("the streak moved on", code="streak_conflict")

    with writer_held(engine):
        rejected = submitted(engine, [spend(3_000, alice, 10)], rejecting)
        kept = submitted(engine, [spend(3_001, bob, 20)])

    with pytest.raises(RecordRejectedError) as raised:
        rejected.result(WAIT_S)
    assert raised.value.code == "streak_conflict"
    assert codes(kept.result(WAIT_S)) == [Code.OK]
    assert engine.batches == 1
    assert [t.id for t in store.lookup_transfers([TransferId(3_000), TransferId(3_001)])] == [3_001]
    alice_account, bob_account = store.lookup_accounts([alice, bob])
    assert (alice_account.debits_posted, bob_account.debits_posted) == (0, 20)
    assert store.reconcile().ok


def test_a_record_that_fails_takes_out_only_its_own_job(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    """Any error from one caller's record (not only a refusal) is that caller's answer:
    the other callers of the batch commit as if it had not been there."""
    alice, bob = wallet(0), wallet(1)

    def failing(tx: Tx, results: list[TransferResult]) -> None:
        raise ValueError("a bug in one caller's record")

    with writer_held(engine):
        failed = submitted(engine, [spend(3_100, alice, 10)], failing)
        kept = submitted(engine, [spend(3_101, bob, 20)])

    with pytest.raises(ValueError, match="a bug"):
        failed.result(WAIT_S)
    assert codes(kept.result(WAIT_S)) == [Code.OK]
    assert [t.id for t in store.lookup_transfers([TransferId(3_100), TransferId(3_101)])] == [3_101]
    assert store.reconcile().ok


def test_a_job_of_parts_commits_together_and_a_refused_part_leaves_only_itself(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    """A job's parts are applied in one transaction with what its finish writes; a part
    whose record refuses it is taken out alone, and the finish hears why."""
    alice, bob = wallet(0), wallet(1)
    seen: list[list[object]] = []

    def refusing(tx: Tx, results: list[TransferResult]) -> None:
        raise RecordRejectedError("moved on", code="streak_conflict")

    def finish(tx: Tx, outcomes: list[Outcome]) -> str:
        seen.append(list(outcomes))
        tx.execute("UPDATE accounts SET code = code WHERE id = ?", (bob,))
        return "kept"

    parts = [
        Part([spend(3_200, alice, 10)], lambda tx, results: "first"),
        Part([spend(3_201, alice, 20)], refusing),
        Part([spend(3_202, bob, 30)]),
    ]
    committed = engine.commit(parts, finish)

    assert committed.value == "kept"
    first, refused, third = committed.outcomes
    assert isinstance(first, Done) and first.value == "first"
    assert isinstance(refused, RecordRejectedError) and refused.code == "streak_conflict"
    assert isinstance(third, Done) and codes(third.results) == [Code.OK]
    assert [
        t.id
        for t in store.lookup_transfers([TransferId(3_200), TransferId(3_201), TransferId(3_202)])
    ] == [3_200, 3_202]
    assert engine.batches == 1


def test_a_job_whose_finish_refuses_it_applies_none_of_its_parts(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    alice, bob = wallet(0), wallet(1)

    def finish(tx: Tx, outcomes: list[Outcome]) -> None:
        raise RecordRejectedError("answered already", code="idempotency_replayed")

    with writer_held(engine):
        refused = engine.commit_future(
            [Part([spend(3_300, alice, 10)]), Part([spend(3_301, alice, 10)])], finish
        )
        kept = submitted(engine, [spend(3_302, bob, 20)])

    with pytest.raises(RecordRejectedError):
        refused.result(WAIT_S)
    assert codes(kept.result(WAIT_S)) == [Code.OK]
    assert [
        t.id
        for t in store.lookup_transfers([TransferId(3_300), TransferId(3_301), TransferId(3_302)])
    ] == [3_302]


def test_a_job_taken_out_hears_why_only_after_the_rest_of_its_batch_committed(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    """A refusal may rest on rows of a try of the batch that was undone (a key kept by
    another job of it): its caller may look again, and must then see what committed."""
    kept_when_refused: list[bool] = []

    def finish(tx: Tx, outcomes: list[Outcome]) -> None:
        raise RecordRejectedError("answered already", code="idempotency_replayed")

    with writer_held(engine):
        kept = submitted(engine, [spend(3_350, wallet(1), 20)])
        refused = engine.commit_future([Part([spend(3_351, wallet(0), 10)])], finish)
        refused.add_done_callback(lambda _: kept_when_refused.append(kept.done()))

    with pytest.raises(RecordRejectedError):
        refused.result(WAIT_S)
    assert codes(kept.result(WAIT_S)) == [Code.OK]
    assert kept_when_refused == [True]  # the batch had committed (and answered) first
    assert [t.id for t in store.lookup_transfers([TransferId(3_350), TransferId(3_351)])] == [3_350]


def test_jobs_without_transfers_write_in_the_batch_of_the_transfers(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    """Domain writes that move no money join the same group commit."""

    def writing(n: int) -> Part:
        def record(tx: Tx, results: list[TransferResult]) -> int:
            tx.execute("UPDATE ledger_state SET id = id")
            return n

        return Part((), record)

    with writer_held(engine):
        writes = [engine.commit_future([writing(n)]) for n in range(5)]
        spent = submitted(engine, [spend(3_400, wallet(0), 1)])
    outcomes = [write.result(WAIT_S).outcomes[0] for write in writes]
    assert [outcome.value for outcome in outcomes if isinstance(outcome, Done)] == list(range(5))
    assert codes(spent.result(WAIT_S)) == [Code.OK]
    assert engine.batches == 1


def test_account_operations_run_in_order_with_the_transfers_queued_around_them(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    newcomer = AccountId(900)

    def pay(transfer_id: int) -> list[Transfer]:
        return [Transfer(TransferId(transfer_id), ISSUER, newcomer, 5, COIN, 1)]

    def open_account() -> list[AccountResult]:
        return store.create_accounts([Account(newcomer, COIN, 3)], now=time.time_ns())

    async def in_order(release: threading.Event) -> tuple[list[TransferResult], ...]:
        before = asyncio.create_task(engine.create_transfers_async(pay(3_000)))
        opening = asyncio.create_task(engine.run_async(open_account))
        after = asyncio.create_task(engine.create_transfers_async(pay(3_001)))
        await asyncio.sleep(0)  # all three are queued, in this order
        release.set()
        await opening
        return await before, await after

    with writer_held(engine) as release:
        before, after = asyncio.run(in_order(release))

    assert codes(before) == [Code.ACCOUNT_NOT_FOUND]
    assert before[0].detail == "credit_account_id"
    assert codes(after) == [Code.OK]


# --- failures and limits -----------------------------------------------------------


def test_a_store_failure_reaches_every_caller_of_the_batch_and_the_writer_carries_on(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    """The store really fails: the test closes it under the engine (no test double)."""

    async def task_caller(release: threading.Event) -> BaseException | list[TransferResult]:
        call = asyncio.create_task(engine.create_transfers_async([spend(4_003, wallet(2), 1)]))
        await asyncio.sleep(0)  # queued behind the two submitted requests
        store.close()
        release.set()
        (outcome,) = await asyncio.gather(call, return_exceptions=True)
        return outcome

    with writer_held(engine) as release:
        first = submitted(engine, [spend(4_000, wallet(0), 1)])
        second = submitted(engine, [spend(4_001, wallet(1), 1), spend(4_002, wallet(1), 1)])
        third = asyncio.run(task_caller(release))

    errors = [first.exception(WAIT_S), second.exception(WAIT_S), third]
    assert isinstance(errors[0], Exception)
    assert errors[0] is errors[1] is errors[2], "one failure, told to every caller"
    assert engine.batches == 0
    assert engine.run(lambda: "still serving") == "still serving"


def test_a_request_larger_than_batch_max_is_refused_whole(
    make_engine: EngineFactory, store: LedgerStore
) -> None:
    engine = make_engine(batch_max=4)
    too_large = [spend(5_000 + n, wallet(n), 1) for n in range(5)]

    with pytest.raises(RequestTooLargeError) as refused:
        engine.create_transfers(too_large)
    with pytest.raises(RequestTooLargeError):
        asyncio.run(engine.create_transfers_async(too_large))

    assert refused.value.code == "request_too_large"
    assert store.lookup_transfers([transfer.id for transfer in too_large]) == []
    assert codes(engine.create_transfers(too_large[:4])) == [Code.OK] * 4


def test_submissions_beyond_queued_max_are_refused_while_the_writer_is_busy(
    make_engine: EngineFactory,
) -> None:
    engine = make_engine(queued_max=6)
    extra = [spend(6_100, wallet(9), 1)]

    with writer_held(engine):
        accepted = [
            submitted(
                engine, [spend(6_000 + 2 * n, wallet(n), 1), spend(6_001 + 2 * n, wallet(n), 1)]
            )
            for n in range(3)
        ]
        with pytest.raises(EngineOverloadedError) as refused:
            engine.create_transfers(extra)
        with pytest.raises(EngineOverloadedError):
            asyncio.run(engine.create_transfers_async(extra))

    assert refused.value.code == "engine_overloaded"
    assert [codes(answer.result(WAIT_S)) for answer in accepted] == [[Code.OK, Code.OK]] * 3
    assert codes(engine.create_transfers(extra)) == [Code.OK], "accepted once the queue drained"


def test_a_closed_engine_refuses_new_work(engine: LedgerEngine) -> None:
    request = [spend(7_000, wallet(0), 1)]

    engine.close()

    with pytest.raises(EngineClosedError) as refused:
        engine.create_transfers(request)
    with pytest.raises(EngineClosedError):
        asyncio.run(engine.create_transfers_async(request))
    with pytest.raises(EngineClosedError):
        engine.run(lambda: None)
    assert refused.value.code == "engine_closed"


def test_close_answers_and_keeps_everything_queued_before_it(
    make_engine: EngineFactory, store: LedgerStore
) -> None:
    engine = make_engine(batch_max=8)
    transfer_ids = [TransferId(8_000 + n) for n in range(120)]

    with writer_held(engine):
        answers = [submitted(engine, [spend(i, wallet(i % WALLETS), 1)]) for i in transfer_ids]
    engine.close()

    assert all(answer.done() for answer in answers), "close() returned before answering"
    assert all(codes(answer.result()) == [Code.OK] for answer in answers)
    reopened = open_store(store.url)
    try:
        assert len(reopened.lookup_transfers(transfer_ids)) == len(transfer_ids)
    finally:
        reopened.close()


def test_a_caller_whose_event_loop_has_closed_does_not_stop_the_engine(
    engine: LedgerEngine, store: LedgerStore
) -> None:
    async def give_up() -> None:
        call = asyncio.create_task(engine.create_transfers_async([spend(9_000, wallet(0), 1)]))
        await asyncio.sleep(0)  # queued
        call.cancel()

    with writer_held(engine):
        asyncio.run(give_up())  # its loop closes while the request still waits

    later = submitted(engine, [spend(9_001, wallet(1), 1)])
    assert codes(later.result(WAIT_S)) == [Code.OK]
    assert len(store.lookup_transfers([TransferId(9_000)])) == 1, (
        "a queued request is applied all the same"
    )
