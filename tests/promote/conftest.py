"""Promote under test: LIVE's stage (an economy on each backend, a manual clock, the
sandbox) with ``Promote`` over it, a creator with coins, and viewers.

``tests/promote`` is a package so that mypy names this module ``promote.conftest``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from giftflow.economy.users import User
from giftflow.promote.delivery import FeedRequest
from giftflow.promote.promotions import Audience, Burst, ContentKind, Goal, Plan
from giftflow.service.promote import EventKind, ImpressionEvent, Promote, Promotion, Served
from tests.economy.conftest import clock, open_market, sandbox
from tests.live.conftest import NS_PER_S, OpenStage, Stage, economy_url, open_stage

__all__ = ["clock", "economy_url", "open_market", "open_stage", "sandbox"]

HOUR_S = 3_600


@dataclass
class Field:
    """A stage with Promote over it and the moves every scenario makes."""

    stage: Stage
    promote: Promote
    _viewers: Iterator[int] = field(default_factory=lambda: itertools.count(10_000))

    @property
    def now(self) -> int:
        return self.stage.market.clock.now_ns()

    def creator(self, coins: int = 10_000) -> User:
        creator = self.stage.creator()
        if coins:
            self.stage.market.buy(creator, coins)
        return creator

    def plan(self, budget_coins: int = 1_000, hours: int = 10, **fields: Any) -> Plan:
        start = self.now
        values: dict[str, Any] = {
            "content_kind": ContentKind.VIDEO,
            "content_id": "video-1",
            "goal": Goal.FOLLOWERS,
            "budget_coins": budget_coins,
            "starts_at": start,
            "ends_at": start + hours * HOUR_S * NS_PER_S,
        }
        return Plan(**(values | fields))

    def active(self, creator: User, plan: Plan | None = None) -> Promotion:
        draft = self.promote.create(creator_id=creator.id, plan=plan or self.plan())
        self.promote.submit(draft.id)
        return self.promote.approve(draft.id)

    def request(self, viewer_id: int | None = None, **fields: Any) -> FeedRequest:
        values: dict[str, Any] = {
            "viewer_id": viewer_id if viewer_id is not None else next(self._viewers),
            "region": "US",
            "age_band": "25-34",
            "interests": frozenset({"art"}),
            "slots": 2,
        }
        return FeedRequest(**(values | fields))

    def view(self, served: Served, visible_ms: int = 2_500, **fields: Any) -> Any:
        self.stage.advance(3)
        event = ImpressionEvent(served.impression_id, EventKind.VIEWABLE, visible_ms, **fields)
        return self.promote.record_events([event])[0]

    def advance(self, seconds: float) -> None:
        self.stage.advance(seconds)


def burst(start: int, hours_from: float, hours_to: float, share_bps: int) -> Burst:
    return Burst(
        start + int(hours_from * HOUR_S * NS_PER_S),
        start + int(hours_to * HOUR_S * NS_PER_S),
        share_bps,
    )


@pytest.fixture
def promote_field(open_stage: OpenStage) -> Field:
    stage = open_stage(promote_price_per_1000_coins=10_000)  # 10 coins an impression
    return Field(stage, Promote.open(stage.market.economy, draw=random.Random(7).random))


__all__ += ["Audience", "Field", "burst"]
