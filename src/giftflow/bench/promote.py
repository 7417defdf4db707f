"""``giftflow bench promote``: N concurrent promotions paced in process against a
simulated platform, their money through the real ledger.

The platform: ``viewers`` viewers with regions, age bands and interests (2 % flagged
bots), feed requests of 4 slots each minute at a rate that follows the minute-by-minute
donation rate of SGDQ 2012 (the packaged demo log) folded onto a day, floored at half
its mean so that supply suffices at night, and sized by what the region wanted most
needs (``_demand``) so that supply suffices in every region. The promotions: budgets of
500 to 3,000 coins at 10 coins an impression by default (50 to 300 impressions each;
``price_per_1000_coins`` changes it, and with it how many impressions an hour holds), 12
to 36 hours long, starting over the first 12 hours; half automatic, a third in one
region, the rest by interests; a third in three bursts; a cap of 3 per viewer per day.
Each served impression turns viewable with probability 0.7 two to ten seconds later and
is billed by the same rule the database applies (the pacing plan's cap and the budget),
or refused as invalid.

The decision is ``giftflow.promote.delivery.fill``, timed per call (p50, p99). Money:
every promotion's budget is reserved by a pending transfer on a SQLite ledger, settled
every simulated hour by the service's own chains (post what is billed, reserve the
rest) and closed at its end (``money.closing_transfer``); the books are reconciled.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Final

from giftflow.bench.figures import percentile
from giftflow.bench.promote_books import State, money_adds_up, open_books
from giftflow.bench.promote_door import DoorResult, bench_promote_door
from giftflow.bench.promote_figures import pacing_errors_pct, whole_impressions_hourly
from giftflow.bench.promote_platform import (
    BOT_SHARE,
    HOUR_NS,
    INTERESTS,
    MINUTE_NS,
    REGIONS,
    START_NS,
    Figures,
    simulate,
)
from giftflow.ids import UserId
from giftflow.promote.delivery import Candidate
from giftflow.promote.money import charged_coins
from giftflow.promote.promotions import (
    AgeBand,
    Audience,
    Burst,
    ContentKind,
    Goal,
    Plan,
)
from giftflow.service.ledger import Ledger

PRICE_PER_1000: Final = 10_000


@dataclass(frozen=True, slots=True)
class PromoteBenchResult:
    promotions: int
    viewers: int
    price_per_1000_coins: int
    requests: int
    served: int
    billed: int
    bot_requests: int
    """Requests the platform flagged as bots: filtered before anything was served."""
    unbilled: int
    """Viewable impressions past the pacing plan's cap or the budget: never charged."""
    pacing_error_max_pct: float
    """Worst |actual - target| cumulative spend at an hourly checkpoint after the first
    tenth of a promotion's time, as a share of its budget."""
    slot_rmse_max_pct: float
    """Worst per-promotion RMSE of hourly spend against the plan, as a share of its mean
    hourly budget."""
    slot_rmse_floor_max_pct: float
    """The same RMSE for an ideal pacer billing whole impressions
    (``whole_impressions_hourly``): what impression granularity alone costs, the worst
    over the promotions."""
    impressions_per_slot_min: float
    """The fewest impressions a promotion's mean hourly budget buys: below about 10,
    the granularity floor alone is above 5 %."""
    overspent_coins: int
    delivered_pct: float
    cap_violations: int
    fill_p50_ms: float
    fill_p99_ms: float
    fill_cpu_p50_ms: float
    fill_cpu_p99_ms: float
    """The fill's own CPU time (the thread's): on a loaded machine the wall-clock p99
    is the scheduler's (a fill preempted midway waits for a core), not the decision's."""
    reconciled: bool
    seconds: float
    door: DoorResult | None = None
    """``--door``: fills through a real server's ``POST /v1/promote/fill``."""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _plan(rng: random.Random, index: int) -> Plan:
    starts = START_NS + rng.randrange(0, 12 * 60) * MINUTE_NS
    hours = rng.choice((12, 24, 36))
    ends = starts + hours * HOUR_NS
    kind = index % 6
    audience = Audience()
    if kind in (3, 4):
        audience = Audience(regions=frozenset({rng.choice(REGIONS)}))
    elif kind == 5:
        audience = Audience(interests=frozenset(rng.sample(INTERESTS, 3)))
    bursts: tuple[Burst, ...] = ()
    if index % 3 == 0:
        third = (ends - starts) // 3
        bursts = tuple(
            Burst(starts + i * third, starts + i * third + third // 2, share)
            for i, share in enumerate((4_000, 3_000, 3_000))
        )
    return Plan(
        ContentKind.LIVE if index % 2 else ContentKind.VIDEO,
        f"content-{index}",
        Goal.FOLLOWERS,
        rng.randrange(500, 3_001),
        starts,
        ends,
        audience,
        bursts,
    )


def bench_promote(
    *,
    promotions: int = 1_000,
    viewers: int = 20_000,
    seed: int = 12,
    price_per_1000_coins: int = PRICE_PER_1000,
    door_fills: int = 0,
) -> PromoteBenchResult:
    """The simulation; then, with ``door_fills``, that many fills through the door over
    as many promotions (``bench_promote_door``)."""
    rng = random.Random(seed)
    began = time.perf_counter()
    plans = [_plan(rng, i) for i in range(promotions)]
    ids = [f"pr_bench{i}" for i in range(promotions)]
    creators = [UserId(1_000 + i) for i in range(promotions)]
    candidates = [
        Candidate(ids[i], creators[i], plans[i], price_per_1000_coins) for i in range(promotions)
    ]
    people = [
        (
            rng.choice(REGIONS),
            rng.choice(list(AgeBand)).value,
            frozenset(rng.sample(INTERESTS, 2)),
            rng.random() < BOT_SHARE,
        )
        for _ in range(viewers)
    ]
    states = {pid: State() for pid in ids}
    with (
        tempfile.TemporaryDirectory() as directory,
        Ledger.open(f"sqlite:///{Path(directory) / 'bench.db'}") as ledger,
    ):
        open_books(ledger, ids, creators, plans, states)
        figures = Figures(price_per_1000_coins)
        simulate(rng, ledger, plans, ids, creators, candidates, people, states, figures)
        reconciled = ledger.reconcile().ok and money_adds_up(ledger, plans, ids, states)
    result = _result(
        promotions, viewers, plans, ids, states, figures, reconciled, time.perf_counter() - began
    )
    if not door_fills:
        return result
    door = bench_promote_door(promotions=promotions, fills=door_fills, seed=seed)
    return replace(result, door=door)


def _result(
    promotions: int,
    viewers: int,
    plans: list[Plan],
    ids: list[str],
    states: dict[str, State],
    figures: Figures,
    reconciled: bool,
    seconds: float,
) -> PromoteBenchResult:
    pacing_worst = rmse_worst = floor_worst = 0.0
    per_slot_min = float("inf")
    overspent = 0
    for pid, plan in zip(ids, plans, strict=True):
        state = states[pid]
        budget = plan.budget_coins * 1_000
        overspent += max(0, state.billed - budget) // 1_000
        pacing, rmse = pacing_errors_pct(plan, state.hourly)
        pacing_worst, rmse_worst = max(pacing_worst, pacing), max(rmse_worst, rmse)
        ideal = whole_impressions_hourly(plan, figures.price, len(state.hourly))
        floor_worst = max(floor_worst, pacing_errors_pct(plan, ideal)[1])
        hours = max((plan.ends_at - plan.starts_at) / HOUR_NS, 1)
        per_slot_min = min(per_slot_min, budget / figures.price / hours)
    budget_total = sum(plan.budget_coins for plan in plans)
    spent = sum(charged_coins(state.billed) for state in states.values())
    times = sorted(figures.fill_ms) or [0.0]
    cpu = sorted(figures.fill_cpu_ms) or [0.0]
    return PromoteBenchResult(
        promotions=promotions,
        viewers=viewers,
        price_per_1000_coins=figures.price,
        requests=figures.requests,
        served=sum(s.served for s in states.values()),
        billed=sum(s.billed for s in states.values()) // figures.price,
        bot_requests=figures.bot_requests,
        unbilled=figures.unbilled,
        pacing_error_max_pct=round(pacing_worst, 2),
        slot_rmse_max_pct=round(rmse_worst, 2),
        slot_rmse_floor_max_pct=round(floor_worst, 2),
        impressions_per_slot_min=round(per_slot_min, 1),
        overspent_coins=overspent,
        delivered_pct=round(100 * spent / budget_total, 2),
        cap_violations=figures.cap_violations,
        fill_p50_ms=round(percentile(times, 0.5), 4),
        fill_p99_ms=round(percentile(times, 0.99), 4),
        fill_cpu_p50_ms=round(percentile(cpu, 0.5), 4),
        fill_cpu_p99_ms=round(percentile(cpu, 0.99), 4),
        reconciled=reconciled,
        seconds=round(seconds, 1),
    )
