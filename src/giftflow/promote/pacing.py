"""Pacing: the target curve of a promotion's cumulative spend, and the throttle that
makes spend follow it (budget pacing by throttling, Agarwal et al., KDD 2014).

The target is even over the promotion's active time, or, with bursts, even within each
burst, each burst reaching its share of the budget by its end. Every feed request the
promotion could fill is served with probability

    p = clamp((planned(now) - committed) / expected_cost, 0, 1)

where ``committed`` is what is billed plus what the impressions already served and not
yet settled are expected to cost (served * viewable rate * price): a promotion ahead
of its curve stops serving, one behind serves every request it may. All in milli-coins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from giftflow.ledger.clock import NS_PER_S
from giftflow.promote.money import budget_millicoins
from giftflow.promote.promotions import BPS_WHOLE, Burst, Plan

PLAN_SLACK_BPS: Final = 500
"""How far billing may run ahead of the target curve (5 % of the budget): the plan's
cap, ``plan_cap``. An impression that would pass it is not billed (``ahead_of_plan``)."""
VIEWABLE_RATE_PRIOR: Final = 0.5
"""The share of served impressions expected to turn viewable before any is seen."""
PRIOR_WEIGHT: Final = 20
"""How many served impressions the prior counts for in ``viewable_rate``."""
OUTSTANDING_WINDOW_MAX_S: Final = 120
"""The longest a served impression counts as outstanding (its viewable event may still
come) for pacing, and the window used until enough viewable events were seen to learn
the platform's own delay (``outstanding_window_s``). Counting every impression of the
hour an event is accepted for (``IMPRESSION_TTL_S``) held a third of an hour's spend as
committed that never was, and kept spend that far behind the curve. A late event is
still billed when it comes, and the throttle sees it then (money never depends on
this)."""
OUTSTANDING_WINDOW_MIN_S: Final = 10
DELAY_EDGES_S: Final = (5, 10, 20, 30, 60)
"""The edges of the histogram of viewable delays (``ViewableDelays``), in seconds."""
DELAY_SHARE_COVERED: Final = 0.99
DELAYS_NEEDED: Final = 100
"""Viewable events seen before the window is learnt from them."""


@dataclass(frozen=True, slots=True)
class ViewableDelays:
    """How long viewable events came after their impression was served: ``within[i]``
    of ``total`` came within ``DELAY_EDGES_S[i]`` seconds."""

    within: tuple[int, ...]
    total: int

    @classmethod
    def none(cls) -> ViewableDelays:
        return cls((0,) * len(DELAY_EDGES_S), 0)


@dataclass(slots=True)
class DelayHistogram:
    """Viewable delays counted as they come: ``ViewableDelays`` in the making."""

    within: list[int] = field(default_factory=lambda: [0] * len(DELAY_EDGES_S))
    total: int = 0

    def add(self, delay_ns: int) -> None:
        self.total += 1
        for position, edge in enumerate(DELAY_EDGES_S):
            self.within[position] += delay_ns <= edge * NS_PER_S

    def delays(self) -> ViewableDelays:
        return ViewableDelays(tuple(self.within), self.total)


def outstanding_window_s(delays: ViewableDelays) -> int:
    """How long a served impression without its viewable event is still expected to
    cost: twice the delay within which 99 % of the platform's viewable events came
    (decisions/0124), from ``OUTSTANDING_WINDOW_MIN_S`` to ``OUTSTANDING_WINDOW_MAX_S``.

    An impression held as committed after its event could still come makes spend lag
    the curve by what never turns viewable: on a feed whose events come within 10 s, a
    two-minute window holds a non-viewable impression's expected cost for two minutes,
    and an hour's spend swings by that much. Until ``DELAYS_NEEDED`` events were seen,
    or when they came later than the widest edge, the window is the longest."""
    if delays.total < DELAYS_NEEDED:
        return OUTSTANDING_WINDOW_MAX_S
    for edge, within in zip(DELAY_EDGES_S, delays.within, strict=True):
        if within >= delays.total * DELAY_SHARE_COVERED:
            return max(OUTSTANDING_WINDOW_MIN_S, min(OUTSTANDING_WINDOW_MAX_S, 2 * edge))
    return OUTSTANDING_WINDOW_MAX_S


def planned_millicoins(plan: Plan, at: int) -> int:
    """The target cumulative spend at ``at``: 0 before the start, the whole budget at
    the end, linear in between (per burst when there are bursts). Integer, floor."""
    budget = budget_millicoins(plan.budget_coins)
    if not plan.bursts:
        return _linear(budget, plan.starts_at, plan.ends_at, at)
    total = 0
    for burst in plan.bursts:  # a loop, not sum() of a generator: fills call this most
        if at > burst.starts_at:
            total += _burst_target(budget, burst, at)
    return total


def _burst_target(budget: int, burst: Burst, at: int) -> int:
    share = budget * burst.share_bps // BPS_WHOLE
    return _linear(share, burst.starts_at, burst.ends_at, at)


def _linear(amount: int, starts_at: int, ends_at: int, at: int) -> int:
    if at <= starts_at:
        return 0
    if at >= ends_at:
        return amount
    return amount * (at - starts_at) // (ends_at - starts_at)


def plan_cap_millicoins(plan: Plan, at: int) -> int:
    """The most a promotion may have billed at ``at``: its target plus the slack, never
    above the budget (the hard cap)."""
    budget = budget_millicoins(plan.budget_coins)
    slack = budget * PLAN_SLACK_BPS // BPS_WHOLE
    return min(budget, planned_millicoins(plan, at) + slack)


def viewable_rate(served: int, viewable: int) -> float:
    """The promotion's own viewable rate so far, pulled towards the prior while it has
    served little."""
    return (viewable + VIEWABLE_RATE_PRIOR * PRIOR_WEIGHT) / (served + PRIOR_WEIGHT)


@dataclass(frozen=True, slots=True)
class Spend:
    """What the throttle knows of a promotion's spend at one instant (milli-coins)."""

    billed: int
    outstanding: int
    """Impressions served whose viewable event may still come."""
    rate: float
    """Expected viewable share of an outstanding impression."""
    ahead_until: int = 0
    """An instant before which the target stays at or below what is committed, so that
    the throttle's chance is 0 (``behind_from``): a fill passes over the promotion with
    one comparison. 0: not known (the throttle decides). A value left over from before
    more was committed is still right: it is only earlier than it could be."""


AHEAD_MARGIN_NS: Final = 1_000_000
"""How much earlier than computed ``ahead_until`` is set (1 ms): float rounding in
``behind_from`` never makes a fill pass over a promotion the throttle would serve."""


def spend_of(plan: Plan, *, billed: int, outstanding: int, rate: float, price: int) -> Spend:
    """The spend, with ``ahead_until`` computed from the plan."""
    committed = billed + outstanding * rate * price
    return Spend(billed, outstanding, rate, behind_from(plan, committed) - AHEAD_MARGIN_NS)


def behind_from(plan: Plan, committed: float) -> int:
    """The instant from which the target can pass ``committed`` milli-coins: before it,
    ``planned_millicoins`` is at most ``committed`` (the target is a floor of a line per
    window, and every earlier window's share is already within ``committed``)."""
    budget = budget_millicoins(plan.budget_coins)
    windows = plan.bursts or (Burst(plan.starts_at, plan.ends_at, BPS_WHOLE),)
    before = 0
    for burst in windows:
        share = budget * burst.share_bps // BPS_WHOLE
        if before + share > committed:
            span = burst.ends_at - burst.starts_at
            return burst.starts_at + int((committed - before) * span / share)
        before += share
    return plan.ends_at


def serve_probability(plan: Plan, spend: Spend, *, price: int, at: int) -> float:
    """The chance to serve one more impression now (see the module's docstring)."""
    expected_cost = price * spend.rate
    committed = spend.billed + spend.outstanding * expected_cost
    if budget_millicoins(plan.budget_coins) - committed < expected_cost:
        return 0.0  # one more expected impression would pass the hard cap
    deficit = planned_millicoins(plan, at) - committed
    if deficit <= 0:
        return 0.0
    return min(1.0, deficit / expected_cost)


def slot_errors(planned: Sequence[int], actual: Sequence[int]) -> tuple[float, float]:
    """Smart Pacing's error (Xu et al., KDD 2015) for per-slot spend: the RMSE between
    planned and actual spend per slot, and the worst cumulative deviation, both in the
    unit given."""
    if len(planned) != len(actual):
        raise ValueError("planned and actual spend have different slot counts")
    if not planned:
        return 0.0, 0.0
    squares = sum((p - a) ** 2 for p, a in zip(planned, actual, strict=True))
    rmse = (squares / len(planned)) ** 0.5
    worst = cumulative = 0
    for p, a in zip(planned, actual, strict=True):
        cumulative += a - p
        worst = max(worst, abs(cumulative))
    return rmse, float(worst)
