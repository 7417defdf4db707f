"""The event bus contract, which the in-process and the Redis bus both keep.

- ``publish`` is thread-safe and returns the event with its ``id`` set. Within a room,
  every subscriber, in every server process sharing the bus, sees the same events in
  the same order.
- ``subscribe(room_id, after=None)`` yields the room's events as they come; with
  ``after`` set to the last id a listener saw, it first replays what came after it from
  a bounded buffer (no gap, no duplicate), or raises ``ReplayGapError`` when the buffer no
  longer reaches back that far (the listener must then resynchronise from state).
- ``last_id(room_id)`` is the id of the newest event published to the room so far
  (``None`` before the first): a listener that loads the room's state after reading it
  subscribes with ``after`` set to it and misses nothing published since.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from giftflow.errors import GiftflowError
from giftflow.ids import UserId
from giftflow.live.events import Event

REPLAY_BUFFER_EVENTS = 1_000
"""Events kept per room for listeners that reconnect."""


class ReplayGapError(GiftflowError):
    code = "replay_gap"


class EventBus(Protocol):
    def publish(self, room_id: UserId, type: str, data: Mapping[str, Any], *, at: int) -> Event: ...

    def subscribe(self, room_id: UserId, *, after: str | None = None) -> AsyncIterator[Event]: ...

    def last_id(self, room_id: UserId) -> str | None: ...

    def close(self) -> None: ...
