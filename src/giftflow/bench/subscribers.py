"""WebSocket subscribers of one room in a process of their own:
``python -m giftflow.bench.subscribers CONFIG.json``.

It opens ``subscribers`` connections to the room's events after ``after_sequence``
(as an overlay resuming from its state does), prints ``ready`` once all are open,
and records every frame: its event's sequence number, whether it came right after the
one before (in order, no gap, no duplicate), and its delivery latency, the receive
time minus the event's ``at`` (nanoseconds since the epoch, one machine, one clock).
On a line ``stop N`` it waits until every subscriber has received event N (or
``drain_s`` has passed), closes them, writes a summary to ``out`` (JSON) and prints
``done``.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from array import array
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Final

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from giftflow.bench.figures import percentile

_ID: Final = re.compile(rb'"id"\s*:\s*"(\d+)"')
_AT: Final = re.compile(rb'"at"\s*:\s*(\d+)')
_RESYNC: Final = re.compile(rb'"type"\s*:\s*"resync"')
"""The envelope's fields, found without parsing the whole frame (``data`` can be
long and never holds a field named ``id`` or ``at``): the client must not be what
slows delivery down."""
CONNECTING_AT_ONCE: Final = 50
MAX_QUEUE_FRAMES: Final = 1_024


@dataclass(frozen=True, slots=True)
class SubscribersConfig:
    url: str
    """``ws://…/v1/rooms/{room}/events?token=…&last_event_id=…``."""
    subscribers: int
    after_sequence: int
    out: str
    drain_s: float = 5.0

    def to_json(self) -> str:
        return json.dumps(asdict(self))


@dataclass(slots=True)
class Listener:
    after: int
    sequences: array[int] = field(default_factory=lambda: array("q"))
    latencies_ns: array[int] = field(default_factory=lambda: array("q"))
    resyncs: int = 0
    close_code: int | None = None
    final: int | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once it has received ``final``, or its connection has closed."""

    @property
    def last(self) -> int:
        return self.sequences[-1] if self.sequences else self.after

    def receive(self, frame: bytes, received_ns: int) -> None:
        if _RESYNC.search(frame):
            self.resyncs += 1
            return
        found_id, found_at = _ID.search(frame), _AT.search(frame)
        assert found_id is not None and found_at is not None, f"an event frame: {frame[:80]!r}"
        self.sequences.append(int(found_id.group(1)))
        self.latencies_ns.append(received_ns - int(found_at.group(1)))
        if self.final is not None and self.last >= self.final:
            self.done.set()

    def expect(self, final: int) -> None:
        self.final = final
        if self.last >= final:
            self.done.set()

    def delivered(self, final: int) -> int:
        return sum(1 for sequence in self.sequences if self.after < sequence <= final)

    def in_order(self, final: int) -> int:
        """Frames through ``final`` that came right after the one before."""
        previous, count = self.after, 0
        for sequence in self.sequences:
            count += sequence == previous + 1 and sequence <= final
            previous = sequence
        return count


@dataclass(frozen=True, slots=True)
class SubscribersSummary:
    subscribers: int
    expected: int
    """Frames every subscriber should get: the room's events after ``after`` through
    the final one, times the subscribers."""
    delivered: int
    in_order: int
    caught_up: int
    """Subscribers that received the final event before the drain ended."""
    resyncs: int
    close_codes: dict[str, int]
    """Connections the server closed before the end, by close code."""
    latency_p50_ms: float
    latency_p99_ms: float
    latency_max_ms: float

    @classmethod
    def of(cls, listeners: list[Listener], *, after: int, final: int) -> SubscribersSummary:
        latencies = sorted(ns for listener in listeners for ns in listener.latencies_ns)
        ms = [ns / 1e6 for ns in (latencies or [0])]
        codes = Counter(str(listener.close_code) for listener in listeners if listener.close_code)
        return cls(
            subscribers=len(listeners),
            expected=len(listeners) * (final - after),
            delivered=sum(listener.delivered(final) for listener in listeners),
            in_order=sum(listener.in_order(final) for listener in listeners),
            caught_up=sum(listener.last >= final for listener in listeners),
            resyncs=sum(listener.resyncs for listener in listeners),
            close_codes=dict(codes),
            latency_p50_ms=round(percentile(ms, 0.50), 3),
            latency_p99_ms=round(percentile(ms, 0.99), 3),
            latency_max_ms=round(ms[-1], 3),
        )

    @classmethod
    def from_json(cls, text: str) -> SubscribersSummary:
        return cls(**json.loads(text))


async def _listen(connection: ClientConnection, listener: Listener) -> None:
    try:
        async for frame in connection:
            data = frame if isinstance(frame, bytes) else frame.encode()
            listener.receive(data, time.time_ns())
    except ConnectionClosed:
        pass
    listener.close_code = connection.close_code
    listener.done.set()  # closed: nothing more is coming


async def _open(config: SubscribersConfig, gate: asyncio.Semaphore) -> ClientConnection:
    async with gate:
        return await connect(config.url, max_queue=MAX_QUEUE_FRAMES, open_timeout=60)


async def run(config: SubscribersConfig) -> SubscribersSummary:
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    connections = await asyncio.gather(*(_open(config, gate) for _ in range(config.subscribers)))
    listeners = [Listener(config.after_sequence) for _ in connections]
    tasks = [
        asyncio.create_task(_listen(connection, listener))
        for connection, listener in zip(connections, listeners, strict=True)
    ]
    print("ready", len(connections), flush=True)
    command = await asyncio.to_thread(sys.stdin.readline)
    final = int(command.split()[1])
    for listener in listeners:
        listener.expect(final)
    waiting = [asyncio.create_task(listener.done.wait()) for listener in listeners]
    await asyncio.wait(waiting, timeout=config.drain_s)
    summary = SubscribersSummary.of(listeners, after=config.after_sequence, final=final)
    for connection in connections:
        await connection.close()
    await asyncio.gather(*tasks, *waiting, return_exceptions=True)
    return summary


def main(config_path: str) -> None:
    config = SubscribersConfig(**json.loads(Path(config_path).read_text()))
    summary = asyncio.run(run(config))
    Path(config.out).write_text(json.dumps(asdict(summary)))
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
