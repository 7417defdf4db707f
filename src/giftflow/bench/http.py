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
7. With ``webhook``, after the first single-gift run: a webhook endpoint subscribed to
   ``gift.sent`` at a loopback receiver (``receiver.py``). Single gifts again, three
   times: with the outbox only (every gift writes its delivery row; the server runs no
   delivery worker), then, the server restarted with its worker, with deliveries made
   meanwhile, then with the endpoint disabled. Each is set against the mean of the two
   runs without an endpoint.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from giftflow.api.auth import create_api_key
from giftflow.bench.books import Books, BooksCheck, read_books
from giftflow.bench.databases import fresh_databases
from giftflow.bench.figures import ratio
from giftflow.bench.kill import KillReport, bench_kill
from giftflow.bench.ledger import bench_ledger
from giftflow.bench.population import ROSE_COINS, Population, populate
from giftflow.bench.receiver import BenchReceiver
from giftflow.bench.serving import BenchServer, ServerError, server_environment
from giftflow.bench.wire import request_once
from giftflow.bench.wrk import Workload, WrkRun, run_wrk
from giftflow.service.ledger import Ledger

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
class Measure:
    """One wrk run: answers a second, gifts booked a second, latency per request."""

    requests_per_s: float
    gifts_per_s: float
    p50_ms: float
    p99_ms: float
    answered: int
    unanswered: int
    statuses: dict[str, int]
    errors: dict[str, int]

    @classmethod
    def of(cls, run: WrkRun) -> Measure:
        return cls(
            requests_per_s=round(run.requests_per_s, 1),
            gifts_per_s=round(run.gifts_per_s, 1),
            p50_ms=run.p50_ms,
            p99_ms=run.p99_ms,
            answered=run.answered,
            unanswered=run.unanswered,
            statuses=run.statuses,
            errors=run.errors,
        )


@dataclass(frozen=True, slots=True)
class WebhookMeasure:
    """Single gifts with one subscribed endpoint, and after it was disabled."""

    outbox: Measure
    """Subscribed, no worker: the cost of the outbox rows in the gifts' transactions."""
    delivering: Measure
    """Subscribed, the server's worker delivering at the same time."""
    gift_after: Measure
    outbox_vs_without: float
    delivering_vs_without: float
    """Each run's req/s over the mean of the first gift run and ``gift_after``."""
    delivered: int
    """Deliveries the receiver got during the delivering run."""


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
        hook_key = _webhook_key(url) if options.webhook else None
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
    health, gift, batch = (Measure.of(run) for run in runs.main)
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
        webhook=None if runs.webhook is None else _webhook_measure(gift, runs.webhook),
    )


@dataclass(frozen=True, slots=True)
class _WebhookRuns:
    outbox: WrkRun
    delivering: WrkRun
    gift_after: WrkRun
    delivered: int


@dataclass(frozen=True, slots=True)
class _Runs:
    main: tuple[WrkRun, WrkRun, WrkRun]
    webhook: _WebhookRuns | None

    @property
    def gift_runs(self) -> list[WrkRun]:
        hooked = self.webhook
        extra = [] if hooked is None else [hooked.outbox, hooked.delivering, hooked.gift_after]
        return [self.main[1], *extra]


def _webhook_measure(without: Measure, runs: _WebhookRuns) -> WebhookMeasure:
    outbox, delivering = Measure.of(runs.outbox), Measure.of(runs.delivering)
    after = Measure.of(runs.gift_after)
    mean = (without.requests_per_s + after.requests_per_s) / 2
    return WebhookMeasure(
        outbox,
        delivering,
        after,
        outbox_vs_without=ratio(outbox.requests_per_s, mean),
        delivering_vs_without=ratio(delivering.requests_per_s, mean),
        delivered=runs.delivered,
    )


def _webhook_key(url: str) -> str:
    with Ledger.open(url) as ledger:
        return create_api_key(ledger, name="bench webhooks", scopes=["webhooks:write"]).key


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

    def wrk(workload: Workload, connections: int, name: str = "") -> WrkRun:
        return run_wrk(
            server.base_url,
            workload,
            target=target,
            prefix=prefix + name,
            connections=connections,
            threads=WRK_THREADS,
            duration_s=options.duration_s,
        )

    with server:
        health = wrk(Workload.HEALTH, options.connections)
        gift = wrk(Workload.GIFT, options.connections)
        hooked = None if hook_key is None else _with_webhook(server, hook_key, wrk, options)
        batch = wrk(Workload.BATCH, options.batch_connections)
    return _Runs((health, gift, batch), hooked)


def _with_webhook(
    server: BenchServer,
    key: str,
    wrk: Callable[[Workload, int, str], WrkRun],
    options: HttpBenchOptions,
) -> _WebhookRuns:
    headers = {"authorization": f"Bearer {key}"}
    with BenchReceiver() as receiver:
        body = {"url": receiver.url, "event_types": ["gift.sent"]}
        created = request_once(
            server.base_url, "POST", "/v1/webhook-endpoints", headers=headers, body=body
        )
        if created.status != 201:
            raise ServerError(f"the bench's webhook endpoint was refused: {created.body!r}")
        path = f"/v1/webhook-endpoints/{created.json()['id']}"
        outbox = wrk(Workload.GIFT, options.connections, "-outbox")
        server.stop()
        server.environment["GIFTFLOW_WEBHOOKS_WORKER"] = "true"
        server.start()
        before = receiver.received
        delivering = wrk(Workload.GIFT, options.connections, "-hook")
        delivered = receiver.received - before
        request_once(server.base_url, "PATCH", path, headers=headers, body={"enabled": False})
    after = wrk(Workload.GIFT, options.connections, "-after")
    return _WebhookRuns(outbox, delivering, after, delivered)


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
