"""Two processes write one PostgreSQL ledger at once and money still adds up.

Each worker process opens its own ``PostgresStore`` and spends from the same 20 small
wallets into one shared account, about twice what the wallets hold, with transfer ids
that both workers submit: ``SAME`` ids with identical fields, ``DIFFERENT`` ids that
differ in ``user_data_1``. Both walk these shared sequences block by block, each block
in its own shuffled order, so either may be first. Whatever the interleaving, every id
is applied once, no wallet is overdrawn and the ledger reconciles.

This module is also the worker: run as ``python test_postgres_processes.py URL WORKER``
it opens the store, prints ``ready``, waits for a line on stdin (so that both workers
start together), submits ``BATCHES`` batches and prints the result code of every id it
submitted as one JSON line. (A fixed count rather than a duration, so that a slow
machine tests as much; pytest's importlib mode would not find a sibling helper module.)
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from giftflow.ledger import (
    COIN,
    Account,
    AccountFlags,
    AccountId,
    Transfer,
    TransferId,
    TransferResultCode,
    reconcile,
)
from giftflow.store.postgres import PostgresStore

pytestmark = pytest.mark.postgres

SINK = AccountId(1)
"""The one shared account every wallet spends into."""
ISSUER = AccountId(2)
WALLETS = [AccountId(100 + index) for index in range(20)]
WALLET_COINS = 2_500
SAME_BASE = 1_000_000
DIFFERENT_BASE = 2_000_000
SHARED_SPAN = 1_000_000
"""Ids per shared sequence: room for far more than ``BATCHES`` batches use."""
OWN_BASE = 10_000_000
"""Worker n's own ids start at ``(n + 1) * OWN_BASE``."""
AMOUNT_MAX = 20
BATCH_SHARED = 2
"""Ids from each shared sequence per batch; the rest of a batch is the worker's own."""
BATCH_OWN = 6
BATCHES = 600
BLOCK = 8
WORKERS = 2
TIMEOUT_S = 60

OK = TransferResultCode.OK.value
EXISTS = TransferResultCode.EXISTS.value
DIFFERENT = TransferResultCode.EXISTS_WITH_DIFFERENT_FIELDS.value
REFUSED = TransferResultCode.INSUFFICIENT_FUNDS.value
Results = dict[int, str]


# --- the worker --------------------------------------------------------------------


def spend(transfer_id: int, wallet: AccountId, amount: int) -> Transfer:
    return Transfer(TransferId(transfer_id), wallet, SINK, amount, COIN, 1)


def same(index: int) -> Transfer:
    """The ``index``-th shared transfer that both workers submit identically."""
    return spend(SAME_BASE + index, WALLETS[index % len(WALLETS)], 1 + index % AMOUNT_MAX)


def different(index: int, worker: int) -> Transfer:
    """The ``index``-th shared id, which each worker fills in with its own user data."""
    wallet = WALLETS[(index * 7) % len(WALLETS)]
    transfer = spend(DIFFERENT_BASE + index, wallet, 1 + (index * 3) % AMOUNT_MAX)
    return transfer._replace(user_data_1=worker + 1)


def in_sequence(transfer_id: int, base: int) -> bool:
    """Whether the id belongs to the shared sequence starting at ``base``."""
    return base <= transfer_id < base + SHARED_SPAN


def shared_order(worker: int, seed: int) -> Iterator[int]:
    """Indices 0, 1, 2, ... of a shared sequence, each block shuffled for this worker."""
    rng = random.Random(seed * 10 + worker)
    for start in itertools.count(0, BLOCK):
        block = list(range(start, start + BLOCK))
        rng.shuffle(block)
        yield from block


def batches(worker: int) -> Iterator[list[Transfer]]:
    """``BATCHES`` batches: shared ids and the worker's own, shuffled together."""
    rng = random.Random(worker)
    same_order = shared_order(worker, seed=1)
    different_order = shared_order(worker, seed=2)
    own_ids = itertools.count((worker + 1) * OWN_BASE)
    for _ in range(BATCHES):
        batch = [same(next(same_order)) for _ in range(BATCH_SHARED)]
        batch += [different(next(different_order), worker) for _ in range(BATCH_SHARED)]
        batch += [
            spend(next(own_ids), rng.choice(WALLETS), rng.randint(1, AMOUNT_MAX))
            for _ in range(BATCH_OWN)
        ]
        rng.shuffle(batch)
        yield batch


def hammer(store: PostgresStore, worker: int) -> Results:
    results: Results = {}
    for batch in batches(worker):
        outcome = store.create_transfers(batch, now=time.time_ns())
        results.update(
            (transfer.id, result.code.value)
            for transfer, result in zip(batch, outcome, strict=True)
        )
    return results


def main(url: str, worker: int) -> None:
    store = PostgresStore(url)
    try:
        print("ready", flush=True)
        sys.stdin.readline()
        results = hammer(store, worker)
    finally:
        store.close()
    print(json.dumps(results), flush=True)


# --- the test ----------------------------------------------------------------------


def open_ledger(store: PostgresStore) -> None:
    """The shared sink, an issuer, and 20 wallets holding ``WALLET_COINS`` each."""
    wallet = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
    accounts = [Account(SINK, COIN, 1), Account(ISSUER, COIN, 1)]
    accounts += [Account(wallet_id, COIN, 1, flags=wallet) for wallet_id in WALLETS]
    assert all(result.ok for result in store.create_accounts(accounts, now=0))
    funding = [
        Transfer(TransferId(index + 1), ISSUER, wallet_id, WALLET_COINS, COIN, 1)
        for index, wallet_id in enumerate(WALLETS)
    ]
    assert all(result.ok for result in store.create_transfers(funding, now=0))


def run_workers(url: str) -> list[Results]:
    """Start both workers, release them together once both are connected."""
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, url, str(worker)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(WORKERS)
    ]
    try:
        outputs = _release(workers)
    finally:
        for worker in workers:  # a failed start must not leave the other one waiting
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    return [{int(key): code for key, code in json.loads(out).items()} for out, _ in outputs]


def _release(workers: list[subprocess.Popen[str]]) -> list[tuple[str, str]]:
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready", "a worker could not open the store"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = [worker.communicate(timeout=TIMEOUT_S) for worker in workers]
    for worker, (_, errors) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, errors
    return outputs


def shared_outcomes(first: Results, second: Results, base: int) -> Counter[tuple[str, str]]:
    """How each shared id of one sequence ended in both workers, as sorted code pairs."""
    ids = {key for key in first.keys() & second.keys() if in_sequence(key, base)}
    pairs = (tuple(sorted((first[key], second[key]))) for key in ids)
    return Counter((pair[0], pair[1]) for pair in pairs)


def test_two_processes_never_overdraw_and_apply_each_id_once(
    postgres_store: PostgresStore,
) -> None:
    open_ledger(postgres_store)

    first, second = run_workers(postgres_store.url)

    wallets = postgres_store.lookup_accounts(WALLETS)
    assert all(w.debits_posted + w.debits_pending <= w.credits_posted for w in wallets)
    transfers = list(postgres_store.iter_transfers())
    assert len({transfer.id for transfer in transfers}) == len(transfers)
    (sink,) = postgres_store.lookup_accounts([SINK])
    assert sum(wallet.debits_posted for wallet in wallets) == sink.credits_posted

    spent = {each.id: each for each in transfers if each.credit_account_id == SINK}
    ok_first = {key for key, code in first.items() if code == OK}
    ok_second = {key for key, code in second.items() if code == OK}
    assert not ok_first & ok_second, "an id was applied by both processes"
    assert ok_first | ok_second == spent.keys()
    assert len(ok_first) + len(ok_second) == len(spent)
    assert sum(transfer.amount for transfer in spent.values()) == sink.credits_posted

    codes = Counter([*first.values(), *second.values()])
    assert codes.keys() <= {OK, EXISTS, DIFFERENT, REFUSED}, codes
    assert codes[REFUSED] > 0, "the wallets must run dry"
    for key, transfer in spent.items():
        if in_sequence(key, DIFFERENT_BASE):
            applier = 1 if key in ok_first else 2
            assert transfer.user_data_1 == applier, "the stored fields are the applier's"

    # Wallets only ever lose funds here, so a shared id refused to one worker is refused
    # to the other too; once applied, the other worker is told it exists.
    same_ids = shared_outcomes(first, second, SAME_BASE)
    assert same_ids.keys() <= {(EXISTS, OK), (REFUSED, REFUSED)}, same_ids
    assert same_ids[(EXISTS, OK)] > 0
    assert EXISTS in first.values(), "each process must lose some races"
    assert EXISTS in second.values(), "each process must lose some races"
    different_ids = shared_outcomes(first, second, DIFFERENT_BASE)
    assert different_ids.keys() <= {(DIFFERENT, OK), (REFUSED, REFUSED)}, different_ids
    assert different_ids[(DIFFERENT, OK)] > 0

    report = reconcile(
        postgres_store.iter_accounts(),
        postgres_store.iter_transfers(),
        postgres_store.pending_statuses(),
    )
    assert report.ok, (report.mismatches, report.problems)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
