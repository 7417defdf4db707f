"""The test clock of a development economy: moved forward by an operator, so that a
holding period, a battle or a streak timeout can be crossed without waiting.

A development economy reads time through an ``OffsetClock`` over its base clock (the
host's, or one injected). The offset is kept in ``test_clock`` (one row), so that it
survives a restart and is shared by every server process on the database: the process
that advances it moves at once, the others on their next ``sync`` (the API's sweep,
every second). It only ever grows: nothing booked is ever in the future.
"""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.economy.errors import EconomyError, TestModeUnavailableError
from giftflow.ledger.clock import NS_PER_S, Clock, OffsetClock
from giftflow.service.economy.context import EconomyContext
from giftflow.service.once import Once
from giftflow.settings import Settings
from giftflow.store import test_clock as stored_clock
from giftflow.store.tx import Tx

ADVANCE_S_MAX = 10 * 366 * 86_400
"""Ten years at most per move: far enough for any holding period."""
OFFSET_MAX_NS = 100 * 366 * 86_400 * NS_PER_S
"""A century ahead at most in all: a signed 64-bit nanosecond clock (every timestamp
giftflow stores) ends in 2262."""


@dataclass(frozen=True, slots=True)
class TestClockView:
    """The economy's time now and how far ahead of its base clock it runs."""

    __test__ = False
    now_ns: int
    offset_ns: int


def wrap(clock: Clock, settings: Settings) -> Clock:
    """A development economy's clock can be moved forward; a production one never."""
    return OffsetClock(clock) if settings.environment == "development" else clock


def _offset_clock(context: EconomyContext) -> OffsetClock:
    clock = context.clock
    if not isinstance(clock, OffsetClock):
        raise TestModeUnavailableError(
            "the test clock exists only in development (GIFTFLOW_ENVIRONMENT=development)"
        )
    return clock


def view(context: EconomyContext) -> TestClockView:
    clock = _offset_clock(context)
    return TestClockView(clock.now_ns(), clock.offset_ns)


def sync(context: EconomyContext) -> None:
    """Catch up with an advance made by another process (or before a restart)."""
    clock = context.clock
    if isinstance(clock, OffsetClock):
        clock.move_to_offset(context.ledger.read(_stored_offset))


_stored_offset = stored_clock.offset_ns


def advance(context: EconomyContext, seconds: int, *, once: Once | None = None) -> TestClockView:
    """Move the economy's clock ``seconds`` forward (1 to ``ADVANCE_S_MAX``)."""
    clock = _offset_clock(context)
    if not 0 < seconds <= ADVANCE_S_MAX:
        raise EconomyError(
            f"the test clock moves forward only, by 1 to {ADVANCE_S_MAX} seconds, not {seconds}",
            code="test_clock_invalid",
        )

    def write(tx: Tx) -> TestClockView:
        if _stored_offset(tx) + seconds * NS_PER_S > OFFSET_MAX_NS:
            raise EconomyError(
                "the test clock runs at most a century ahead of the host's clock",
                code="test_clock_invalid",
            )
        stored_clock.move(tx, seconds * NS_PER_S, now_ns=context.now())
        offset = _stored_offset(tx)
        moved = TestClockView(clock.base.now_ns() + offset, offset)
        if once is not None:
            once.keep(tx, moved, now=moved.now_ns)
        return moved

    moved = context.ledger.write(write)
    clock.move_to_offset(moved.offset_ns)
    return moved
