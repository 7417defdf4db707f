"""The Redis event bus: every server process sharing one Redis sees one order per room.

Each room is a Redis stream, ``{prefix}:room:{room_id}:events``, capped near the replay
buffer (``XADD ... MAXLEN ~ buffer``), next to a counter ``{prefix}:room:{room_id}:sequence``.
A small Lua script numbers and appends in one step, so the stream entry of the room's
n-th event is ``n-0`` whichever process published it. The event's id is that entry id's
sequence number, zero-padded like the in-process bus's (entry ``42-0`` is event
``00000000000000000042``): ids sort, and a subscriber knows the next one to expect.

A subscriber follows the stream with ``XREAD BLOCK`` from the entry after the last one
it saw (a replay is the same read, started at ``after``). An entry whose number is not
the next one means the stream was trimmed past the subscriber (it fell behind, or
``after`` is older than the buffer): ``ReplayGapError``. An ``after`` beyond the room's
counter (a Redis that was emptied, another bus's id) is a gap too.

``publish`` uses the synchronous client (thread-safe, pooled); each subscription opens
its own ``redis.asyncio`` connection, since a blocking read holds one. See
docs/decisions/0014-redis-streams-for-the-event-bus.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Any, Final, cast

import redis
import redis.asyncio

from giftflow.live.events import Event
from giftflow.service.events.bus import REPLAY_BUFFER_EVENTS, ReplayGapError
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


class RedisBus:
    """The ``EventBus`` across processes, on Redis streams: see the module's docstring."""

    def __init__(
        self, url: str, *, buffer: int = REPLAY_BUFFER_EVENTS, prefix: str = DEFAULT_PREFIX
    ) -> None:
        if buffer < 1:
            raise ValueError("the replay buffer must hold at least one event")
        self._url = url
        self._buffer = buffer
        self._prefix = prefix
        self._client = redis.Redis.from_url(url, decode_responses=True)
        self._append = self._client.register_script(_APPEND)
        self._closed = False

    def stream_key(self, room_id: int) -> str:
        return f"{self._prefix}:room:{room_id}:events"

    def sequence_key(self, room_id: int) -> str:
        return f"{self._prefix}:room:{room_id}:sequence"

    def publish(self, room_id: int, type: str, data: Mapping[str, Any], *, at: int) -> Event:
        event = Event(room_id, type, at, dict(data))
        keys = [self.stream_key(room_id), self.sequence_key(room_id)]
        sequence = int(self._append(keys=keys, args=[self._buffer, event.to_json()]))
        return replace(event, id=event_id(sequence))

    async def subscribe(self, room_id: int, *, after: str | None = None) -> AsyncIterator[Event]:
        client = redis.asyncio.Redis.from_url(self._url, decode_responses=True)
        try:
            last = await self._start(client, room_id, after)
            stream = self.stream_key(room_id)
            while not self._closed:
                for event in await self._read(client, stream, last):
                    last += 1
                    yield event
        finally:
            await client.aclose()

    def last_id(self, room_id: int) -> str | None:
        """The room's counter: the sequence number of its newest event."""
        sequence = int(cast(str | None, self._client.get(self.sequence_key(room_id))) or 0)
        return None if sequence == 0 else event_id(sequence)

    def close(self) -> None:
        """Ends every subscription within ``BLOCK_MS``; closes the publishing client."""
        self._closed = True
        self._client.close()

    async def _start(self, client: redis.asyncio.Redis, room_id: int, after: str | None) -> int:
        """The sequence number the subscription continues after, checked."""
        current = int(await client.get(self.sequence_key(room_id)) or 0)
        if after is None:
            return current
        sequence = sequence_of(after)
        if sequence is None or sequence > current:
            raise ReplayGapError(f"{after!r} is not an event id of room {room_id}")
        if sequence < current:
            # Something must follow it: an empty answer means it was all trimmed away.
            stream = self.stream_key(room_id)
            entries = await client.xrange(stream, f"{sequence + 1}-0", "+", count=1)
            _check_next(cast(list[Entry], entries), sequence)
        return sequence

    async def _read(self, client: redis.asyncio.Redis, stream: str, last: int) -> list[Event]:
        answer = await client.xread({stream: f"{last}-0"}, count=READ_COUNT, block=BLOCK_MS)
        entries = _entries(answer, stream)
        events = []
        for expected, (entry_id, fields) in enumerate(entries, start=last + 1):
            if int(entry_id.partition("-")[0]) != expected:
                raise ReplayGapError(
                    f"events after {event_id(expected - 1)} were trimmed; resynchronise"
                )
            events.append(replace(Event.from_json(fields[_FIELD]), id=event_id(expected)))
        return events


def _entries(answer: object, stream: str) -> list[Entry]:
    """XREAD's answer for one stream: a list of pairs (RESP2) or a mapping (RESP3)."""
    if not answer:
        return []
    if isinstance(answer, dict):
        return cast(list[Entry], answer[stream][0])
    return cast(list[Entry], cast(list[Any], answer)[0][1])


def _check_next(entries: list[Entry], sequence: int) -> None:
    if not entries or int(entries[0][0].partition("-")[0]) != sequence + 1:
        raise ReplayGapError(
            f"event {event_id(sequence)} is older than the replay buffer; resynchronise"
        )
