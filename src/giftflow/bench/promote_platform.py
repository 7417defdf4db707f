"""The simulated platform of ``giftflow bench promote``: viewers with regions, age
bands and interests, feed requests at a diurnal rate sized by what the promotions want,
each filled by ``giftflow.promote.delivery.fill`` (timed), and the viewable events billed
by the rule the database applies."""

from __future__ import annotations

import csv
import heapq
import random
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Final

from giftflow.bench.promote_books import State, settle_and_close
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.promote.delivery import Candidate, CandidateIndex, FeedRequest, fill
from giftflow.promote.pacing import (
    OUTSTANDING_WINDOW_MAX_S,
    DelayHistogram,
    Spend,
    outstanding_window_s,
    plan_cap_millicoins,
    spend_of,
    viewable_rate,
)
from giftflow.promote.promotions import (
    BPS_WHOLE,
    Burst,
    Plan,
)
from giftflow.service.ledger import Ledger

MINUTE_NS: Final = 60 * NS_PER_S
HOUR_NS: Final = 3_600 * NS_PER_S
VIEWABLE_CHANCE: Final = 0.7
BOT_SHARE: Final = 0.02
SLOTS: Final = 4
REGIONS: Final = ("US", "GB", "DE", "FR", "BR")
INTERESTS: Final = ("art", "music", "games", "sport", "food", "tech", "travel", "pets")
SUPPLY_FACTOR: Final = 8.0
"""Feed slots offered per impression the running promotions want, at the curve's mean."""
START_NS: Final = 1_717_200_000 * NS_PER_S
INDEX_EVERY_NS: Final = 10 * NS_PER_S
"""How often the simulation builds its candidate index again from the spends of the
moment (a server does every ``promote_candidates_ttl_s``, 1 s by default): between two
builds, a promotion whose committed spend fell stays closed (decisions/0120)."""


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


@dataclass(slots=True)
class Figures:
    price: int
    """One impression's price in milli-coins (``price_per_1000_coins``)."""
    requests: int = 0
    bot_requests: int = 0
    unbilled: int = 0
    fill_ms: list[float] = field(default_factory=list)
    fill_cpu_ms: list[float] = field(default_factory=list)
    cap_violations: int = 0
    delays: DelayHistogram = field(default_factory=DelayHistogram)
    """The delays of the viewable events billed."""
    outstanding_window_ns: int = OUTSTANDING_WINDOW_MAX_S * NS_PER_S
    """Learnt from the delays as a server does (``outstanding_window_s``), each time
    the index is built."""

    def learn_window(self) -> None:
        self.outstanding_window_ns = outstanding_window_s(self.delays.delays()) * NS_PER_S


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


def simulate(
    rng: random.Random,
    ledger: Ledger,
    plans: list[Plan],
    ids: list[str],
    creators: list[UserId],
    candidates: list[Candidate],
    people: list[tuple[str, str, frozenset[str], bool]],
    states: dict[str, State],
    figures: Figures,
) -> None:
    """Minute by minute, the minute's feed requests in the order of their instants:
    before each, the viewable events due by then billed, every ``INDEX_EVERY_NS`` the
    index built again from the spends of the moment; every hour the ledger settled."""
    curve = diurnal_curve()
    end = max(plan.ends_at for plan in plans)
    by_id = dict(zip(ids, plans, strict=True))
    seen = [_Seen(by_id) for _ in people]
    spends = {
        pid: spend_of(plan, billed=0, outstanding=0, rate=viewable_rate(0, 0), price=figures.price)
        for pid, plan in by_id.items()
    }
    pending_views: list[tuple[int, str, int, int]] = []
    demand = _demand(plans, (end + HOUR_NS - START_NS) // MINUTE_NS + 1, figures.price)
    minute = START_NS
    while minute < end + HOUR_NS:
        wanted = demand[(minute - START_NS) // MINUTE_NS]
        count = int(wanted * SUPPLY_FACTOR * curve[(minute // MINUTE_NS) % 1_440] / SLOTS) + 1
        built_until = minute
        for at in sorted(minute + rng.randrange(MINUTE_NS) for _ in range(count)):
            _bill(at, pending_views, by_id, states, spends, figures)
            if at >= built_until:
                figures.learn_window()
                index = CandidateIndex.of(candidates, spends)
                built_until = at - (at - minute) % INDEX_EVERY_NS + INDEX_EVERY_NS
            _one_request(
                rng, at, index, people, seen, spends, states, by_id, pending_views, figures
            )
        _bill(minute + MINUTE_NS, pending_views, by_id, states, spends, figures)
        minute += MINUTE_NS
        if (minute - START_NS) % HOUR_NS == 0:
            settle_and_close(ledger, minute, ids, creators, plans, states)


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
    states: dict[str, State],
    by_id: dict[str, Plan],
    pending_views: list[tuple[int, str, int, int]],
    figures: Figures,
) -> None:
    viewer = rng.randrange(len(people))
    region, band, interests, bot = people[viewer]
    request = FeedRequest(UserId(viewer), region, band, interests, SLOTS, bot)
    mine = seen[viewer]
    mine.at = at
    started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
    pool, open_count = index.for_region(region), index.open_count(region, at)
    placements = fill(request, pool, mine, spends, at=at, draw=rng.random, open_count=open_count)
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
            due = at + rng.randrange(2, 11) * NS_PER_S
            heapq.heappush(pending_views, (due, pid, viewer, at))
        else:  # never viewable: no longer counted outstanding after the window
            due = at + figures.outstanding_window_ns
            heapq.heappush(pending_views, (due, pid, -1, at))


def _spend(plan: Plan, state: State, price: int) -> Spend:
    rate = viewable_rate(state.served, state.viewable)
    return spend_of(
        plan, billed=state.billed, outstanding=state.outstanding, rate=rate, price=price
    )


def _bill(
    until: int,
    pending_views: list[tuple[int, str, int, int]],
    by_id: dict[str, Plan],
    states: dict[str, State],
    spends: dict[str, Spend],
    figures: Figures,
) -> None:
    """The database's billing rule, for events due by ``until`` (a heap by time)."""
    while pending_views and pending_views[0][0] <= until:
        at, pid, viewer, served_at = heapq.heappop(pending_views)
        state = states[pid]
        state.outstanding -= 1
        if viewer >= 0:
            figures.delays.add(at - served_at)
        if viewer >= 0 and not state.closed:
            state.viewable += 1
            cap = plan_cap_millicoins(by_id[pid], at)
            if state.billed + figures.price <= cap:
                state.billed += figures.price
            else:
                figures.unbilled += 1  # ahead of plan or at the budget: never charged
        spends[pid] = _spend(by_id[pid], state, figures.price)
