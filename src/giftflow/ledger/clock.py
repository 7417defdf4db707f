"""Clocks, injected everywhere so that the core replays exactly and tests never sleep."""

from __future__ import annotations

import time
from typing import Final, Protocol, TypeAlias

NS_PER_S: Final = 1_000_000_000
"""Nanoseconds in a second: the ledger's clock, and every time giftflow keeps, counts
nanoseconds since the epoch."""

UnixNs: TypeAlias = int
"""An instant as giftflow keeps it: nanoseconds since the Unix epoch (UTC). Every
``*_at`` field inside giftflow is one; the HTTP API turns them into RFC 3339 at its
edge and the event stream carries them as they are (docs/api.md, decisions/0065)."""


class Clock(Protocol):
    def now_ns(self) -> int:
        """Nanoseconds since the Unix epoch."""
        ...


class SystemClock:
    def now_ns(self) -> int:
        return time.time_ns()


class ManualClock:
    """A clock that only moves when told to (tests, replays of recorded events)."""

    def __init__(self, start_ns: int = 1_700_000_000 * NS_PER_S) -> None:
        self._now_ns = start_ns

    def now_ns(self) -> int:
        return self._now_ns

    def advance(self, *, seconds: float = 0, ns: int = 0) -> None:
        self._now_ns += int(seconds * NS_PER_S) + ns

    def set_ns(self, now_ns: int) -> None:
        self._now_ns = now_ns


class OffsetClock:
    """Another clock, run ahead by an offset that only grows: the test clock of a
    development economy (``giftflow.service.economy.test_clock``). Moving forward
    keeps every timestamp the ledger gave out in the past; moving back never
    happens, so nothing booked can end up in the future."""

    def __init__(self, base: Clock, offset_ns: int = 0) -> None:
        if offset_ns < 0:
            raise ValueError("a test clock never runs behind its base")
        self.base = base
        self._offset_ns = offset_ns

    @property
    def offset_ns(self) -> int:
        return self._offset_ns

    def now_ns(self) -> int:
        return self.base.now_ns() + self._offset_ns

    def move_to_offset(self, offset_ns: int) -> None:
        """At least this far ahead (a larger offset seen elsewhere); never back."""
        self._offset_ns = max(self._offset_ns, offset_ns)
