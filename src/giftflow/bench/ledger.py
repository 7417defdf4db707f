"""``giftflow bench ledger``: gifts from 10,000 viewer wallets into one hot creator.

Each gift is a linked pair: coins out of a viewer's wallet into the platform's gift
revenue, and diamonds from the platform's diamond issuance into the creator's earnings.
The engine (group commit) is measured against a naive baseline in the same run: the
same store, the same gifts, one database transaction per gift.
"""

from __future__ import annotations

import asyncio
import resource
import time
from dataclasses import asdict, dataclass

from giftflow.bench.databases import fresh_databases
from giftflow.bench.figures import percentile
from giftflow.economy.chart import (
    AccountKind,
    TransferCode,
    platform_account,
    unit_of,
    user_account,
)
from giftflow.economy.money import diamond_units
from giftflow.ids import UserId
from giftflow.ledger.accounts import Account, AccountFlags
from giftflow.ledger.limits import AccountId, TransferId
from giftflow.ledger.transfers import Transfer, TransferFlags
from giftflow.ledger.units import COIN, DIAMOND
from giftflow.service.engine import LedgerEngine
from giftflow.store import LedgerStore, open_store

VIEWERS = 10_000
GIFT_COINS = (1, 5, 10, 30, 99, 199, 299)
"""Coin values of the catalog's cheap, streakable gifts (Rose, Finger Heart …)."""
SHARE_BPS = 5_000
CREATOR_USER_ID = UserId(1)
FIRST_VIEWER_USER_ID = 1_000
_WALLET = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS


@dataclass(frozen=True, slots=True)
class LedgerBenchResult:
    backend: str
    gifts: int
    clients: int
    gifts_per_request: int
    engine_gifts_per_s: float
    engine_batches: int
    naive_gifts: int
    naive_gifts_per_s: float
    ratio: float
    p50_ms: float
    p99_ms: float
    peak_rss_mb: float
    reconciled: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _wallet(n: int) -> AccountId:
    return user_account(UserId(FIRST_VIEWER_USER_ID + n), AccountKind.WALLET)


def _accounts() -> list[Account]:
    """The economy's own chart: platform accounts, one creator, 10,000 viewer wallets."""
    platform = [
        Account(platform_account(kind), unit_of(kind), kind)
        for kind in (
            AccountKind.COIN_ISSUANCE,
            AccountKind.GIFT_REVENUE,
            AccountKind.DIAMOND_ISSUANCE,
        )
    ]
    creator = Account(
        user_account(CREATOR_USER_ID, AccountKind.EARNINGS_PENDING),
        DIAMOND,
        AccountKind.EARNINGS_PENDING,
        CREATOR_USER_ID,
        _WALLET,
    )
    viewers = [
        Account(_wallet(n), COIN, AccountKind.WALLET, FIRST_VIEWER_USER_ID + n, _WALLET)
        for n in range(VIEWERS)
    ]
    return [*platform, creator, *viewers]


def _fund(gifts: int) -> list[Transfer]:
    per_viewer = (gifts // VIEWERS + 1) * max(GIFT_COINS)
    issuance = platform_account(AccountKind.COIN_ISSUANCE)
    return [
        Transfer(
            id=TransferId(n + 1),
            debit_account_id=issuance,
            credit_account_id=_wallet(n),
            amount=per_viewer,
            unit=COIN,
            code=TransferCode.PURCHASE,
        )
        for n in range(VIEWERS)
    ]


def gift_pairs(gifts: int, first_id: int) -> list[list[Transfer]]:
    """``gifts`` linked pairs booked as the economy books a gift (coins from a viewer's
    wallet to gift revenue; exact diamond units into the creator's pending earnings),
    viewers taking turns, ids from ``first_id`` upwards."""
    revenue = platform_account(AccountKind.GIFT_REVENUE)
    issuance = platform_account(AccountKind.DIAMOND_ISSUANCE)
    creator = user_account(CREATOR_USER_ID, AccountKind.EARNINGS_PENDING)
    pairs = []
    for n in range(gifts):
        coins = GIFT_COINS[n % len(GIFT_COINS)]
        transfer_id = first_id + 2 * n
        coin_leg = Transfer(
            id=TransferId(transfer_id),
            debit_account_id=_wallet(n % VIEWERS),
            credit_account_id=revenue,
            amount=coins,
            unit=COIN,
            code=TransferCode.GIFT_COINS,
            flags=TransferFlags.LINKED,
            user_data_1=CREATOR_USER_ID,
        )
        diamond_leg = Transfer(
            id=TransferId(transfer_id + 1),
            debit_account_id=issuance,
            credit_account_id=creator,
            amount=diamond_units(coins, SHARE_BPS),
            unit=DIAMOND,
            code=TransferCode.GIFT_DIAMONDS,
            user_data_1=FIRST_VIEWER_USER_ID + n % VIEWERS,
        )
        pairs.append([coin_leg, diamond_leg])
    return pairs


def _prepare(store: LedgerStore, gifts: int) -> None:
    now = time.time_ns()
    results = store.create_accounts(_accounts(), now=now)
    assert all(r.ok for r in results), "bench accounts"
    funded = store.create_transfers(_fund(gifts), now=now)
    assert all(r.ok for r in funded), "bench funding"


def _requests(pairs: list[list[Transfer]], per_request: int) -> list[list[Transfer]]:
    return [
        [transfer for pair in pairs[i : i + per_request] for transfer in pair]
        for i in range(0, len(pairs), per_request)
    ]


async def _drive(engine: LedgerEngine, requests: list[list[Transfer]], clients: int) -> list[float]:
    """``clients`` concurrent callers; each awaits its durable answer before the next."""
    latencies: list[float] = []
    iterator = iter(requests)

    async def client() -> None:
        for request in iterator:
            started = time.perf_counter()
            results = await engine.create_transfers_async(request)
            latencies.append(time.perf_counter() - started)
            if not all(result.ok for result in results):
                raise AssertionError(f"a bench gift failed: {results}")

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies


def run_engine(
    store: LedgerStore, gifts: int, clients: int, per_request: int
) -> tuple[float, list[float], int]:
    _prepare(store, gifts)
    requests = _requests(gift_pairs(gifts, first_id=1_000_000), per_request)
    engine = LedgerEngine(store)
    started = time.perf_counter()
    latencies = asyncio.run(_drive(engine, requests, clients))
    elapsed = time.perf_counter() - started
    batches = engine.batches
    engine.stop()
    return gifts / elapsed, sorted(latencies), batches


def run_naive(store: LedgerStore, gifts: int) -> float:
    """One database transaction per gift: what a straightforward service does."""
    _prepare(store, gifts)
    pairs = gift_pairs(gifts, first_id=1_000_000)
    started = time.perf_counter()
    for pair in pairs:
        results = store.create_transfers(pair, now=time.time_ns())
        if not all(result.ok for result in results):
            raise AssertionError(f"a naive gift failed: {results}")
    return gifts / (time.perf_counter() - started)


def bench_ledger(
    *,
    backend: str,
    gifts: int,
    clients: int,
    per_request: int,
    naive_gifts: int,
    postgres_url: str,
) -> LedgerBenchResult:
    with fresh_databases(backend, postgres_url) as url_for:
        engine_store = open_store(url_for("engine"))
        rate, latencies, batches = run_engine(engine_store, gifts, clients, per_request)
        reconciled = engine_store.reconcile().ok
        engine_store.close()
        naive_store = open_store(url_for("naive"))
        naive_rate = run_naive(naive_store, naive_gifts)
        reconciled = reconciled and naive_store.reconcile().ok
        naive_store.close()
    return LedgerBenchResult(
        backend=backend,
        gifts=gifts,
        clients=clients,
        gifts_per_request=per_request,
        engine_gifts_per_s=round(rate, 1),
        engine_batches=batches,
        naive_gifts=naive_gifts,
        naive_gifts_per_s=round(naive_rate, 1),
        ratio=round(rate / naive_rate, 2),
        p50_ms=round(percentile(latencies, 0.50) * 1000, 3),
        p99_ms=round(percentile(latencies, 0.99) * 1000, 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        reconciled=reconciled,
    )
