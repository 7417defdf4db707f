"""The event bus: LIVE events to every listener of a room, in order, resumable."""

from giftflow.service.events.bus import EventBus, ReplayGapError

__all__ = ["EventBus", "ReplayGapError"]
