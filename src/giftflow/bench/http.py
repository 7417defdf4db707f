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
   ``gift.sent`` at a loopback receiver (``receiver.py``). Single gifts in three modes:
   the outbox only (every gift writes its delivery row; the server runs no delivery
   worker); the server restarted with its worker, delivering every gift as it comes;
   the server restarted without it and ``giftflow webhooks deliver --follow`` as a
   process of its own delivering. Before each mode the line is drained, and after each
   the endpoint is disabled for a run without webhooks: each mode is set against the
   mean of the runs just before and just after it, so that a machine whose load drifts
   (others' work) moves both sides alike.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from giftflow.bench.books import Books, BooksCheck, read_books
from giftflow.bench.databases import fresh_databases
from giftflow.bench.figures import ratio
from giftflow.bench.kill import KillReport, bench_kill
from giftflow.bench.ledger import bench_ledger
from giftflow.bench.population import ROSE_COINS, Population, populate
from giftflow.bench.receiver import BenchReceiver
from giftflow.bench.serving import BenchServer, ServerError, cpu_s, server_environment
from giftflow.bench.wire import request_once
from giftflow.bench.wrk import Workload, WrkRun, run_wrk
from giftflow.http.keys import create_api_key
from giftflow.service.ledger import Ledger

VIEWERS: Final = 1_000
COINS_PER_VIEWER: Final = 200_000
WRK_THREADS: Final = 2
LEDGER_CLIENTS: Final = 1_024
LEDGER_NAIVE_GIFTS: Final = 200
"""``bench ledger``'s baseline is not used here; the least that keeps its run whole."""
DRAINED_TIMEOUT_S: Final = 120.0
WORKER_STARTED: Final = b"delivering webhooks until stopped"
"""What ``giftflow webhooks deliver --follow`` says once it delivers."""
SETTLED_S: Final = 0.5
"""No delivery for this long, once the receiver has what was booked: the line is empty."""


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
    server_cpu_us_per_request: float
    """The server's CPU time (every process of it, user and system) over the answers:
    what a request cost it, whatever else the machine ran meanwhile."""

    @classmethod
    def of(cls, run: WrkRun, server_cpu_s: float) -> Measure:
        return cls(
            requests_per_s=round(run.requests_per_s, 1),
            gifts_per_s=round(run.gifts_per_s, 1),
            p50_ms=run.p50_ms,
            p99_ms=run.p99_ms,
            answered=run.answered,
            unanswered=run.unanswered,
            statuses=run.statuses,
            errors=run.errors,
            server_cpu_us_per_request=round(server_cpu_s * 1e6 / max(run.answered, 1), 1),
        )


@dataclass(frozen=True, slots=True)
class WebhookMeasure:
    """Single gifts with one subscribed endpoint, and after it was disabled."""

    outbox: Measure
    """Subscribed, no worker: the cost of the outbox rows in the gifts' transactions."""
    delivering: Measure
    """Subscribed, the server's worker delivering at the same time."""
    separate: Measure
    """Subscribed, the server without its worker, ``giftflow webhooks deliver
    --follow`` delivering from a process of its own."""
    between: tuple[Measure, Measure]
    """The endpoint disabled, after the outbox run and after the delivering run (the
    server's worker on in the first, off in the second)."""
    gift_after: Measure
    """The endpoint disabled, after the own-process run."""
    outbox_vs_without: float
    delivering_vs_without: float
    separate_vs_without: float
    """Each run's req/s over the mean of the runs without webhooks on either side."""
    outbox_cpu_vs_without: float
    delivering_cpu_vs_without: float
    separate_cpu_vs_without: float
    """Each run's server CPU per request over the mean of the runs on either side (above
    100 %: a gift costs the server more)."""
    worker_cpu_us_per_delivery: float
    """The own-process worker's CPU time over the deliveries of its run."""
    delivered: int
    """Deliveries of the delivering run's gifts (counted once the line is empty)."""
    delivered_separate: int
    """Deliveries of the own-process run's gifts (counted once the line is empty)."""


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
        else _webhook_measure(gift, runs.webhook, runs.server_cpu_s),
    )


@dataclass(frozen=True, slots=True)
class _WebhookRuns:
    outbox: WrkRun
    delivering: WrkRun
    separate: WrkRun
    between: tuple[WrkRun, WrkRun]
    gift_after: WrkRun
    delivered: int
    delivered_separate: int
    worker_cpu_s: float


@dataclass(frozen=True, slots=True)
class _Runs:
    main: tuple[WrkRun, WrkRun, WrkRun]
    webhook: _WebhookRuns | None
    server_cpu_s: dict[str, float]
    """Per run, by its name: what it cost the server (``Measure.server_cpu_…``)."""

    @property
    def gift_runs(self) -> list[WrkRun]:
        hooked = self.webhook
        extra = (
            []
            if hooked is None
            else [
                hooked.outbox,
                hooked.delivering,
                hooked.separate,
                *hooked.between,
                hooked.gift_after,
            ]
        )
        return [self.main[1], *extra]


def _webhook_measure(
    without: Measure, runs: _WebhookRuns, server_cpu_s: dict[str, float]
) -> WebhookMeasure:
    def measure(run: WrkRun, name: str) -> Measure:
        return Measure.of(run, server_cpu_s[name])

    outbox, delivering = measure(runs.outbox, "-outbox"), measure(runs.delivering, "-hook")
    separate, after = measure(runs.separate, "-separate"), measure(runs.gift_after, "-after")
    first, second = measure(runs.between[0], "-between-1"), measure(runs.between[1], "-between-2")

    def against(measure: Measure, before: Measure, after: Measure) -> float:
        return ratio(measure.requests_per_s, (before.requests_per_s + after.requests_per_s) / 2)

    def cpu_against(measure: Measure, before: Measure, after: Measure) -> float:
        mean = (before.server_cpu_us_per_request + after.server_cpu_us_per_request) / 2
        return ratio(measure.server_cpu_us_per_request, mean)

    return WebhookMeasure(
        outbox,
        delivering,
        separate,
        (first, second),
        after,
        outbox_vs_without=against(outbox, without, first),
        delivering_vs_without=against(delivering, first, second),
        separate_vs_without=against(separate, second, after),
        outbox_cpu_vs_without=cpu_against(outbox, without, first),
        delivering_cpu_vs_without=cpu_against(delivering, first, second),
        separate_cpu_vs_without=cpu_against(separate, second, after),
        worker_cpu_us_per_delivery=round(
            runs.worker_cpu_s * 1e6 / max(runs.delivered_separate, 1), 1
        ),
        delivered=runs.delivered,
        delivered_separate=runs.delivered_separate,
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
        hooked = None if hook_key is None else _with_webhook(server, hook_key, wrk, options)
        batch = wrk(Workload.BATCH, options.batch_connections)
    return _Runs((health, gift, batch), hooked, server_cpu_s)


def _with_webhook(
    server: BenchServer,
    key: str,
    wrk: Callable[[Workload, int, str], WrkRun],
    options: HttpBenchOptions,
) -> _WebhookRuns:
    headers = {"authorization": f"Bearer {key}"}

    def gifts(name: str) -> WrkRun:
        return wrk(Workload.GIFT, options.connections, name)

    with BenchReceiver() as receiver:
        body = {"url": receiver.url, "event_types": ["gift.sent"]}
        created = request_once(
            server.base_url, "POST", "/v1/webhook-endpoints", headers=headers, body=body
        )
        if created.status != 201:
            raise ServerError(f"the bench's webhook endpoint was refused: {created.body!r}")
        path = f"/v1/webhook-endpoints/{created.json()['id']}"

        def enable(enabled: bool) -> None:
            body = {"enabled": enabled}
            request_once(server.base_url, "PATCH", path, headers=headers, body=body)

        outbox = gifts("-outbox")
        enable(False)  # its rows wait in the line
        first = gifts("-between-1")
        _restart(server, worker=True)
        enable(True)
        booked = _drained(receiver, outbox.gifts_ok)
        delivering = gifts("-hook")
        delivered = _drained(receiver, booked + delivering.gifts_ok) - booked
        enable(False)
        second = gifts("-between-2")
        _restart(server, worker=False)
        with _DeliveryProcess(server) as worker:
            enable(True)
            booked += delivered
            worker_before = worker.cpu_s()
            separate = gifts("-separate")
            delivered_separate = _drained(receiver, booked + separate.gifts_ok) - booked
            worker_cpu_s = worker.cpu_s() - worker_before
            enable(False)
    after = gifts("-after")
    return _WebhookRuns(
        outbox,
        delivering,
        separate,
        (first, second),
        after,
        delivered,
        delivered_separate,
        worker_cpu_s,
    )


def _restart(server: BenchServer, *, worker: bool) -> None:
    server.stop()
    server.environment["GIFTFLOW_WEBHOOKS_WORKER"] = "true" if worker else "false"
    server.start()


def _drained(receiver: BenchReceiver, booked: int) -> int:
    """Until the receiver has at least ``booked`` deliveries and no more arrive (the
    next run starts with an empty line, so that it measures delivering as gifts come,
    not a backlog caught up); what it has received by then."""
    deadline = time.monotonic() + DRAINED_TIMEOUT_S
    seen = -1
    while time.monotonic() < deadline:
        if receiver.received >= booked and receiver.received == seen:
            return seen
        seen = receiver.received
        time.sleep(SETTLED_S)
    raise ServerError(f"{receiver.received} of {booked} webhooks delivered in time")


class _DeliveryProcess:
    """``giftflow webhooks deliver --follow`` with the server's environment, beside it;
    entered once it has started (its imports and its look at the schema are no part of
    what a run measures)."""

    def __init__(self, server: BenchServer) -> None:
        self._server = server
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> _DeliveryProcess:
        command = [sys.executable, "-m", "giftflow", "webhooks", "deliver", "--follow"]
        with self._server.log_path.open("ab") as log:
            offset = log.tell()
            self._process = subprocess.Popen(
                command,
                env=self._server.environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_started(offset)
        return self

    def _wait_started(self, offset: int) -> None:
        assert self._process is not None, "the worker was started"
        deadline = time.monotonic() + DRAINED_TIMEOUT_S
        while time.monotonic() < deadline and self._process.poll() is None:
            with self._server.log_path.open("rb") as log:
                log.seek(offset)
                if WORKER_STARTED in log.read():
                    return
            time.sleep(SETTLED_S / 10)
        tail = self._server.log_tail()
        raise ServerError(f"giftflow webhooks deliver --follow did not start:\n{tail}")

    def cpu_s(self) -> float:
        assert self._process is not None, "the worker was started"
        return cpu_s({self._process.pid})

    def __exit__(self, *_: object) -> None:
        assert self._process is not None, "the worker was started"
        self._process.send_signal(signal.SIGINT)  # it finishes its pass and exits
        try:
            self._process.wait(DRAINED_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


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
