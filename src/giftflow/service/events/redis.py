"""The Redis event bus: every server process sharing one Redis sees one order per room.

Each room is a Redis stream, ``{prefix}:room:{room_id}:events``, capped near the replay
buffer (``XADD ... MAXLEN ~ buffer``), next to a counter ``{prefix}:room:{room_id}:sequence``.
A small Lua script numbers and appends in one step, so the stream entry of the room's
n-th event is ``n-0`` whichever process published it. The event's id is that entry id's
sequence number, zero-padded like the in-process bus's (entry ``42-0`` is event
``00000000000000000042``): ids sort, and a subscriber knows the next one to expect.

In each process, one reader per room (and event loop) follows the stream with ``XREAD
BLOCK`` and hands what it reads to the room's local listeners through a ``Fanout``
(``giftflow.service.events.fanout``): a room with a thousand WebSockets costs one read
and one parse per event, and each event's frame is made once. A listener that joins
with ``after`` reads what came between ``after`` and the reader's position from the
stream (``XRANGE``) and then takes the reader's events; it is registered first, so
nothing falls between. An entry whose number is not the next one means the stream was
trimmed past the reader or ``after`` (it fell behind, or ``after`` is older than the
buffer): ``ReplayGapError``. An ``after`` beyond the room's counter (a Redis that was
emptied, another bus's id) is a gap too. The reader stops when its last listener leaves.

``publish`` uses the synchronous client (thread-safe, pooled); each reader has its own
``redis.asyncio`` client, since a blocking read holds a connection. See
docs/decisions/0014-redis-streams-for-the-event-bus.md and 0019.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, cast

import redis
import redis.asyncio

from giftflow.ids import UserId
from giftflow.live.events import Event
from giftflow.service.events.bus import REPLAY_BUFFER_EVENTS, ReplayGapError
from giftflow.service.events.fanout import Fanout, Listener
from giftflow.service.events.memory import event_id, sequence_of

Entry = tuple[str, dict[str, str]]
"""A stream entry: its id and its fields."""
DEFAULT_PREFIX: Final = "giftflow"
BLOCK_MS: Final = 1_000
"""How long one read waits for news before it looks whether the bus was closed."""
READ_COUNT: Final = 500
_FIELD: Final = "event"
_APPEND: Final = """
local sequence = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], sequence .. '-0', 'event', ARGV[2])
return sequence
"""


@dataclass(eq=False)
class _Feed:
    """One room's reader in this process and event loop, and its listeners."""

    room_id: UserId
    fanout: Fanout
    client: redis.asyncio.Redis
    ready: asyncio.Future[None]
    position: int = 0
    """The sequence number of the last event handed to the listeners."""
    reader: asyncio.Task[None] | None = field(default=None, repr=False)


class RedisBus:
    """The ``EventBus`` across processes, on Redis streams: see the module's docstring."""

    def __init__(
        self,
        url: str,
        *,
        buffer: int = REPLAY_BUFFER_EVENTS,
        prefix: str = DEFAULT_PREFIX,
        queue_max: int | None = None,
    ) -> None:
        if buffer < 1:
            raise ValueError("the replay buffer must hold at least one event")
        self._url = url
        self._buffer = buffer
        self._queue_max = min(buffer, queue_max or buffer)
        self._prefix = prefix
        self._client = redis.Redis.from_url(url, decode_responses=True)
        self._append = self._client.register_script(_APPEND)
        self._closed = False
        self._lock = threading.Lock()
        self._feeds: dict[tuple[asyncio.AbstractEventLoop, int], _Feed] = {}

    def stream_key(self, room_id: UserId) -> str:
        return f"{self._prefix}:room:{room_id}:events"

    def sequence_key(self, room_id: UserId) -> str:
        return f"{self._prefix}:room:{room_id}:sequence"

    def publish(self, room_id: UserId, type: str, data: Mapping[str, Any], *, at: int) -> Event:
        event = Event(room_id, type, at, dict(data))
        keys = [self.stream_key(room_id), self.sequence_key(room_id)]
        sequence = int(self._append(keys=keys, args=[self._buffer, event.to_json()]))
        return replace(event, id=event_id(sequence))

    async def subscribe(self, room_id: UserId, *, after: str | None = None) -> AsyncIterator[Event]:
        feed = await self._feed(room_id)
        with self._lock:
            listener = feed.fanout.join(ended=self._closed)
            position = feed.position
        try:
            skip = position
            if after is not None:
                skip = await self._after(feed, after)
                if skip < position:
                    for event in await self._range(feed, skip, position):
                        yield event
            while True:
                batch = await feed.fanout.next_batch(listener)
                if not batch:
                    return
                for event in batch:
                    if int(event.id) > skip:  # the reader may be behind ``after``
                        yield event
        finally:
            self._leave(feed, listener)

    def last_id(self, room_id: UserId) -> str | None:
        """The room's counter: the sequence number of its newest event."""
        sequence = int(cast(str | None, self._client.get(self.sequence_key(room_id))) or 0)
        return None if sequence == 0 else event_id(sequence)

    def close(self) -> None:
        """Ends every subscription within ``BLOCK_MS``; closes the publishing client."""
        self._closed = True
        with self._lock:
            for feed in self._feeds.values():
                feed.fanout.end()
        self._client.close()

    async def _feed(self, room_id: UserId) -> _Feed:
        """The room's feed on this loop, its reader started at the room's counter."""
        loop = asyncio.get_running_loop()
        with self._lock:
            feed = self._feeds.get((loop, room_id))
            if feed is None:
                client = redis.asyncio.Redis.from_url(self._url, decode_responses=True)
                fanout = Fanout(self._lock, self._queue_max)
                feed = _Feed(room_id, fanout, client, loop.create_future())
                self._feeds[(loop, room_id)] = feed
                feed.reader = loop.create_task(self._follow(feed))
        await asyncio.shield(feed.ready)
        return feed

    async def _follow(self, feed: _Feed) -> None:
        """The reader: the room's stream, from its counter on, to the listeners."""
        stream = self.stream_key(feed.room_id)
        failure: ReplayGapError | None = None
        try:
            feed.position = int(await feed.client.get(self.sequence_key(feed.room_id)) or 0)
            feed.ready.set_result(None)
            while not self._closed:
                events = await self._read(feed.client, stream, feed.position)
                with self._lock:
                    feed.position += len(events)
                    feed.fanout.deliver(events)
        except ReplayGapError as gap:
            failure = gap
        except Exception as error:  # Redis went away: the listeners reconnect and resync
            failure = ReplayGapError(f"the room's reader stopped: {error}")
            if not feed.ready.done():
                feed.ready.set_exception(error)
        finally:
            if not feed.ready.done():
                feed.ready.cancel()
            self._forget(feed)
            with self._lock:
                feed.fanout.end(failure)
            await feed.client.aclose()

    def _forget(self, feed: _Feed) -> None:
        with self._lock:
            key = (asyncio.get_running_loop(), feed.room_id)
            if self._feeds.get(key) is feed:
                del self._feeds[key]

    def _leave(self, feed: _Feed, listener: Listener) -> None:
        """The listener leaves; the last one stops the reader."""
        feed.fanout.leave(listener)
        with self._lock:
            idle = not feed.fanout.listeners
        if idle:
            self._forget(feed)
            if feed.reader is not None:
                feed.reader.cancel()

    async def _after(self, feed: _Feed, after: str) -> int:
        """The sequence number ``after`` names, checked against the room's counter."""
        sequence = sequence_of(after)
        if sequence is None:
            raise ReplayGapError(f"{after!r} is not an event id of room {feed.room_id}")
        if sequence > feed.position:
            current = int(await feed.client.get(self.sequence_key(feed.room_id)) or 0)
            if sequence > current:
                raise ReplayGapError(f"{after!r} is not an event id of room {feed.room_id}")
        return sequence

    async def _range(self, feed: _Feed, after: int, through: int) -> list[Event]:
        """The events after ``after`` through ``through``, from the stream, complete."""
        stream = self.stream_key(feed.room_id)
        entries = cast(
            list[Entry], await feed.client.xrange(stream, f"{after + 1}-0", f"{through}-0")
        )
        events = _numbered(entries, after, stream)
        if len(events) != through - after:
            raise ReplayGapError(
                f"event {event_id(after)} is older than the replay buffer; resynchronise"
            )
        return events

    async def _read(self, client: redis.asyncio.Redis, stream: str, last: int) -> list[Event]:
        answer = await client.xread({stream: f"{last}-0"}, count=READ_COUNT, block=BLOCK_MS)
        return _numbered(_entries(answer, stream), last, stream)


def _numbered(entries: list[Entry], last: int, stream: str) -> list[Event]:
    """The entries as events, framed; a gap when one is not the next number."""
    events = []
    for expected, (entry_id, fields) in enumerate(entries, start=last + 1):
        if int(entry_id.partition("-")[0]) != expected:
            raise ReplayGapError(
                f"events after {event_id(expected - 1)} were trimmed; resynchronise"
            )
        event = replace(Event.from_json(fields[_FIELD]), id=event_id(expected))
        events.append(event.framed())
    return events


def _entries(answer: object, stream: str) -> list[Entry]:
    """XREAD's answer for one stream: a list of pairs (RESP2) or a mapping (RESP3)."""
    if not answer:
        return []
    if isinstance(answer, dict):
        return cast(list[Entry], answer[stream][0])
    return cast(list[Entry], cast(list[Any], answer)[0][1])
