"""The in-process event bus: one server process, no infrastructure.

Per room: a sequence counter and a ring buffer of the last ``buffer`` events. An event's
id is its sequence number in the room, zero-padded to 20 digits, so ids sort as strings
in the order they were published.

Publishers (request threads, the ledger's writer thread) never wait for subscribers:
``publish`` numbers the event, makes its frame and hands it to the room's ``Fanout``
(each subscriber's own bounded queue) under one lock, so every subscriber gets the
room's events in sequence order. A subscriber that falls ``queue_max`` events behind
is cut off with ``ReplayGapError`` (``giftflow.service.events.fanout``).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from giftflow.ids import UserId
from giftflow.live.events import Event
from giftflow.service.events.bus import REPLAY_BUFFER_EVENTS, ReplayGapError
from giftflow.service.events.fanout import Fanout, Listener

ID_DIGITS: Final = 20
"""Enough for any signed 64-bit sequence number."""


def event_id(sequence: int) -> str:
    return f"{sequence:0{ID_DIGITS}d}"


def sequence_of(event_id_: str) -> int | None:
    """The sequence number an id names; None for anything this bus never issued."""
    if len(event_id_) != ID_DIGITS or not event_id_.isdigit():
        return None
    return int(event_id_)


@dataclass(eq=False)
class _Room:
    recent: deque[Event]
    fanout: Fanout
    sequence: int = 0

    def after(self, sequence: int) -> list[Event]:
        """The buffered events after ``sequence``; a gap when the buffer lost some."""
        oldest = self.sequence - len(self.recent) + 1
        if sequence > self.sequence or sequence < oldest - 1:
            raise ReplayGapError(
                f"event {event_id(sequence)} is not within the room's last"
                f" {len(self.recent)} events; resynchronise from state"
            )
        skip = sequence - oldest + 1
        return list(self.recent)[skip:]


class InProcessBus:
    """The ``EventBus`` for one process (the default): see the module's docstring."""

    def __init__(self, buffer: int = REPLAY_BUFFER_EVENTS, *, queue_max: int | None = None) -> None:
        """``queue_max``: events a subscriber may have waiting (default: as many as the
        buffer, beyond which a reconnect could not resume either)."""
        if buffer < 1:
            raise ValueError("the replay buffer must hold at least one event")
        self._buffer = buffer
        self._queue_max = min(buffer, queue_max or buffer)
        self._lock = threading.Lock()
        self._rooms: dict[UserId, _Room] = {}
        self._closed = False

    def publish(self, room_id: UserId, type: str, data: Mapping[str, Any], *, at: int) -> Event:
        with self._lock:
            room = self._room(room_id)
            room.sequence += 1
            event = Event(room_id, type, at, dict(data), id=event_id(room.sequence)).framed()
            room.recent.append(event)
            room.fanout.deliver((event,))
        return event

    async def subscribe(self, room_id: UserId, *, after: str | None = None) -> AsyncIterator[Event]:
        fanout, listener, replay = self._join(room_id, after)
        try:
            for event in replay:
                yield event
            while True:
                batch = await fanout.next_batch(listener)
                if not batch:
                    return
                for event in batch:
                    yield event
        finally:
            fanout.leave(listener)

    def last_id(self, room_id: UserId) -> str | None:
        with self._lock:
            room = self._rooms.get(room_id)
            return None if room is None or room.sequence == 0 else event_id(room.sequence)

    def close(self) -> None:
        """Ends every subscription (its iterator stops); publishing goes on working."""
        with self._lock:
            self._closed = True
            for room in self._rooms.values():
                room.fanout.end()

    def _join(self, room_id: UserId, after: str | None) -> tuple[Fanout, Listener, list[Event]]:
        """Replay and registration under one lock: nothing falls between them."""
        with self._lock:
            room = self._room(room_id)
            replay: list[Event] = []
            if after is not None:
                sequence = sequence_of(after)
                if sequence is None:
                    raise ReplayGapError(f"{after!r} is not an event id of this bus")
                replay = room.after(sequence)
            return room.fanout, room.fanout.join(ended=self._closed), replay

    def _room(self, room_id: UserId) -> _Room:
        room = self._rooms.get(room_id)
        if room is None:
            fanout = Fanout(self._lock, self._queue_max)
            room = self._rooms[room_id] = _Room(deque(maxlen=self._buffer), fanout)
        return room
