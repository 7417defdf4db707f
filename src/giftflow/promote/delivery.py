"""Which promotions fill which slots of one real feed request: targeting, the
frequency cap, the schedule and pacing, decided as a pure function of what the caller
read (the service reads it from the database; the bench from its simulation).

One promotion fills at most one slot of a request; the creator never sees their own
promotions; a request the platform flagged as a bot is filled with nothing (general
invalid traffic, filtered before anything is served or billed). Among the promotions
that may serve, those furthest behind their curve come first.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.ids import UserId
from giftflow.promote.pacing import Spend, planned_millicoins, serve_probability
from giftflow.promote.promotions import Plan, serving_now

SLOTS_MAX: Final = 10


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """One real feed request of the platform: who asks and how many slots it offers."""

    viewer_id: UserId
    region: str | None
    age_band: str | None
    interests: frozenset[str]
    slots: int
    bot: bool = False


@dataclass(frozen=True, slots=True)
class Candidate:
    """A promotion the service may serve (its spend, which changes, comes apart)."""

    promotion_id: str
    creator_id: UserId
    plan: Plan
    price_millicoins: int


@dataclass(frozen=True, slots=True)
class Placement:
    promotion_id: str
    slot: int


NOT_SERVING: Final = 2**63 - 1
"""The ``ahead_until`` an index files a candidate without a spend under: never open."""


@dataclass(frozen=True, slots=True)
class CandidateIndex:
    """Candidates by the region they target (``None``: every region), so that one fill
    looks only at the promotions that could reach its viewer. The pool of each region
    (its own candidates and those of every region) is built once, so that a fill costs
    nothing per promotion running.

    Built with the spends of the moment (``of(candidates, spends)``), each pool is in
    the order of its promotions' ``ahead_until`` (ties by promotion id, as
    ``index_builder`` keeps them), and ``open_count`` tells how many of a pool may
    serve at an instant: the promotions before which the throttle's chance is 0 are at
    the pool's end, and a fill walks only the open prefix. At a burst's start
    the few promotions behind their curve are then looked at by every fill, not by one
    in (pool / looked at per fill): they catch up within minutes, not hours. A spend
    that has grown since the build (served, billed) only moves its ``ahead_until``
    later, so its promotion stays in the prefix and the fill's own check passes over
    it; one whose committed spend fell (impressions that never turned viewable) opens
    at the next build (a service builds every ``promote_candidates_ttl_s``)."""

    by_region: Mapping[str | None, tuple[Candidate, ...]]
    window_ns_max: int
    """The longest frequency-cap window among them: how far back a viewer's
    impressions are read."""
    pools: Mapping[str | None, tuple[Candidate, ...]]
    by_id: Mapping[str, Candidate]
    opens: Mapping[str | None, tuple[int, ...]]
    """Per pool, its candidates' ``ahead_until`` at the build, ascending (all 0 when
    built without spends: every candidate open)."""

    @classmethod
    def of(
        cls, candidates: Sequence[Candidate], spends: Mapping[str, Spend] | None = None
    ) -> CandidateIndex:
        grouped: dict[str | None, list[Candidate]] = {}
        for candidate in candidates:
            for region in candidate.plan.audience.regions or {None}:
                grouped.setdefault(region, []).append(candidate)
        window = max((c.plan.frequency_window_ns for c in candidates), default=0)
        by_region = {key: tuple(value) for key, value in grouped.items()}
        anywhere = by_region.get(None, ())
        merged: dict[str | None, tuple[Candidate, ...]] = {None: anywhere}
        merged |= {key: anywhere + value for key, value in by_region.items() if key is not None}
        pools, opens = {}, {}
        for key, pool in merged.items():
            pools[key], opens[key] = _by_opening(pool, spends)
        by_id = {c.promotion_id: c for c in candidates}
        return cls(by_region, window, pools, by_id, opens)

    def for_region(self, region: str | None) -> tuple[Candidate, ...]:
        pool = self.pools.get(region)
        return self.pools[None] if pool is None else pool

    def open_count(self, region: str | None, at: int) -> int:
        """How many of ``for_region(region)``, from its start, may serve at ``at``."""
        opens = self.opens.get(region)
        return bisect_right(self.opens[None] if opens is None else opens, at)

    def __len__(self) -> int:
        return len(self.by_id)


def _by_opening(
    pool: tuple[Candidate, ...], spends: Mapping[str, Spend] | None
) -> tuple[tuple[Candidate, ...], tuple[int, ...]]:
    if spends is None:
        return pool, (0,) * len(pool)
    keyed = []
    for candidate in pool:
        spend = spends.get(candidate.promotion_id)
        keyed.append((NOT_SERVING if spend is None else spend.ahead_until, candidate))
    keyed.sort(key=lambda pair: (pair[0], pair[1].promotion_id))  # ties: as IndexBuilder
    return tuple(pair[1] for pair in keyed), tuple(pair[0] for pair in keyed)


def eligible(candidate: Candidate, request: FeedRequest, seen: int, at: int) -> bool:
    """Targeting, schedule, the creator's own promotions and the frequency cap
    (``seen``: this viewer's impressions of it within the cap's window)."""
    plan = candidate.plan
    return (
        candidate.creator_id != request.viewer_id
        and seen < plan.frequency_cap
        and serving_now(plan, at)
        and plan.audience.matches(request.region, request.age_band, request.interests)
    )


def behind(candidate: Candidate, spend: Spend, at: int) -> float:
    """How far behind its curve a promotion is, as a share of its budget."""
    planned = planned_millicoins(candidate.plan, at)
    budget = candidate.plan.budget_coins * 1_000
    return (planned - spend.billed) / budget


ACCEPTED_PER_SLOT: Final = 4
"""How many promotions that may serve a fill gathers per slot before it stops looking."""
EXAMINED_PER_SLOT: Final = 24
"""How many promotions a fill looks at per slot at most: a random start in the pool and
a walk of at most this many from there keep a fill's cost bounded by the slots asked
for, not by the number of promotions running (with every promotion ahead of its curve,
an unbounded walk read the whole pool on every request: quadratic under load). Each
promotion is still looked at with the same chance per request, and one behind its
curve is served whenever it is looked at (the throttle's chance reaches 1), so the
bound only caps how fast a promotion can catch up: ``EXAMINED_PER_SLOT * slots / pool``
of the requests it matches, where the pool is the open prefix of an index built with
the spends (``CandidateIndex.open_count``): the promotions that may serve, not all."""


EXAMINED_PER_SLOT_MAX: Final = 96
EXAMINED_SHARE: Final = 32
"""A fill looks per slot at a 32nd of the open prefix, from ``EXAMINED_PER_SLOT`` to
``EXAMINED_PER_SLOT_MAX``: with more promotions open, a promotion behind its curve is
looked at as often as with fewer, up to the bound (decisions/0126). A fill's cost stays
bounded by the slots asked for: at most ``EXAMINED_PER_SLOT_MAX`` per slot."""


def fill(
    request: FeedRequest,
    candidates: Sequence[Candidate],
    seen: Mapping[str, int],
    spends: Mapping[str, Spend],
    *,
    at: int,
    draw: Callable[[], float],
    open_count: int | None = None,
) -> list[Placement]:
    """The placements for ``request``: slot numbers from 0, at most ``request.slots``.
    ``seen``: the viewer's impressions of each promotion within its cap's window;
    ``spends``: each promotion's spend now (none: it does not serve). ``draw`` gives
    uniform numbers in [0, 1) (injected: replays are exact). ``open_count``: only the
    first that many candidates may serve (``CandidateIndex.open_count``); none: all."""
    size = len(candidates) if open_count is None else min(open_count, len(candidates))
    if request.bot or request.slots < 1 or size < 1:
        return []
    slots = min(request.slots, SLOTS_MAX)
    chosen: list[tuple[Candidate, Spend]] = []
    taken: set[str] = set()
    first = int(draw() * size) % size
    per_slot = min(EXAMINED_PER_SLOT_MAX, max(EXAMINED_PER_SLOT, size // EXAMINED_SHARE))
    for offset in range(min(size, slots * per_slot)):
        candidate = candidates[(first + offset) % size]
        promotion_id = candidate.promotion_id
        spend = spends.get(promotion_id)
        if spend is None or at < spend.ahead_until or promotion_id in taken:
            continue  # ahead_until: the throttle's chance would be 0, found in one step
        if not eligible(candidate, request, seen.get(promotion_id, 0), at):
            continue
        chance = serve_probability(candidate.plan, spend, price=candidate.price_millicoins, at=at)
        if chance > 0 and draw() < chance:
            taken.add(promotion_id)
            chosen.append((candidate, spend))
            if len(chosen) >= slots * ACCEPTED_PER_SLOT:
                break
    chosen.sort(key=lambda pair: behind(pair[0], pair[1], at), reverse=True)
    return [Placement(pair[0].promotion_id, slot) for slot, pair in enumerate(chosen[:slots])]
