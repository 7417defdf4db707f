"""``giftflow bench ws``: one room's WebSocket fan-out, measured end to end.

1. A fresh database with one creator and 1,000 viewers with coins (as ``bench http``).
2. ``giftflow serve --workers N``; with several workers the event bus is Redis
   (``redis_url``), else each worker would stream only its own events.
3. Over HTTP with the bench's platform key: the creator goes live, a room token is
   issued, and the overlay state names the room's newest event.
4. ``subscribers`` WebSockets to the room after that event, in processes of their own
   (``subscribers.py``, ``SUBSCRIBERS_PER_PROCESS`` at most each); once all are open,
   a driver in another process
   (``gifter.py``, paced) sends ``rate_per_s`` gifts a second in the session for
   ``duration_s``, each a ``POST /v1/gifts`` with its own key.
5. The session ends; the overlay state names the final event; the subscribers drain
   until each has it (or ``drain_s``). Every event between is one frame expected per
   subscriber: ``gift.sent`` for each gift and whatever else the gifts changed
   (``leaderboard.changed`` …), then ``session.ended``.
6. The server stops and the books are checked as in ``bench http``.
"""

from __future__ import annotations

import tempfile
import time
from array import array
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from giftflow.bench.books import BooksCheck, read_books
from giftflow.bench.databases import fresh_databases
from giftflow.bench.figures import percentile, ratio
from giftflow.bench.gifter import GifterConfig, Sent, read_sent
from giftflow.bench.population import ROSE_COINS, Population, populate
from giftflow.bench.processes import ClientProcess
from giftflow.bench.serving import BenchServer, ServerError, server_environment
from giftflow.bench.subscribers import SubscribersConfig, SubscribersSummary, read_latencies
from giftflow.bench.wire import Reply, request_once

VIEWERS: Final = 1_000
COINS_PER_VIEWER: Final = 100_000
DRAIN_S: Final = 5.0
DRIVER_CONNECTIONS_MAX: Final = 512
SUBSCRIBERS: Final = "giftflow.bench.subscribers"
SUBSCRIBERS_PER_PROCESS: Final = 500
"""One asyncio process reads about 50,000 frames a second here: 1,000 subscribers at
100 gifts/s take two, so that the client is not what bounds the delivery figures."""
DEFAULT_REDIS_URL: Final = "redis://127.0.0.1:6379/15"
"""Database 15, not 0: the bench's room publishes under the bus's default prefix, and
must not land in a room that a real server on the same Redis streams."""


@dataclass(frozen=True, slots=True)
class WsBenchOptions:
    backend: str = "sqlite"
    workers: int = 1
    subscribers: int = 1_000
    rate_per_s: float = 100.0
    duration_s: float = 10.0
    redis_url: str = DEFAULT_REDIS_URL
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class Room:
    room_id: int
    session_id: int
    token: str
    after_sequence: int


@dataclass(frozen=True, slots=True)
class Driven:
    """What the driver sent and what the server booked, as the driver saw it."""

    gifts_sent: int
    gifts_acknowledged: int
    unanswered: int
    booked_per_s: float
    answer_p50_ms: float
    answer_p99_ms: float

    @classmethod
    def of(cls, sent: list[Sent]) -> Driven:
        acknowledged = [r for r in sent if r.first is not None and r.first.status == 201]
        latencies = sorted((a.first.at_ns - a.sent_ns) / 1e6 for a in acknowledged if a.first)
        span_ns = max((a.first.at_ns for a in acknowledged if a.first), default=0) - min(
            (r.sent_ns for r in sent), default=0
        )
        return cls(
            gifts_sent=len(sent),
            gifts_acknowledged=len(acknowledged),
            unanswered=sum(1 for r in sent if r.first is None or r.first.status is None),
            booked_per_s=round(len(acknowledged) / (span_ns / 1e9), 1) if span_ns > 0 else 0.0,
            answer_p50_ms=round(percentile(latencies, 0.50), 3) if latencies else 0.0,
            answer_p99_ms=round(percentile(latencies, 0.99), 3) if latencies else 0.0,
        )


@dataclass(frozen=True, slots=True)
class WsBenchResult:
    backend: str
    workers: int
    bus: str
    subscribers: int
    rate_asked_per_s: float
    duration_s: float
    driven: Driven
    booked_vs_asked: float
    frames: SubscribersSummary
    books: BooksCheck

    @property
    def ok(self) -> bool:
        return self.books.ok

    def as_dict(self) -> dict[str, object]:
        figures = asdict(self)
        figures["books"] |= {"ok": self.books.ok}
        return figures | {"ok": self.ok}


def bench_ws(options: WsBenchOptions) -> WsBenchResult:
    redis_url = options.redis_url if options.workers > 1 else None
    with (
        fresh_databases(options.backend, options.postgres_url) as url_for,
        tempfile.TemporaryDirectory(prefix="giftflow-bench-ws-") as temporary,
    ):
        folder = Path(temporary)
        url = url_for("ws")
        population = populate(url, viewers=VIEWERS, coins_per_viewer=COINS_PER_VIEWER)
        environment = server_environment(url, redis_url=redis_url, folder=folder)
        # Every subscriber listens with the one room token the bench issues; the
        # server's cap per token is for an overlay's handful, not for this crowd.
        environment["GIFTFLOW_WS_CONNECTIONS_PER_TOKEN_MAX"] = str(options.subscribers)
        environment["GIFTFLOW_WS_CONNECTIONS_MAX"] = str(options.subscribers + 1)
        server = BenchServer(environment, workers=options.workers, log_path=folder / "serve.log")
        with server:
            frames, sent = _run(options, population, server, folder)
        books = read_books(url, population.viewer_ids)
    driven = Driven.of(sent)
    return WsBenchResult(
        backend=options.backend,
        workers=options.workers,
        bus="redis" if redis_url else "in-process",
        subscribers=options.subscribers,
        rate_asked_per_s=options.rate_per_s,
        duration_s=options.duration_s,
        driven=driven,
        booked_vs_asked=ratio(driven.booked_per_s, options.rate_per_s),
        frames=frames,
        books=BooksCheck.of(
            books,
            acknowledged_coins=driven.gifts_acknowledged * ROSE_COINS,
            unanswered_coins=driven.unanswered * ROSE_COINS,
        ),
    )


def _run(
    options: WsBenchOptions, population: Population, server: BenchServer, folder: Path
) -> tuple[SubscribersSummary, list[Sent]]:
    api = _Api(server.base_url, population.api_key)
    room = api.open_room(population.creator_id)
    with ExitStack() as stack:
        listening = [
            stack.enter_context(ClientProcess(SUBSCRIBERS, config.to_json(), folder / f"{n}.json"))
            for n, config in enumerate(_subscribers(options, server, room, folder))
        ]
        for process in listening:
            process.expect("ready")
        sent = _drive(options, population, server, room, folder)
        api.call("POST", f"/v1/sessions/{room.session_id}/end")
        final = api.newest_sequence(room)
        for process in listening:
            process.say(f"stop {final}")
        for process in listening:
            process.expect("done")
            process.wait()
    return _frames(folder), sent


def _subscribers(
    options: WsBenchOptions, server: BenchServer, room: Room, folder: Path
) -> list[SubscribersConfig]:
    """``SUBSCRIBERS_PER_PROCESS`` at most in each process, the rest spread evenly."""
    processes = -(-options.subscribers // SUBSCRIBERS_PER_PROCESS)
    shares = [
        options.subscribers // processes + (n < options.subscribers % processes)
        for n in range(processes)
    ]
    return [
        SubscribersConfig(
            url=_events_url(server.base_url, room),
            subscribers=share,
            after_sequence=room.after_sequence,
            out=str(folder / f"frames-{n}.json"),
            drain_s=DRAIN_S,
        )
        for n, share in enumerate(shares)
    ]


def _frames(folder: Path) -> SubscribersSummary:
    outs = sorted(str(path) for path in folder.glob("frames-*.json"))
    parts = [SubscribersSummary.from_json(Path(out).read_text()) for out in outs]
    latencies = array("q")
    for out in outs:
        latencies.extend(read_latencies(out))
    return SubscribersSummary.combine(parts, latencies)


@dataclass(frozen=True, slots=True)
class _Api:
    """The few calls that set the room up, with the bench's platform key."""

    base_url: str
    api_key: str

    def call(self, method: str, path: str, body: object = None) -> Reply:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        reply = request_once(self.base_url, method, path, headers=headers, body=body)
        if reply.status >= 300:
            raise ServerError(f"{method} {path} answered {reply.status}: {reply.body[:300]!r}")
        return reply

    def open_room(self, creator_id: int) -> Room:
        session = self.call("POST", f"/v1/rooms/{creator_id}/sessions", {"title": "bench ws"})
        token = self.call("POST", f"/v1/rooms/{creator_id}/tokens").json()["token"]
        room = Room(creator_id, int(session.json()["id"]), token, 0)
        return Room(room.room_id, room.session_id, room.token, self.newest_sequence(room))

    def newest_sequence(self, room: Room) -> int:
        path = f"/v1/rooms/{room.room_id}/overlay-state?token={room.token}"
        return int(self.call("GET", path).json()["last_event_id"] or 0)


def _events_url(base_url: str, room: Room) -> str:
    """After the newest event, as an overlay resuming from the state it loaded."""
    websocket = base_url.replace("http://", "ws://", 1)
    url = f"{websocket}/v1/rooms/{room.room_id}/events?token={room.token}"
    return f"{url}&last_event_id={room.after_sequence:020d}" if room.after_sequence else url


def _drive(
    options: WsBenchOptions, population: Population, server: BenchServer, room: Room, folder: Path
) -> list[Sent]:
    config = GifterConfig(
        base_url=server.base_url,
        target=population.target(),
        prefix=f"ws-{time.time_ns()}",
        out=str(folder / "driven.jsonl"),
        mode="paced",
        concurrency=min(DRIVER_CONNECTIONS_MAX, max(64, round(options.rate_per_s))),
        rate_per_s=options.rate_per_s,
        duration_s=options.duration_s,
        session_id=room.session_id,
    )
    with ClientProcess("giftflow.bench.gifter", config.to_json(), folder / "driver.json") as driver:
        driver.expect("done")
        driver.wait()
    return read_sent(Path(config.out))
