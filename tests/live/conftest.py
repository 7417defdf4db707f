"""LIVE under test: the economy's fixtures (a real database on each backend, a manual
clock, the sandbox), a ``Live`` over it, and a bus that records what is published.

``tests/live`` is a package so that mypy names this module ``live.conftest``.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from giftflow.economy.users import User
from giftflow.ids import GiftId, UserId
from giftflow.live.events import Event
from giftflow.live.sessions import LiveSession
from giftflow.service.economy import GiftRequest, GiftSent
from giftflow.service.live import Live, LiveSettings
from tests.economy.conftest import (
    ROSE,
    Market,
    OpenMarket,
    clock,
    open_market,
    sandbox,
)
from tests.tables import ECONOMY_TABLES, LIVE_TABLES, RESET_TEST_CLOCK, empty_tables

__all__ = ["clock", "open_market", "sandbox"]

NS_PER_S = 1_000_000_000


class RecordingBus:
    """An ``EventBus`` that keeps every published event, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, room_id: int, type: str, data: Mapping[str, Any], *, at: int) -> Event:
        published = Event(UserId(room_id), type, at, dict(data), id=str(len(self.events) + 1))
        self.events.append(published)
        return published

    async def subscribe(self, room_id: int, *, after: str | None = None) -> AsyncIterator[Event]:
        for published in list(self.events):
            if published.room_id == room_id:
                yield published

    def last_id(self, room_id: int) -> str | None:
        ids = [e.id for e in self.events if e.room_id == room_id]
        return ids[-1] if ids else None

    def close(self) -> None:
        pass

    def of(self, type: str, room_id: int | None = None) -> list[Event]:
        return [
            e for e in self.events if e.type == type and (room_id is None or e.room_id == room_id)
        ]


@dataclass
class Stage:
    """An economy, LIVE over it, the recording bus, and the moves every scenario makes."""

    market: Market
    live: Live
    bus: RecordingBus
    _names: Iterator[int] = field(default_factory=itertools.count)
    _events: Iterator[int] = field(default_factory=itertools.count)

    def creator(self) -> User:
        return self.market.creator(f"creator-{next(self._names)}")

    def viewer(self, coins: int = 100_000) -> User:
        viewer = self.market.viewer(f"viewer-{next(self._names)}")
        if coins:
            self.market.buy(viewer, coins)
        return viewer

    def live_session(self, title: str = "") -> LiveSession:
        return self.live.start_session(self.creator().id, title=title)

    def request(
        self, sender: User, session: LiveSession, gift_id: int = ROSE, *, quantity: int = 1
    ) -> GiftRequest:
        return GiftRequest(
            sender_id=sender.id,
            creator_id=session.creator_id,
            gift_id=GiftId(gift_id),
            quantity=quantity,
            event_id=f"live-{next(self._events)}",
            session_id=session.id,
        )

    def gift(
        self, sender: User, session: LiveSession, gift_id: int = ROSE, *, quantity: int = 1
    ) -> GiftSent:
        return self.market.economy.send_gift(
            self.request(sender, session, gift_id, quantity=quantity)
        )

    def advance(self, seconds: float) -> None:
        self.market.clock.advance(seconds=seconds)


def _empty_tables(url: str) -> None:
    empty_tables(url, (*LIVE_TABLES, *ECONOMY_TABLES), RESET_TEST_CLOCK)


@pytest.fixture
def economy_url(database_url: str) -> str:
    """An empty economy and LIVE on each backend."""
    if database_url.startswith("postgresql"):
        _empty_tables(database_url)
    return database_url


OpenStage = Callable[..., Stage]


@pytest.fixture
def open_stage(open_market: OpenMarket) -> OpenStage:
    """Opens LIVE over a new economy (velocity rule relaxed: scenarios send fast)."""

    def open_with(settings: LiveSettings | None = None, **economy_settings: Any) -> Stage:
        market = open_market(velocity_limit=1_000_000, **economy_settings)
        bus = RecordingBus()
        return Stage(market, Live.open(market.economy, bus, settings), bus)

    return open_with


@pytest.fixture
def stage(open_stage: OpenStage) -> Stage:
    return open_stage()
