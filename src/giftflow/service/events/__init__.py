"""The event bus: LIVE events to every listener of a room, in order, resumable."""

from __future__ import annotations

from giftflow.service.events.bus import REPLAY_BUFFER_EVENTS, EventBus, ReplayGapError
from giftflow.service.events.memory import InProcessBus
from giftflow.settings import Settings

__all__ = ["REPLAY_BUFFER_EVENTS", "EventBus", "InProcessBus", "ReplayGapError", "open_bus"]


def open_bus(settings: Settings) -> EventBus:
    """Redis streams when ``GIFTFLOW_REDIS_URL`` is set (several server processes), else
    the in-process bus. The caller closes it."""
    if settings.redis_url is None:
        return InProcessBus(queue_max=settings.ws_queue_max)
    from giftflow.service.events.redis import RedisBus  # noqa: PLC0415 (only with Redis)

    return RedisBus(settings.redis_url, queue_max=settings.ws_queue_max)
