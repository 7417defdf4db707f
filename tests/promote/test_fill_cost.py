"""The fill decision's cost is bounded by the slots asked for, not by the promotions
running: with every promotion of a large pool ahead of its curve (none may serve), a
fill still looks at no more than ``EXAMINED_PER_SLOT`` per slot; and one behind its
curve in a pool of ahead ones is served once a fill looks at it."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping

from giftflow.promote.delivery import (
    EXAMINED_PER_SLOT,
    Candidate,
    CandidateIndex,
    FeedRequest,
    fill,
)
from giftflow.promote.pacing import Spend
from giftflow.promote.promotions import Audience, ContentKind, Goal, Plan

HOUR_NS = 3_600 * 1_000_000_000
START_NS = 1_717_200_000 * 1_000_000_000
PRICE = 200


class CountingSpends(Mapping[str, Spend]):
    """The spends a fill reads, counted."""

    def __init__(self, spends: dict[str, Spend]) -> None:
        self.spends, self.reads = spends, 0

    def __getitem__(self, key: str) -> Spend:
        self.reads += 1
        return self.spends[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.spends)

    def __len__(self) -> int:
        return len(self.spends)


def _pool(count: int) -> list[Candidate]:
    plan = Plan(
        ContentKind.VIDEO, "clip", Goal.VIEWS, 1_000, START_NS, START_NS + 10 * HOUR_NS, Audience()
    )
    return [Candidate(f"pr_{n}", 1 + n, plan, PRICE) for n in range(count)]


def test_a_fill_looks_at_a_bounded_number_of_promotions_however_many_run() -> None:
    pool = _pool(10_000)
    at = START_NS + 5 * HOUR_NS  # half the budget planned
    ahead = {c.promotion_id: Spend(600_000, 0, 0.5) for c in pool}  # 60 %: past the curve
    spends = CountingSpends(ahead)
    request = FeedRequest(99_999_999, "US", "25-34", frozenset(), 4)
    placements = fill(request, pool, {}, spends, at=at, draw=random.Random(1).random)
    assert placements == []
    assert spends.reads <= 4 * EXAMINED_PER_SLOT


def test_a_promotion_behind_its_curve_is_served_once_looked_at() -> None:
    pool = _pool(5_000)
    at = START_NS + 5 * HOUR_NS
    spends = {c.promotion_id: Spend(600_000, 0, 0.5) for c in pool}
    spends["pr_77"] = Spend(100_000, 0, 0.5)  # far behind: the throttle's chance is 1
    index = CandidateIndex.of(pool)
    rng = random.Random(7)
    request = FeedRequest(99_999_999, "US", None, frozenset(), 1)
    fills = [
        fill(request, index.for_region("US"), {}, spends, at=at, draw=rng.random)
        for _ in range(2_000)
    ]
    served = sum(1 for placements in fills for p in placements if p.promotion_id == "pr_77")
    looked_at_share = EXAMINED_PER_SLOT / len(pool)
    assert served >= 0.5 * looked_at_share * len(fills)  # about 9.6 expected
    assert all(p.promotion_id == "pr_77" for placements in fills for p in placements)
