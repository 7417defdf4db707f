"""``open_bus`` picks the bus from the settings: Redis when ``GIFTFLOW_REDIS_URL`` is set,
else the in-process bus."""

from __future__ import annotations

import pytest

from giftflow.ids import UserId
from giftflow.service.events import InProcessBus, open_bus
from giftflow.service.events.redis import RedisBus
from giftflow.settings import Settings


def test_without_a_redis_url_events_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GIFTFLOW_REDIS_URL", raising=False)
    bus = open_bus(Settings())
    assert isinstance(bus, InProcessBus)
    bus.close()


def test_with_a_redis_url_events_go_through_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIFTFLOW_REDIS_URL", "redis://127.0.0.1:6379/0")
    bus = open_bus(Settings())  # connects lazily: no Redis needed to open it
    assert isinstance(bus, RedisBus)
    assert bus.stream_key(UserId(7)) == "giftflow:room:7:events"
    bus.close()
