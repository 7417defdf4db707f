"""Hypothesis, on each backend: for any sequence of fills, viewable events and clock
moves, a promotion never bills above its pacing plan's cap (nor its budget), posts no
more than it billed, and once closed has spent + released = budget exactly; the books
reconcile."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.promote.money import charged_coins
from giftflow.promote.pacing import plan_cap_millicoins
from giftflow.promote.promotions import PromotionState
from tests.promote.conftest import HOUR_S, Field

STEP = st.one_of(
    st.tuples(st.just("fill"), st.integers(1, 3), st.integers(0, 5)),
    st.tuples(st.just("view"), st.integers(0, 40), st.integers(1_000, 4_000)),
    st.tuples(st.just("wait"), st.integers(1, 2 * HOUR_S), st.just(0)),
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(STEP, max_size=30),
    budget=st.integers(30, 300),
    end=st.sampled_from(["sweep", "cancel"]),
)
def test_spent_and_released_make_the_budget_and_spend_stays_under_the_plan(
    promote_field: Field, steps: list[tuple[str, int, int]], budget: int, end: str
) -> None:
    field = promote_field
    creator = field.creator(coins=budget)
    promotion = field.active(creator, field.plan(budget_coins=budget, hours=6))
    served = []
    for kind, first, second in steps:
        if kind == "fill":
            served += field.promote.fill(field.request(second, slots=first))
        elif kind == "view" and served:
            field.view(served[first % len(served)], second)
        elif kind == "wait":
            field.advance(first)
        now = field.promote.get(promotion.id)
        assert now.billed_millicoins <= plan_cap_millicoins(now.plan, field.now)
        assert now.posted_coins <= charged_coins(now.billed_millicoins)
        assert now.posted_coins + now.reserved_coins == budget
    if end == "cancel":
        field.promote.cancel(promotion.id)
    else:
        field.advance(7 * HOUR_S)
        field.promote.sweep()
    closed = field.promote.get(promotion.id)
    assert closed.state in (PromotionState.CANCELLED, PromotionState.COMPLETED)
    assert closed.posted_coins + closed.released_coins == budget
    assert closed.posted_coins == charged_coins(closed.billed_millicoins)
    assert field.stage.market.economy.wallet(creator.id).coins == budget - closed.posted_coins
    assert field.stage.market.economy.reconcile().ok
