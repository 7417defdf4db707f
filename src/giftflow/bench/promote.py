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

import csv
import heapq
import random
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Final

from giftflow.bench.figures import percentile
from giftflow.bench.promote_door import DoorResult, bench_promote_door
from giftflow.economy.chart import (
    USER_ACCOUNT_FLAGS,
    AccountKind,
    TransferCode,
    platform_account,
    user_account,
)
from giftflow.economy.ids import derived_id
from giftflow.ledger.accounts import Account
from giftflow.ledger.clock import NS_PER_S
from giftflow.ledger.transfers import Transfer
from giftflow.ledger.units import COIN
from giftflow.promote.delivery import Candidate, CandidateIndex, FeedRequest, fill
from giftflow.promote.money import charged_coins
from giftflow.promote.pacing import (
    OUTSTANDING_WINDOW_S,
    Spend,
    plan_cap_millicoins,
    planned_millicoins,
    spend_of,
    viewable_rate,
)
from giftflow.promote.promotions import (
    BPS_WHOLE,
    AgeBand,
    Audience,
    Burst,
    ContentKind,
    Goal,
    Plan,
)
from giftflow.service.ledger import Ledger
from giftflow.service.promote.money import (
    closing_transfer,
    reserve_transfer,
    settlement_chain,
)

MINUTE_NS: Final = 60 * NS_PER_S
HOUR_NS: Final = 3_600 * NS_PER_S
PRICE_PER_1000: Final = 10_000
VIEWABLE_CHANCE: Final = 0.7
BOT_SHARE: Final = 0.02
SLOTS: Final = 4
REGIONS: Final = ("US", "GB", "DE", "FR", "BR")
INTERESTS: Final = ("art", "music", "games", "sport", "food", "tech", "travel", "pets")
SUPPLY_FACTOR: Final = 8.0
"""Feed slots offered per impression the running promotions want, at the curve's mean."""
START_NS: Final = 1_717_200_000 * NS_PER_S
BATCH: Final = 4_000


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


@dataclass(slots=True)
class _State:
    billed: int = 0
    served: int = 0
    viewable: int = 0
    outstanding: int = 0
    posted: int = 0
    released: int = 0
    seq: int = 0
    pending_id: int = 0
    closed: bool = False
    hourly: list[int] = field(default_factory=list)


def diurnal_curve() -> list[float]:
    """Donations per minute of the day (UTC) in SGDQ 2012, smoothed over 15 minutes,
    scaled to mean 1 and floored at 0.5."""
    counts = [0] * 1_440
    source = resources.files("giftflow.replay.data") / "sgdq2012_donations.csv"
    with source.open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            moment = datetime.fromisoformat(row["time_utc"].replace("Z", "+00:00"))
            counts[moment.hour * 60 + moment.minute] += 1
    smooth = [sum(counts[(m + k) % 1_440] for k in range(-7, 8)) / 15 for m in range(1_440)]
    mean = sum(smooth) / len(smooth) or 1.0
    return [max(value / mean, 0.5) for value in smooth]


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
    creators = [1_000 + i for i in range(promotions)]
    candidates = [
        Candidate(ids[i], creators[i], plans[i], price_per_1000_coins) for i in range(promotions)
    ]
    index = CandidateIndex.of(candidates)
    people = [
        (
            rng.choice(REGIONS),
            rng.choice(list(AgeBand)).value,
            frozenset(rng.sample(INTERESTS, 2)),
            rng.random() < BOT_SHARE,
        )
        for _ in range(viewers)
    ]
    states = {pid: _State() for pid in ids}
    with (
        tempfile.TemporaryDirectory() as directory,
        Ledger.open(f"sqlite:///{Path(directory) / 'bench.db'}") as ledger,
    ):
        _open_books(ledger, ids, creators, plans, states)
        figures = _Figures(price_per_1000_coins)
        _simulate(rng, ledger, plans, ids, creators, index, people, states, figures)
        reconciled = ledger.reconcile().ok and _money_adds_up(ledger, plans, ids, states)
    result = _result(
        promotions, viewers, plans, ids, states, figures, reconciled, time.perf_counter() - began
    )
    if not door_fills:
        return result
    door = bench_promote_door(promotions=promotions, fills=door_fills, seed=seed)
    return replace(result, door=door)


def _open_books(
    ledger: Ledger,
    ids: list[str],
    creators: list[int],
    plans: list[Plan],
    states: dict[str, _State],
) -> None:
    issuance = platform_account(AccountKind.COIN_ISSUANCE)
    revenue = platform_account(AccountKind.PROMOTION_REVENUE)
    accounts = [
        Account(issuance, COIN, AccountKind.COIN_ISSUANCE),
        Account(revenue, COIN, AccountKind.PROMOTION_REVENUE),
    ]
    accounts += [
        Account(
            user_account(c, AccountKind.WALLET),
            COIN,
            AccountKind.WALLET,
            owner_id=c,
            flags=USER_ACCOUNT_FLAGS,
        )
        for c in creators
    ]
    for first in range(0, len(accounts), BATCH):
        ledger.create_accounts(accounts[first : first + BATCH])
    funding = [
        Transfer(
            id=derived_id("bench-fund", c),
            debit_account_id=issuance,
            credit_account_id=user_account(c, AccountKind.WALLET),
            amount=plan.budget_coins,
            unit=COIN,
            code=TransferCode.PURCHASE,
        )
        for c, plan in zip(creators, plans, strict=True)
    ]
    reserves = [
        reserve_transfer(pid, c, 0, plan.budget_coins)
        for pid, c, plan in zip(ids, creators, plans, strict=True)
    ]
    for transfers in (funding, reserves):
        for first in range(0, len(transfers), BATCH):
            results = ledger.create_transfers(transfers[first : first + BATCH])
            assert all(result.ok for result in results), "the bench's books refused a transfer"
    for pid, reserve in zip(ids, reserves, strict=True):
        states[pid].pending_id = reserve.id


@dataclass(slots=True)
class _Figures:
    price: int
    """One impression's price in milli-coins (``price_per_1000_coins``)."""
    requests: int = 0
    bot_requests: int = 0
    unbilled: int = 0
    fill_ms: list[float] = field(default_factory=list)
    fill_cpu_ms: list[float] = field(default_factory=list)
    cap_violations: int = 0


class _Seen(Mapping[str, int]):
    """One viewer's impressions per promotion within its cap's window, counted only
    for the promotions a fill looks at (a viewer of a long run has seen hundreds)."""

    __slots__ = ("at", "by_id", "times")

    def __init__(self, by_id: dict[str, Plan]) -> None:
        self.by_id = by_id
        self.times: dict[str, deque[int]] = {}
        self.at = 0

    def __getitem__(self, promotion_id: str) -> int:
        times = self.times.get(promotion_id)
        if not times:
            raise KeyError(promotion_id)
        since = self.at - self.by_id[promotion_id].frequency_window_ns
        while times and times[0] <= since:
            times.popleft()
        return len(times)

    def get(self, promotion_id: str, default: int = 0) -> int:  # type: ignore[override]
        if not self.times.get(promotion_id):  # most looked at were never seen: no raise
            return default
        return self[promotion_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.times)

    def __len__(self) -> int:
        return len(self.times)

    def add(self, promotion_id: str, at: int) -> None:
        self.times.setdefault(promotion_id, deque()).append(at)


def _simulate(
    rng: random.Random,
    ledger: Ledger,
    plans: list[Plan],
    ids: list[str],
    creators: list[int],
    index: CandidateIndex,
    people: list[tuple[str, str, frozenset[str], bool]],
    states: dict[str, _State],
    figures: _Figures,
) -> None:
    curve = diurnal_curve()
    end = max(plan.ends_at for plan in plans)
    by_id = dict(zip(ids, plans, strict=True))
    seen = [_Seen(by_id) for _ in people]
    spends = {
        pid: spend_of(plan, billed=0, outstanding=0, rate=viewable_rate(0, 0), price=figures.price)
        for pid, plan in by_id.items()
    }
    pending_views: list[tuple[int, str, int]] = []
    demand = _demand(plans, (end + HOUR_NS - START_NS) // MINUTE_NS + 1, figures.price)
    minute = START_NS
    while minute < end + HOUR_NS:
        wanted = demand[(minute - START_NS) // MINUTE_NS]
        count = int(wanted * SUPPLY_FACTOR * curve[(minute // MINUTE_NS) % 1_440] / SLOTS) + 1
        for _ in range(count):
            at = minute + rng.randrange(MINUTE_NS)
            _one_request(
                rng, at, index, people, seen, spends, states, by_id, pending_views, figures
            )
        _bill(minute + MINUTE_NS, pending_views, by_id, states, spends, figures)
        minute += MINUTE_NS
        if (minute - START_NS) % HOUR_NS == 0:
            _settle_and_close(ledger, minute, ids, creators, plans, states)


def _demand(plans: list[Plan], minutes: int, price: int) -> list[float]:
    """Impressions per minute, served (not just billed), that the feed must be sized
    for, per minute from the start: the running promotions' wants, region by region.
    Viewers are spread evenly over the regions, so a region sees a fifth of the
    requests: the feed is sized so that the region wanted most gets its share
    (``len(REGIONS) * wanted there + wanted anywhere``), not only the total (early and
    late in a run, a few promotions of one region may be most of what is wanted). Each
    plan's target is linear over its windows (the whole promotion or each burst), so a
    running sum of rates gives each series in one pass."""
    anywhere = _wanted([p for p in plans if not p.audience.regions], minutes, price)
    by_region = [
        _wanted([p for p in plans if region in p.audience.regions], minutes, price)
        for region in REGIONS
    ]
    return [
        max(len(REGIONS) * wants[minute] for wants in by_region) + anywhere[minute]
        for minute in range(minutes)
    ]


def _wanted(plans: list[Plan], minutes: int, price: int) -> list[float]:
    """Impressions per minute that ``plans`` want served, per minute from the start."""
    changes = [0.0] * (minutes + 1)
    for plan in plans:
        windows = plan.bursts or (Burst(plan.starts_at, plan.ends_at, BPS_WHOLE),)
        for burst in windows:
            served = plan.budget_coins * 1_000 * burst.share_bps / BPS_WHOLE
            served /= price * VIEWABLE_CHANCE
            first = (burst.starts_at - START_NS) // MINUTE_NS
            last = max(first + 1, (burst.ends_at - START_NS) // MINUTE_NS)
            changes[min(first, minutes)] += served / (last - first)
            changes[min(last, minutes)] -= served / (last - first)
    rates, rate = [], 0.0
    for change in changes[:minutes]:
        rate += change
        rates.append(rate)
    return rates


def _one_request(
    rng: random.Random,
    at: int,
    index: CandidateIndex,
    people: list[tuple[str, str, frozenset[str], bool]],
    seen: list[_Seen],
    spends: dict[str, Spend],
    states: dict[str, _State],
    by_id: dict[str, Plan],
    pending_views: list[tuple[int, str, int]],
    figures: _Figures,
) -> None:
    viewer = rng.randrange(len(people))
    region, band, interests, bot = people[viewer]
    request = FeedRequest(viewer, region, band, interests, SLOTS, bot)
    mine = seen[viewer]
    mine.at = at
    started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
    placements = fill(request, index.for_region(region), mine, spends, at=at, draw=rng.random)
    figures.fill_cpu_ms.append((time.thread_time_ns() - started_cpu) / 1e6)
    figures.fill_ms.append((time.perf_counter_ns() - started) / 1e6)
    figures.requests += 1
    figures.bot_requests += bot
    for placement in placements:
        pid = placement.promotion_id
        if mine.get(pid, 0) + 1 > by_id[pid].frequency_cap:
            figures.cap_violations += 1
        mine.add(pid, at)
        state = states[pid]
        state.served += 1
        state.outstanding += 1
        spends[pid] = _spend(by_id[pid], state, figures.price)
        if rng.random() < VIEWABLE_CHANCE:
            heapq.heappush(pending_views, (at + rng.randrange(2, 11) * NS_PER_S, pid, viewer))
        else:  # never viewable: no longer counted outstanding after the window
            heapq.heappush(pending_views, (at + OUTSTANDING_WINDOW_S * NS_PER_S, pid, -1))


def _spend(plan: Plan, state: _State, price: int) -> Spend:
    rate = viewable_rate(state.served, state.viewable)
    return spend_of(
        plan, billed=state.billed, outstanding=state.outstanding, rate=rate, price=price
    )


def _bill(
    until: int,
    pending_views: list[tuple[int, str, int]],
    by_id: dict[str, Plan],
    states: dict[str, _State],
    spends: dict[str, Spend],
    figures: _Figures,
) -> None:
    """The database's billing rule, for events due by ``until`` (a heap by time)."""
    while pending_views and pending_views[0][0] <= until:
        at, pid, viewer = heapq.heappop(pending_views)
        state = states[pid]
        state.outstanding -= 1
        if viewer >= 0 and not state.closed:
            state.viewable += 1
            cap = plan_cap_millicoins(by_id[pid], at)
            if state.billed + figures.price <= cap:
                state.billed += figures.price
            else:
                figures.unbilled += 1  # ahead of plan or at the budget: never charged
        spends[pid] = _spend(by_id[pid], state, figures.price)


def _settle_and_close(
    ledger: Ledger,
    now: int,
    ids: list[str],
    creators: list[int],
    plans: list[Plan],
    states: dict[str, _State],
) -> None:
    chains: list[Transfer] = []
    for pid, creator, plan in zip(ids, creators, plans, strict=True):
        state = states[pid]
        state.hourly.append(state.billed)
        if state.closed:
            continue
        due = charged_coins(state.billed) - state.posted
        reserved = plan.budget_coins - state.posted
        if plan.ends_at <= now:
            chains.append(closing_transfer(pid, state.seq, state.pending_id, due=due))
            state.posted += due
            state.released = reserved - due
            state.closed = True
        elif due > 0:
            chain = settlement_chain(
                pid, creator, state.seq, state.pending_id, due=due, rest=reserved - due
            )
            chains.extend(chain)
            state.posted += due
            state.seq += 1
            state.pending_id = chain[1].id if len(chain) > 1 else 0
            if not state.pending_id:
                state.closed = True
    for first in range(0, len(chains), BATCH):
        batch = chains[first : first + BATCH]
        if batch[-1].flags & 1:  # never split a linked chain
            batch = chains[first : first + BATCH + 1]
        results = ledger.create_transfers(batch)
        assert all(result.ok for result in results), "a settlement was refused"


def _money_adds_up(
    ledger: Ledger, plans: list[Plan], ids: list[str], states: dict[str, _State]
) -> bool:
    revenue = ledger.account(platform_account(AccountKind.PROMOTION_REVENUE))
    posted = sum(state.posted for state in states.values())
    budgets = all(
        states[pid].posted + states[pid].released == plan.budget_coins or not states[pid].closed
        for pid, plan in zip(ids, plans, strict=True)
    )
    return (
        revenue is not None
        and revenue.balance_posted == posted
        and budgets
        and all(s.closed for s in states.values())
    )


def _result(
    promotions: int,
    viewers: int,
    plans: list[Plan],
    ids: list[str],
    states: dict[str, _State],
    figures: _Figures,
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
