"""The pacing figures of ``giftflow bench promote``: the cumulative deviation from the
target curve and the hourly RMSE (Smart Pacing's error), and the floor an ideal pacer
billing whole impressions would reach."""

from __future__ import annotations

from giftflow.bench.promote_platform import HOUR_NS, START_NS
from giftflow.promote.pacing import (
    planned_millicoins,
)
from giftflow.promote.promotions import (
    Plan,
)


def whole_impressions_hourly(plan: Plan, price: int, hours: int) -> list[int]:
    """The cumulative spend at each hourly checkpoint of an ideal pacer that bills
    whole impressions only: exactly the impressions the target curve has paid for by
    then (``floor(target / price)``). Its hourly RMSE (``pacing_errors_pct``) is the floor that
    impression granularity sets for any pacer: with 1.4 impressions an hour, an hour
    holds one or two of them, never 1.4."""
    return [
        planned_millicoins(plan, START_NS + hour * HOUR_NS) // price * price
        for hour in range(1, hours + 1)
    ]


def pacing_errors_pct(plan: Plan, hourly: list[int]) -> tuple[float, float]:
    """Worst cumulative deviation after the first tenth, and the RMSE of hourly spend,
    both in percent (of the budget, of the mean hourly budget)."""
    budget = plan.budget_coins * 1_000
    after = plan.starts_at + (plan.ends_at - plan.starts_at) // 10
    worst, squares, slots, previous_actual, previous_plan = 0.0, 0.0, 0, 0, 0
    for hour, actual in enumerate(hourly, start=1):
        at = START_NS + hour * HOUR_NS
        if at <= plan.starts_at or at > plan.ends_at + HOUR_NS:
            previous_actual, previous_plan = actual, planned_millicoins(plan, at)
            continue
        target = planned_millicoins(plan, at)
        if at >= after and at <= plan.ends_at:
            worst = max(worst, abs(actual - target) / budget)
        squares += ((actual - previous_actual) - (target - previous_plan)) ** 2
        slots += 1
        previous_actual, previous_plan = actual, target
    hours = max((plan.ends_at - plan.starts_at) / HOUR_NS, 1)
    rmse = (squares / max(slots, 1)) ** 0.5 / (budget / hours)
    return 100 * worst, 100 * rmse
