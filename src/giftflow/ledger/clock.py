"""Clocks, injected everywhere so that the core replays exactly and tests never sleep."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ns(self) -> int:
        """Nanoseconds since the Unix epoch."""
        ...


class SystemClock:
    def now_ns(self) -> int:
        return time.time_ns()


class ManualClock:
    """A clock that only moves when told to (tests, replays of recorded events)."""

    def __init__(self, start_ns: int = 1_700_000_000 * 1_000_000_000) -> None:
        self._now_ns = start_ns

    def now_ns(self) -> int:
        return self._now_ns

    def advance(self, *, seconds: float = 0, ns: int = 0) -> None:
        self._now_ns += int(seconds * 1_000_000_000) + ns

    def set_ns(self, now_ns: int) -> None:
        self._now_ns = now_ns
