"""``giftflow bench http``: a real ``giftflow serve`` in a subprocess, driven by wrk
from another process, on a fresh store; every figure and ratio from one run.

1. A fresh database (a temporary SQLite file, or ``giftflow_bench_http_<run>`` created on
   the PostgreSQL server), one creator and 1,000 viewers with coins, set up through
   the Python API before the server starts (``population.py``).
2. ``giftflow serve --workers N`` on a free loopback port (``serving.py``).
3. wrk, ``duration_s`` each: ``GET /health``; single ``POST /v1/gifts`` at
   ``connections``; ``POST /v1/gifts/batch`` of ``batch_size`` gifts at
   ``batch_connections`` (``wrk.lua``: every request its own ``Idempotency-Key``, every
   gift its own ``event_id``).
4. The server stops; the books are read (``books.py``): the viewers' wallets paid
   exactly the booked gifts, each once; every acknowledged gift is booked; at most
   the requests still unanswered when wrk stopped were booked besides; reconciled.
5. ``bench ledger`` on the same backend, short, for the batch ratio.
6. With ``kills``, the SIGKILL burst of ``kill.py`` on a database of its own.
7. With ``webhook``, after the first single-gift run: the outbox, the server's delivery
   child (the default) and a worker of its own beside the server, each set against the
   runs without webhooks either side of it (``http_webhooks.py``).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from giftflow.bench.books import Books, BooksCheck, read_books
from giftflow.bench.databases import fresh_databases
from giftflow.bench.figures import ratio
from giftflow.bench.http_webhooks import (
    WebhookMeasure,
    WebhookRuns,
    webhook_key,
    webhook_measure,
    with_webhook,
)
from giftflow.bench.kill import KillReport, bench_kill
from giftflow.bench.ledger import bench_ledger
from giftflow.bench.population import ROSE_COINS, Population, populate
from giftflow.bench.serving import BenchServer, server_environment
from giftflow.bench.wrk import Measure, Workload, WrkRun, run_wrk

VIEWERS: Final = 1_000
COINS_PER_VIEWER: Final = 200_000
WRK_THREADS: Final = 2
LEDGER_CLIENTS: Final = 1_024
LEDGER_NAIVE_GIFTS: Final = 200
"""``bench ledger``'s baseline is not used here; the least that keeps its run whole."""


@dataclass(frozen=True, slots=True)
class HttpBenchOptions:
    backend: str = "sqlite"
    workers: int = 1
    duration_s: float = 10.0
    connections: int = 64
    batch_size: int = 500
    batch_connections: int = 8
    ledger_gifts: int = 50_000
    kills: int = 0
    webhook: bool = False
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class HttpBenchResult:
    backend: str
    workers: int
    duration_s: float
    connections: int
    batch_size: int
    batch_connections: int
    health: Measure
    gift: Measure
    batch: Measure
    gift_vs_health: float
    ledger_gifts_per_s: float
    batch_vs_ledger: float
    books: BooksCheck
    kill: KillReport | None
    webhook: WebhookMeasure | None = None

    @property
    def ok(self) -> bool:
        return self.books.ok and (self.kill is None or self.kill.ok)

    def as_dict(self) -> dict[str, object]:
        figures = asdict(self)
        figures["books"] |= {"ok": self.books.ok}
        figures["kill"] = None if self.kill is None else self.kill.as_dict()
        return figures | {"ok": self.ok}


def bench_http(options: HttpBenchOptions) -> HttpBenchResult:
    with (
        fresh_databases(options.backend, options.postgres_url) as url_for,
        tempfile.TemporaryDirectory(prefix="giftflow-bench-http-") as temporary,
    ):
        folder = Path(temporary)
        url = url_for("http")
        population = populate(url, viewers=VIEWERS, coins_per_viewer=COINS_PER_VIEWER)
        hook_key = webhook_key(url) if options.webhook else None
        runs = _drive(options, population, _server(url, options.workers, folder, "serve"), hook_key)
        books = _check(options, runs, read_books(url, population.viewer_ids))
        ledger = bench_ledger(
            backend=options.backend,
            gifts=options.ledger_gifts,
            clients=LEDGER_CLIENTS,
            per_request=1,
            naive_gifts=LEDGER_NAIVE_GIFTS,
            postgres_url=options.postgres_url,
        )
        kill = _kill(options, url_for("http_kill"), folder) if options.kills else None
    health, gift, batch = (
        Measure.of(run, runs.server_cpu_s[name])
        for run, name in zip(runs.main, ("health", "gift", "batch"), strict=True)
    )
    return HttpBenchResult(
        backend=options.backend,
        workers=options.workers,
        duration_s=options.duration_s,
        connections=options.connections,
        batch_size=options.batch_size,
        batch_connections=options.batch_connections,
        health=health,
        gift=gift,
        batch=batch,
        gift_vs_health=ratio(gift.requests_per_s, health.requests_per_s),
        ledger_gifts_per_s=ledger.engine_gifts_per_s,
        batch_vs_ledger=ratio(batch.gifts_per_s, ledger.engine_gifts_per_s),
        books=books,
        kill=kill,
        webhook=None
        if runs.webhook is None
        else webhook_measure(gift, runs.webhook, runs.server_cpu_s),
    )


@dataclass(frozen=True, slots=True)
class _Runs:
    main: tuple[WrkRun, WrkRun, WrkRun]
    webhook: WebhookRuns | None
    server_cpu_s: dict[str, float]
    """Per run, by its name: what it cost the server (``Measure.server_cpu_…``)."""

    @property
    def gift_runs(self) -> list[WrkRun]:
        return [self.main[1], *([] if self.webhook is None else self.webhook.gift_runs)]


def _server(url: str, workers: int, folder: Path, name: str) -> BenchServer:
    environment = server_environment(url, folder=folder) | {
        "GIFTFLOW_WEBHOOKS_ALLOW_PRIVATE": "true",  # the bench's receiver is on loopback
        "GIFTFLOW_WEBHOOKS_ALLOW_HTTP": "true",
        "GIFTFLOW_WEBHOOKS_WORKER": "false",  # until the webhook runs want it
    }
    return BenchServer(environment, workers=workers, log_path=folder / f"{name}.log")


def _drive(
    options: HttpBenchOptions,
    population: Population,
    server: BenchServer,
    hook_key: str | None,
) -> _Runs:
    target = population.target(batch_size=options.batch_size)
    prefix = f"http-{time.time_ns()}"

    server_cpu_s: dict[str, float] = {}

    def wrk(workload: Workload, connections: int, name: str = "") -> WrkRun:
        before = server.cpu_s()
        run = run_wrk(
            server.base_url,
            workload,
            target=target,
            prefix=prefix + name,
            connections=connections,
            threads=WRK_THREADS,
            duration_s=options.duration_s,
        )
        server_cpu_s[name or workload.value] = server.cpu_s() - before
        return run

    with server:
        health = wrk(Workload.HEALTH, options.connections)
        gift = wrk(Workload.GIFT, options.connections)
        hooked = (
            None
            if hook_key is None
            else with_webhook(
                server, hook_key, lambda name: wrk(Workload.GIFT, options.connections, name)
            )
        )
        batch = wrk(Workload.BATCH, options.batch_connections)
    return _Runs((health, gift, batch), hooked, server_cpu_s)


def _check(options: HttpBenchOptions, runs: _Runs, books: Books) -> BooksCheck:
    gifts, batch = runs.gift_runs, runs.main[2]
    return BooksCheck.of(
        books,
        acknowledged_coins=(sum(run.gifts_ok for run in gifts) + batch.gifts_ok) * ROSE_COINS,
        unanswered_coins=(
            sum(run.unanswered for run in gifts) + batch.unanswered * options.batch_size
        )
        * ROSE_COINS,
    )


def _kill(options: HttpBenchOptions, url: str, folder: Path) -> KillReport:
    population = populate(url, viewers=VIEWERS, coins_per_viewer=COINS_PER_VIEWER)
    server = _server(url, options.workers, folder, "kill")
    return bench_kill(population, server, database_url=url, kills=options.kills, folder=folder)
