"""Pacing's pure parts, by hypothesis: before a spend's ``ahead_until`` the throttle's
chance is 0, so a fill may pass over the promotion in one comparison and decide as it
would have; and ``ahead_until`` is the instant the target reaches what is committed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from giftflow.promote.pacing import (
    behind_from,
    serve_probability,
    spend_of,
)
from giftflow.promote.promotions import Burst, ContentKind, Goal, Plan

HOUR_NS = 3_600 * 1_000_000_000
START_NS = 1_717_200_000 * 1_000_000_000


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    hours = draw(st.integers(1, 72))
    ends = START_NS + hours * HOUR_NS
    bursts: tuple[Burst, ...] = ()
    if draw(st.booleans()) and hours >= 3:
        third = (ends - START_NS) // 3
        first = draw(st.integers(1, 9_998))
        second = draw(st.integers(1, 9_999 - first))
        shares = (first, second, 10_000 - first - second)
        bursts = tuple(
            Burst(START_NS + i * third, START_NS + i * third + third // 2, share)
            for i, share in enumerate(shares)
        )
    budget = draw(st.integers(1, 1_000_000))
    return Plan(ContentKind.VIDEO, "v", Goal.VIEWS, budget, START_NS, ends, bursts=bursts)


@given(
    plan=plans(),
    billed_share=st.floats(0, 1.2),
    outstanding=st.integers(0, 50),
    rate=st.floats(0.01, 1),
    price=st.integers(1, 100_000),
    moment=st.floats(0, 1),
)
def test_before_ahead_until_the_throttle_never_serves(
    plan: Plan,
    billed_share: float,
    outstanding: int,
    rate: float,
    price: int,
    moment: float,
) -> None:
    billed = int(plan.budget_coins * 1_000 * billed_share)
    spend = spend_of(plan, billed=billed, outstanding=outstanding, rate=rate, price=price)
    at = plan.starts_at + int((spend.ahead_until - plan.starts_at) * moment)
    if at < spend.ahead_until:
        assert serve_probability(plan, spend, price=price, at=at) == 0.0


def test_a_promotion_that_committed_half_its_budget_is_ahead_until_half_its_time() -> None:
    plan = Plan(ContentKind.VIDEO, "v", Goal.VIEWS, 1_000, START_NS, START_NS + 10 * HOUR_NS)
    spend = spend_of(plan, billed=400_000, outstanding=500, rate=0.5, price=400)
    middle = START_NS + 5 * HOUR_NS
    assert middle - 2_000_000 < spend.ahead_until < middle
    assert serve_probability(plan, spend, price=400, at=middle + HOUR_NS) > 0
    assert behind_from(plan, 1_000_000) == plan.ends_at  # the whole budget: never behind
