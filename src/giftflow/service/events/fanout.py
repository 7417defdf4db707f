"""One room's listeners in this process, each with a bounded queue of its own.

Both buses hand a room's events to their local listeners through a ``Fanout``: the
in-process bus as it publishes, the Redis bus from one reader per room and process
(not one per listener). Whoever delivers never waits for a listener: ``deliver``
appends to each listener's queue and, when the listener was idle, wakes it on its own
event loop (``loop.call_soon_threadsafe``), once per idle spell. Every listener gets
the same ``Event`` objects, so the frame a WebSocket sends (``Event.to_json``) is
serialised once per event, not once per listener.

A listener whose queue holds ``queue_max`` events it has not taken (a WebSocket whose
client stopped reading) is cut off: its iterator raises ``ReplayGapError`` after the
events it had taken, as a reconnect would once the buffer no longer reached back to it.
It resynchronises from state; it never holds up the room or its publisher.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from giftflow.live.events import Event
from giftflow.service.events.bus import ReplayGapError


@dataclass(eq=False)
class Listener:
    loop: asyncio.AbstractEventLoop
    wake: asyncio.Event
    pending: deque[Event] = field(default_factory=deque)
    notified: bool = False
    fell_behind: bool = False
    ended: bool = False
    failure: ReplayGapError | None = None
    """Why every listener of the room was cut off (the Redis reader lost its place)."""


class Fanout:
    """The listeners of one room: see the module's docstring. ``lock`` guards them and
    is the caller's, so that numbering an event and delivering it are one step."""

    def __init__(self, lock: threading.Lock, queue_max: int) -> None:
        if queue_max < 1:
            raise ValueError("a listener's queue must hold at least one event")
        self._lock = lock
        self._queue_max = queue_max
        self.listeners: set[Listener] = set()

    def join(self, *, ended: bool = False) -> Listener:
        """A new listener, on the running loop; called under the lock."""
        listener = Listener(asyncio.get_running_loop(), asyncio.Event(), ended=ended)
        self.listeners.add(listener)
        return listener

    def leave(self, listener: Listener) -> None:
        with self._lock:
            self.listeners.discard(listener)

    def deliver(self, events: Iterable[Event]) -> None:
        """Called under the lock."""
        for event in events:
            for listener in self.listeners:
                if listener.fell_behind or listener.ended:
                    continue
                if len(listener.pending) >= self._queue_max:
                    listener.fell_behind = True
                else:
                    listener.pending.append(event)
                self.notify(listener)

    def end(self, failure: ReplayGapError | None = None) -> None:
        """Every listener's iterator stops (raising ``failure`` if given); under the lock."""
        for listener in self.listeners:
            listener.ended = True
            listener.failure = failure
            self.notify(listener)

    def notify(self, listener: Listener) -> None:
        """Called under the lock: one wake-up per idle spell, not one per event."""
        if listener.notified:
            return
        listener.notified = True
        try:
            listener.loop.call_soon_threadsafe(listener.wake.set)
        except RuntimeError:  # its loop is closed: nobody is listening any more
            listener.ended = True

    async def next_batch(self, listener: Listener) -> list[Event]:
        """What came since the last batch (empty only once the listener has ended)."""
        while True:
            with self._lock:
                batch = list(listener.pending)
                listener.pending.clear()
                listener.notified = False
                listener.wake.clear()
                fell_behind, ended, failure = (
                    listener.fell_behind,
                    listener.ended,
                    listener.failure,
                )
            if batch:
                return batch
            if failure is not None:
                raise failure
            if ended:
                return batch
            if fell_behind:
                raise ReplayGapError(
                    f"this listener fell more than {self._queue_max} events behind; resynchronise"
                )
            await listener.wake.wait()
