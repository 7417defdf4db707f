"""Event buses under test: the in-process bus, and the Redis bus on the local Redis
(127.0.0.1:6379) under a key prefix of this test run's own, deleted afterwards (the
``redis_url`` and ``redis_prefix`` fixtures are the project's, in tests/conftest.py).
``tests/events`` is a package so that mypy names this module ``events.conftest``; tests
import the helpers from it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from giftflow.ids import UserId
from giftflow.live.events import Event
from giftflow.service.events import EventBus, InProcessBus
from giftflow.service.events.redis import RedisBus

RECEIVE_TIMEOUT_S = 10
BusFactory = Callable[..., EventBus]
"""Opens a bus (keyword ``buffer``); every bus one factory opens shares its rooms."""


@pytest.fixture(params=["memory", "redis"])
def new_bus(request: pytest.FixtureRequest) -> Iterator[BusFactory]:
    """Opens buses of one kind: in-process, or Redis under a prefix of this test's own."""
    opened: list[EventBus] = []
    memory: dict[int, InProcessBus] = {}

    def open_bus(*, buffer: int = 1_000) -> EventBus:
        if request.param == "redis":
            prefix: str = request.getfixturevalue("redis_prefix")
            opened.append(
                RedisBus(request.getfixturevalue("redis_url"), buffer=buffer, prefix=prefix)
            )
        else:
            # One process has one in-process bus: opening "another" gives the same one.
            opened.append(memory.setdefault(buffer, InProcessBus(buffer)))
        return opened[-1]

    yield open_bus
    for bus in opened:
        bus.close()


@pytest.fixture
def bus(new_bus: BusFactory) -> EventBus:
    return new_bus()


async def take(events: AsyncIterator[Event], count: int) -> list[Event]:
    """The next ``count`` events, failing after ``RECEIVE_TIMEOUT_S`` rather than hanging."""

    async def collect() -> list[Event]:
        return [await anext(events) for _ in range(count)]

    return await asyncio.wait_for(collect(), RECEIVE_TIMEOUT_S)


def publish(bus: EventBus, room_id: int, count: int, *, start: int = 0) -> list[Event]:
    return [
        bus.publish(UserId(room_id), "gift.sent", {"n": start + n}, at=start + n)
        for n in range(count)
    ]
