"""The in-process event bus: one server process, no infrastructure.

Per room: a sequence counter and a ring buffer of the last ``buffer`` events. An event's
id is its sequence number in the room, zero-padded to 20 digits, so ids sort as strings
in the order they were published.

Publishers (request threads, the ledger's writer thread) never wait for subscribers:
``publish`` appends to each subscriber's own queue under one lock and, when the
subscriber was idle, wakes it on its own event loop (``loop.call_soon_threadsafe``).
Because numbering, buffering and enqueueing happen under that lock, every subscriber
gets the room's events in sequence order.

A subscriber that falls ``buffer`` events behind (its queue is full) is cut off: its
iterator raises ``ReplayGapError`` after the events it had already received, exactly
as a reconnect would once the buffer no longer reached back to it. The listener
resynchronises from state; it never holds up the room.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from giftflow.live.events import Event
from giftflow.service.events.bus import REPLAY_BUFFER_EVENTS, ReplayGapError

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
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    wake: asyncio.Event
    pending: deque[Event] = field(default_factory=deque)
    notified: bool = False
    fell_behind: bool = False
    ended: bool = False


@dataclass(eq=False)
class _Room:
    recent: deque[Event]
    sequence: int = 0
    subscribers: set[_Subscriber] = field(default_factory=set)

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

    def __init__(self, buffer: int = REPLAY_BUFFER_EVENTS) -> None:
        if buffer < 1:
            raise ValueError("the replay buffer must hold at least one event")
        self._buffer = buffer
        self._lock = threading.Lock()
        self._rooms: dict[int, _Room] = {}
        self._closed = False

    def publish(self, room_id: int, type: str, data: Mapping[str, Any], *, at: int) -> Event:
        with self._lock:
            room = self._room(room_id)
            room.sequence += 1
            event = Event(room_id, type, at, dict(data), id=event_id(room.sequence))
            room.recent.append(event)
            for subscriber in room.subscribers:
                self._deliver(subscriber, event)
        return event

    async def subscribe(self, room_id: int, *, after: str | None = None) -> AsyncIterator[Event]:
        subscriber = _Subscriber(asyncio.get_running_loop(), asyncio.Event())
        replay = self._join(room_id, subscriber, after)
        try:
            for event in replay:
                yield event
            while True:
                for event in await self._next_batch(subscriber):
                    yield event
                if subscriber.ended:
                    return
        finally:
            with self._lock:
                self._room(room_id).subscribers.discard(subscriber)

    def last_id(self, room_id: int) -> str | None:
        with self._lock:
            room = self._rooms.get(room_id)
            return None if room is None or room.sequence == 0 else event_id(room.sequence)

    def close(self) -> None:
        """Ends every subscription (its iterator stops); publishing goes on working."""
        with self._lock:
            self._closed = True
            for room in self._rooms.values():
                for subscriber in room.subscribers:
                    subscriber.ended = True
                    self._notify(subscriber)

    def _join(self, room_id: int, subscriber: _Subscriber, after: str | None) -> list[Event]:
        """Replay and registration under one lock: nothing falls between them."""
        with self._lock:
            room = self._room(room_id)
            replay: list[Event] = []
            if after is not None:
                sequence = sequence_of(after)
                if sequence is None:
                    raise ReplayGapError(f"{after!r} is not an event id of this bus")
                replay = room.after(sequence)
            subscriber.ended = self._closed
            room.subscribers.add(subscriber)
            return replay

    async def _next_batch(self, subscriber: _Subscriber) -> list[Event]:
        while True:
            with self._lock:
                batch = list(subscriber.pending)
                subscriber.pending.clear()
                subscriber.notified = False
                subscriber.wake.clear()
                fell_behind, ended = subscriber.fell_behind, subscriber.ended
            if batch or ended:
                return batch
            if fell_behind:
                raise ReplayGapError(
                    f"this listener fell more than {self._buffer} events behind; resynchronise"
                )
            await subscriber.wake.wait()

    def _deliver(self, subscriber: _Subscriber, event: Event) -> None:
        """Called under the lock."""
        if subscriber.fell_behind or subscriber.ended:
            return
        if len(subscriber.pending) >= self._buffer:
            subscriber.fell_behind = True
        else:
            subscriber.pending.append(event)
        self._notify(subscriber)

    def _notify(self, subscriber: _Subscriber) -> None:
        """Called under the lock: one wake-up per idle spell, not one per event."""
        if subscriber.notified:
            return
        subscriber.notified = True
        try:
            subscriber.loop.call_soon_threadsafe(subscriber.wake.set)
        except RuntimeError:  # its loop is closed: nobody is listening any more
            subscriber.ended = True

    def _room(self, room_id: int) -> _Room:
        room = self._rooms.get(room_id)
        if room is None:
            room = self._rooms[room_id] = _Room(deque(maxlen=self._buffer))
        return room
