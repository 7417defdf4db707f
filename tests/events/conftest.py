"""Event buses under test: the in-process bus, and the Redis bus on the local Redis
(127.0.0.1:6379) under a key prefix of this test run's own, deleted afterwards.

Without Redis the Redis cases skip, except in CI (``CI=true``), where a missing Redis
is a broken build. ``tests/events`` is a package so that mypy names this module
``events.conftest``; tests import the helpers from it.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import redis

from giftflow.live.events import Event
from giftflow.service.events import EventBus, InProcessBus
from giftflow.service.events.redis import RedisBus

REDIS_URL = "redis://127.0.0.1:6379/0"
CONNECT_TIMEOUT_S = 3
RECEIVE_TIMEOUT_S = 10
BusFactory = Callable[..., EventBus]
"""Opens a bus (keyword ``buffer``); every bus one factory opens shares its rooms."""


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"Redis is required in CI: {reason}", pytrace=False)
    pytest.skip(f"Redis unavailable: {reason}")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis (skips, or fails in CI, when it does not answer)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=CONNECT_TIMEOUT_S)
    try:
        client.ping()
    except redis.RedisError as error:
        _skip_or_fail(str(error))
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other test or run uses; its keys are deleted afterwards."""
    prefix = f"giftflow-test:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


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
    return [bus.publish(room_id, "gift.sent", {"n": start + n}, at=start + n) for n in range(count)]
