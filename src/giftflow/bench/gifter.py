"""A gift-sending client in its own process, which remembers every request it sends:
``python -m giftflow.bench.gifter CONFIG.json``.

Each request is one ``POST /v1/gifts`` with its own ``Idempotency-Key`` and
``event_id`` (the same text). Two ways to send:

- ``burst``: ``concurrency`` senders, each sending its next gift as soon as the last is
  answered, until a line arrives on stdin. When a request gets no answer (the server
  died), the senders wait until ``/health`` answers again, then go on with new gifts.
- ``paced``: ``rate_per_s`` gifts a second for ``duration_s``, whatever the answers.

Then every unanswered request is sent again with its own key and body until it is
answered; with ``check_replays`` every answered one too (its first answer must come
back), and a request whose key is still ``idempotency_key_in_use`` is sent once more
under a new key: the gift's own ``event_id`` says whether it was booked before. Every
request and its answers go to ``out`` (JSON lines), then the process prints ``done``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import httpx

from giftflow.bench.target import GiftTarget

IN_USE: Final = "idempotency_key_in_use"
RETRY_PAUSE_S: Final = 0.1
PROBE_PAUSE_S: Final = 0.05
REQUEST_TIMEOUT_S: Final = 30.0


@dataclass(frozen=True, slots=True)
class GifterConfig:
    base_url: str
    target: GiftTarget
    prefix: str
    out: str
    mode: Literal["burst", "paced"]
    concurrency: int = 32
    rate_per_s: float = 0.0
    duration_s: float = 0.0
    session_id: int = 0
    check_replays: bool = False
    retry_timeout_s: float = 60.0

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> GifterConfig:
        data = json.loads(text)
        return cls(**(data | {"target": GiftTarget(**data["target"])}))


@dataclass(slots=True)
class Answer:
    status: int | None
    """None: no answer (the connection failed or was cut)."""
    gift_id: int | None = None
    replayed: bool = False
    """``Idempotent-Replayed: true``: the answer stored under this key."""
    booked_before: bool = False
    """The gift's own ``replayed``: its ``event_id`` had been booked already."""
    code: str | None = None
    """A problem's ``code``."""
    at_ns: int = 0


@dataclass(slots=True)
class Sent:
    key: str
    sender_id: int
    body: dict[str, Any]
    sent_ns: int = 0
    first: Answer | None = None
    retry: Answer | None = None
    """The same key and body again, after the burst."""
    rescue: Answer | None = None
    """The same body under a new key, when the retry found the key in use."""

    @classmethod
    def of(cls, config: GifterConfig, number: int) -> Sent:
        key = f"{config.prefix}-{number}"
        sender = config.target.sender(number)
        body = {
            "sender_id": sender,
            "creator_id": config.target.creator_id,
            "gift_id": config.target.gift_id,
            "event_id": key,
            "session_id": config.session_id,
        }
        return cls(key, sender, body)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sent:
        first, retry, rescue = (_answer(data[name]) for name in ("first", "retry", "rescue"))
        return cls(
            data["key"], data["sender_id"], data["body"], data["sent_ns"], first, retry, rescue
        )

    def answers(self) -> list[Answer]:
        return [a for a in (self.first, self.retry, self.rescue) if a is not None]


def _answer(data: dict[str, Any] | None) -> Answer | None:
    return None if data is None else Answer(**data)


def read_sent(path: Path) -> list[Sent]:
    with path.open() as lines:
        return [Sent.from_dict(json.loads(line)) for line in lines]


async def post_gift(client: httpx.AsyncClient, key: str, body: dict[str, Any]) -> Answer:
    try:
        response = await client.post("/v1/gifts", json=body, headers={"Idempotency-Key": key})
    except httpx.TransportError:
        return Answer(None, at_ns=time.time_ns())
    try:
        content = response.json()
    except ValueError:  # a proxy's or the server's plain-text error
        content = {}
    return Answer(
        response.status_code,
        gift_id=content.get("id") if response.status_code == 201 else None,
        replayed=response.headers.get("Idempotent-Replayed") == "true",
        booked_before=content.get("replayed") is True,
        code=content.get("code"),
        at_ns=time.time_ns(),
    )


@dataclass(slots=True)
class Gifter:
    config: GifterConfig
    client: httpx.AsyncClient
    sent: list[Sent] = field(default_factory=list)
    up: asyncio.Event = field(default_factory=asyncio.Event)

    def _next(self) -> Sent:
        request = Sent.of(self.config, len(self.sent) + 1)
        self.sent.append(request)
        return request

    async def _send(self, request: Sent) -> None:
        request.sent_ns = time.time_ns()
        request.first = await post_gift(self.client, request.key, request.body)
        if request.first.status is None:
            self.up.clear()

    async def burst(self, stop: asyncio.Event) -> None:
        async def sender() -> None:
            while not stop.is_set():
                await self.up.wait()
                if not stop.is_set():
                    await self._send(self._next())

        self.up.set()
        prober = asyncio.create_task(self._probe(stop))
        await asyncio.gather(*(sender() for _ in range(self.config.concurrency)))
        await prober

    async def _probe(self, stop: asyncio.Event) -> None:
        """While the server is down, ask ``/health`` until it answers again."""
        while not stop.is_set():
            if not self.up.is_set() and await self._healthy():
                self.up.set()
            await asyncio.sleep(PROBE_PAUSE_S)
        self.up.set()  # let the senders see the stop

    async def _healthy(self) -> bool:
        try:
            return (await self.client.get("/health")).status_code == 200
        except httpx.TransportError:
            return False

    async def paced(self) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        tasks = []
        for number in range(round(self.config.rate_per_s * self.config.duration_s)):
            await asyncio.sleep(max(0.0, started + number / self.config.rate_per_s - loop.time()))
            tasks.append(asyncio.create_task(self._send(self._next())))
        await asyncio.gather(*tasks)

    async def retry_all(self) -> None:
        """Each unanswered request (and, checking replays, each answered one) again."""
        todo = [r for r in self.sent if _needs_retry(r.first, check=self.config.check_replays)]
        await _each(todo, self.config.concurrency, self._retry)

    async def _retry(self, request: Sent) -> None:
        request.retry = await self._until_answered(request.key, request.body)
        if request.retry.code == IN_USE:
            request.rescue = await self._until_answered(f"{request.key}-rescue", request.body)

    async def _until_answered(self, key: str, body: dict[str, Any]) -> Answer:
        deadline = time.monotonic() + self.config.retry_timeout_s
        answer = await post_gift(self.client, key, body)
        while answer.status is None and time.monotonic() < deadline:
            await asyncio.sleep(RETRY_PAUSE_S)
            answer = await post_gift(self.client, key, body)
        return answer


def _needs_retry(first: Answer | None, *, check: bool) -> bool:
    return first is None or first.status is None or first.status >= 500 or check


async def _each(
    items: list[Sent], concurrency: int, work: Callable[[Sent], Awaitable[None]]
) -> None:
    iterator: Iterator[Sent] = iter(items)

    async def worker() -> None:
        for item in iterator:
            await work(item)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _stdin_line(stop: asyncio.Event) -> None:
    await asyncio.to_thread(sys.stdin.readline)
    stop.set()


async def run(config: GifterConfig) -> list[Sent]:
    limits = httpx.Limits(max_connections=config.concurrency, max_keepalive_connections=None)
    async with httpx.AsyncClient(
        base_url=config.base_url,
        headers={"Authorization": f"Bearer {config.target.api_key}"},
        limits=limits,
        timeout=REQUEST_TIMEOUT_S,
    ) as client:
        gifter = Gifter(config, client)
        if config.mode == "burst":
            stop = asyncio.Event()
            reader = asyncio.create_task(_stdin_line(stop))
            await gifter.burst(stop)
            await reader
        else:
            await gifter.paced()
        await gifter.retry_all()
        return gifter.sent


def main(config_path: str) -> None:
    config = GifterConfig.from_json(Path(config_path).read_text())
    sent = asyncio.run(run(config))
    with Path(config.out).open("w") as out:
        for request in sent:
            out.write(json.dumps(asdict(request)) + "\n")
    print("done", len(sent), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
