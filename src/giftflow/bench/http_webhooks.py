"""``giftflow bench http --webhook``: single gifts with a webhook endpoint subscribed to
``gift.sent`` at a loopback receiver (``receiver.py``), in three modes, after the first
single-gift run of ``http.py``:

1. the outbox only: every gift writes its delivery row; nothing delivers;
2. the default deployment: the server restarted with its worker, which ``giftflow
   serve`` runs as a child process of its own (decisions/0112), delivering every gift
   as it comes;
3. the server restarted without it and ``giftflow webhooks deliver --follow`` as a
   process of its own beside it.

Before each mode the line is drained, and after each the endpoint is disabled for a run
without webhooks: each mode is set against the mean of the runs just before and just
after it, so that a machine whose load drifts (others' work) moves both sides alike
(decisions/0067). The server's CPU is its session's: the serving processes, not the
delivery child (a session of its own) nor the process beside it, whose CPU a delivery
is reported apart.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from giftflow.bench.figures import ratio
from giftflow.bench.receiver import BenchReceiver
from giftflow.bench.serving import BenchServer, ServerError, cpu_s
from giftflow.bench.wire import request_once
from giftflow.bench.wrk import Measure, WrkRun
from giftflow.http.keys import create_api_key
from giftflow.service.ledger import Ledger

DRAINED_TIMEOUT_S: Final = 120.0
WORKER_STARTED: Final = b"delivering webhooks until stopped"
"""What ``giftflow webhooks deliver --follow`` says once it delivers (the server's
child says it too)."""
SETTLED_S: Final = 0.5
"""No delivery for this long, once the receiver has what was booked: the line is empty."""

Gifts = Callable[[str], WrkRun]
"""A single-gift wrk run of the given name (its server CPU recorded under it)."""


@dataclass(frozen=True, slots=True)
class WebhookMeasure:
    """Single gifts with one subscribed endpoint, and after it was disabled."""

    outbox: Measure
    """Subscribed, no worker: the cost of the outbox rows in the gifts' transactions."""
    delivering: Measure
    """Subscribed, the default: the server's child process delivering meanwhile."""
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
    """Each run's serving CPU per request over the mean of the runs on either side
    (above 100 %: a gift costs the serving processes more)."""
    child_cpu_us_per_delivery: float
    """The server's delivery child's CPU time over the deliveries of its run."""
    worker_cpu_us_per_delivery: float
    """The own-process worker's CPU time over the deliveries of its run."""
    delivered: int
    """Deliveries of the delivering run's gifts (counted once the line is empty)."""
    delivered_separate: int
    """Deliveries of the own-process run's gifts (counted once the line is empty)."""


@dataclass(frozen=True, slots=True)
class WebhookRuns:
    """The wrk runs of the three modes and what their workers did."""

    outbox: WrkRun
    delivering: WrkRun
    separate: WrkRun
    between: tuple[WrkRun, WrkRun]
    gift_after: WrkRun
    delivered: int
    delivered_separate: int
    child_cpu_s: float
    worker_cpu_s: float

    @property
    def gift_runs(self) -> list[WrkRun]:
        return [self.outbox, self.delivering, self.separate, *self.between, self.gift_after]


def webhook_measure(
    without: Measure, runs: WebhookRuns, server_cpu_s: dict[str, float]
) -> WebhookMeasure:
    """The modes' figures, each against the runs without webhooks either side of it."""

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
        child_cpu_us_per_delivery=_per_delivery(runs.child_cpu_s, runs.delivered),
        worker_cpu_us_per_delivery=_per_delivery(runs.worker_cpu_s, runs.delivered_separate),
        delivered=runs.delivered,
        delivered_separate=runs.delivered_separate,
    )


def _per_delivery(cpu_s: float, delivered: int) -> float:
    return round(cpu_s * 1e6 / max(delivered, 1), 1)


def webhook_key(url: str) -> str:
    """An API key that may manage webhook endpoints, made before the server starts."""
    with Ledger.open(url) as ledger:
        return create_api_key(ledger, name="bench webhooks", scopes=["webhooks:write"]).key


class _Endpoint:
    """The bench's endpoint at the receiver, switched on and off through the API."""

    def __init__(self, server: BenchServer, key: str, receiver_url: str) -> None:
        self._base_url = server.base_url
        self._headers = {"authorization": f"Bearer {key}"}
        body = {"url": receiver_url, "event_types": ["gift.sent"]}
        created = request_once(
            self._base_url, "POST", "/v1/webhook-endpoints", headers=self._headers, body=body
        )
        if created.status != 201:
            raise ServerError(f"the bench's webhook endpoint was refused: {created.body!r}")
        self._path = f"/v1/webhook-endpoints/{created.json()['id']}"

    def enable(self, enabled: bool) -> None:
        body = {"enabled": enabled}
        request_once(self._base_url, "PATCH", self._path, headers=self._headers, body=body)


def with_webhook(server: BenchServer, key: str, gifts: Gifts) -> WebhookRuns:
    """The three modes on the running ``server`` (started without its worker), each
    with the line drained before it and a run without webhooks after it."""
    with BenchReceiver() as receiver:
        endpoint = _Endpoint(server, key, receiver.url)
        outbox = gifts("-outbox")
        endpoint.enable(False)  # its rows wait in the line
        first = gifts("-between-1")
        child = _restart_with_child(server)
        endpoint.enable(True)
        booked = _drained(receiver, outbox.gifts_ok)
        child_before = cpu_s({child})
        delivering = gifts("-hook")
        delivered = _drained(receiver, booked + delivering.gifts_ok) - booked
        child_cpu_s = cpu_s({child}) - child_before
        endpoint.enable(False)
        second = gifts("-between-2")
        _restart(server, worker=False)
        with _DeliveryProcess(server) as worker:
            endpoint.enable(True)
            booked += delivered
            worker_before = worker.cpu_s()
            separate = gifts("-separate")
            delivered_separate = _drained(receiver, booked + separate.gifts_ok) - booked
            worker_cpu_s = worker.cpu_s() - worker_before
            endpoint.enable(False)
    after = gifts("-after")
    return WebhookRuns(
        outbox,
        delivering,
        separate,
        (first, second),
        after,
        delivered,
        delivered_separate,
        child_cpu_s,
        worker_cpu_s,
    )


def _restart(server: BenchServer, *, worker: bool) -> None:
    server.stop()
    server.environment["GIFTFLOW_WEBHOOKS_WORKER"] = "true" if worker else "false"
    server.start()


def _restart_with_child(server: BenchServer) -> int:
    """The server restarted with its worker, once its child delivers: the child's pid."""
    offset = server.log_path.stat().st_size
    _restart(server, worker=True)
    _wait_said(server.log_path, offset, lambda: True, server.log_tail)
    child = delivery_child(server.pid)
    if child is None:
        raise ServerError(f"giftflow serve started no delivery child:\n{server.log_tail()}")
    return child


def delivery_child(server_pid: int) -> int | None:
    """The pid of the child ``server_pid`` started in a session of its own (its
    delivery worker), from ``/proc``; None if it has none."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == server_pid and int(fields[3]) != server_pid:  # ppid, session
            return int(stat.parent.name)
    return None


def _wait_said(
    log_path: Path, offset: int, alive: Callable[[], bool], tail: Callable[[], str]
) -> None:
    """Until the log says ``WORKER_STARTED`` after ``offset``."""
    deadline = time.monotonic() + DRAINED_TIMEOUT_S
    while time.monotonic() < deadline and alive():
        with log_path.open("rb") as log:
            log.seek(offset)
            if WORKER_STARTED in log.read():
                return
        time.sleep(SETTLED_S / 10)
    raise ServerError(f"no delivery worker started:\n{tail()}")


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
        process = self._process
        _wait_said(
            self._server.log_path, offset, lambda: process.poll() is None, self._server.log_tail
        )
        return self

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
