"""The fill decision's cost is bounded by the slots asked for, not by the promotions
running: with every promotion of a large pool ahead of its curve (none may serve), a
fill still looks at no more than ``EXAMINED_PER_SLOT`` per slot; and one behind its
curve in a pool of ahead ones is served once a fill looks at it; and an index built
with the spends walks only the promotions that may serve, so one behind its curve in a
pool of ahead ones is served by nearly every fill."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping

from hypothesis import given
from hypothesis import strategies as st

from giftflow.ids import UserId
from giftflow.promote.delivery import (
    EXAMINED_PER_SLOT,
    EXAMINED_PER_SLOT_MAX,
    Candidate,
    CandidateIndex,
    FeedRequest,
    fill,
)
from giftflow.promote.pacing import Spend, serve_probability, spend_of
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
    return [Candidate(f"pr_{n}", UserId(1 + n), plan, PRICE) for n in range(count)]


def test_a_fill_looks_at_a_bounded_number_of_promotions_however_many_run() -> None:
    pool = _pool(10_000)
    at = START_NS + 5 * HOUR_NS  # half the budget planned
    ahead = {c.promotion_id: Spend(600_000, 0, 0.5) for c in pool}  # 60 %: past the curve
    spends = CountingSpends(ahead)
    request = FeedRequest(UserId(99_999_999), "US", "25-34", frozenset(), 4)
    placements = fill(request, pool, {}, spends, at=at, draw=random.Random(1).random)
    assert placements == []
    assert spends.reads <= 4 * EXAMINED_PER_SLOT_MAX


def test_a_promotion_behind_its_curve_is_served_once_looked_at() -> None:
    pool = _pool(5_000)
    at = START_NS + 5 * HOUR_NS
    spends = {c.promotion_id: Spend(600_000, 0, 0.5) for c in pool}
    spends["pr_77"] = Spend(100_000, 0, 0.5)  # far behind: the throttle's chance is 1
    index = CandidateIndex.of(pool)
    rng = random.Random(7)
    request = FeedRequest(UserId(99_999_999), "US", None, frozenset(), 1)
    fills = [
        fill(request, index.for_region("US"), {}, spends, at=at, draw=rng.random)
        for _ in range(2_000)
    ]
    served = sum(1 for placements in fills for p in placements if p.promotion_id == "pr_77")
    looked_at_share = EXAMINED_PER_SLOT / len(pool)
    assert served >= 0.5 * looked_at_share * len(fills)  # about 9.6 expected
    assert all(p.promotion_id == "pr_77" for placements in fills for p in placements)


def test_an_index_built_with_spends_serves_the_one_behind_at_every_fill() -> None:
    pool = _pool(5_000)
    at = START_NS + 5 * HOUR_NS
    spends = {
        c.promotion_id: spend_of(c.plan, billed=600_000, outstanding=0, rate=0.5, price=PRICE)
        for c in pool
    }
    spends["pr_77"] = spend_of(pool[77].plan, billed=100_000, outstanding=0, rate=0.5, price=PRICE)
    index = CandidateIndex.of(pool, spends)
    assert index.open_count("US", at) == 1
    rng = random.Random(7)
    request = FeedRequest(UserId(99_999_999), "US", None, frozenset(), 1)
    served = 0
    for _ in range(200):
        placements = fill(
            request,
            index.for_region("US"),
            {},
            spends,
            at=at,
            draw=rng.random,
            open_count=index.open_count("US", at),
        )
        served += sum(1 for p in placements if p.promotion_id == "pr_77")
    assert served == 200  # far behind: the throttle's chance is 1 at every fill


@given(
    billed=st.lists(st.integers(0, 1_100_000), min_size=1, max_size=40),
    outstanding=st.integers(0, 20),
    hour=st.floats(0, 11),
    later=st.integers(0, 3_600),
)
def test_what_the_open_prefix_leaves_out_could_not_serve(
    billed: list[int], outstanding: int, hour: float, later: int
) -> None:
    """Every candidate past ``open_count`` has a throttle's chance of 0 at that instant
    (with the spends the index was built with): the prefix leaves out nothing a full
    walk would have served."""
    pool = _pool(len(billed))
    spends = {
        c.promotion_id: spend_of(
            c.plan, billed=amount, outstanding=outstanding, rate=0.5, price=PRICE
        )
        for c, amount in zip(pool, billed, strict=True)
    }
    index = CandidateIndex.of(pool, spends)
    at = START_NS + int(hour * HOUR_NS) + later * 1_000_000_000
    ordered = index.for_region(None)
    left_out = ordered[index.open_count(None, at) :]
    for candidate in left_out:
        spend = spends[candidate.promotion_id]
        assert serve_probability(candidate.plan, spend, price=PRICE, at=at) == 0.0
