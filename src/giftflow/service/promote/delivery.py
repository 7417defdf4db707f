"""Feed fills: for each real feed request of the platform, which promotions fill which
slots, each with an impression id.

The decision (``giftflow.promote.delivery.fill``) runs on this process's list of
active promotions and their spend, read again once older than
``promote_candidates_ttl_s``: a pacing hint, not money (billing reads the database).
In a server that read is off the request path: the stale index serves while one
refresh runs beside the fills and is swapped in at once (``refresh``,
decisions/0109); only a process's first fills wait for a read. The viewer's impressions are read
for the frequency cap, and the impressions are written in one group-committed write
that checks the cap again in its own transaction and leaves out any slot that a
concurrent fill for the same viewer took meanwhile."""

from __future__ import annotations

from dataclasses import dataclass, replace

from giftflow.ledger.clock import NS_PER_S
from giftflow.promote.delivery import (
    Candidate,
    CandidateIndex,
    FeedRequest,
    Placement,
    fill,
)
from giftflow.promote.pacing import (
    DELAY_EDGES_S,
    Spend,
    ViewableDelays,
    outstanding_window_s,
    spend_of,
    viewable_rate,
)
from giftflow.promote.promotions import ContentKind, PromotionState
from giftflow.service.promote.context import PromoteContext
from giftflow.store import impressions, promotions
from giftflow.store.impressions import Counts, NewImpression, Seen
from giftflow.store.tx import Tx

RATE_WINDOW_S = 86_400
DELAYS_WINDOW_S = 3_600
"""The viewable events whose delays set the outstanding window: the last hour's."""
STARTING_SOON_S = 60
"""Promotions starting within this are read with the candidates: the index serves them
from their start, however long it is kept."""


@dataclass(frozen=True, slots=True)
class Served:
    impression_id: str
    promotion_id: str
    slot: int
    content_kind: ContentKind
    content_id: str


def candidates(context: PromoteContext, now: int) -> tuple[CandidateIndex, dict[str, Spend]]:
    """The cached index and spends. Once older than the TTL, a server's refresher is
    asked to read them again (once, however many fills find them stale) and the fill
    goes on with what it has; without one, the fill reads them itself. Only a process's
    first fills, before any index, wait for a read."""
    cache = context.cache
    with cache.lock:
        if cache.index is not None:
            stale = now - cache.read_at >= context.candidates_ttl_ns
            if not stale:
                return cache.index, cache.spends
            if cache.wake is not None:
                if not cache.refreshing:
                    cache.refreshing = True
                    cache.wake()
                return cache.index, cache.spends
    if cache.index is None:
        with cache.first_read:
            if cache.index is None:
                refresh(context, now)
    else:
        refresh(context, now)
    with cache.lock:
        assert cache.index is not None  # refresh swapped one in, or raised
        return cache.index, cache.spends


def refresh(context: PromoteContext, now: int | None = None) -> None:
    """Read the active promotions and their spends (as of ``now``, by default the
    clock's) and swap them in at once, unless a read begun later was swapped in
    first."""
    at = context.now() if now is None else now
    cache = context.cache
    with cache.lock:
        cache.generation += 1
        generation = cache.generation
    index, spends = context.read(lambda tx: _read_candidates(tx, at))
    with cache.lock:
        if generation > cache.swapped:
            cache.index, cache.read_at, cache.spends = index, at, spends
            cache.swapped = generation


def refresh_in_flight(context: PromoteContext) -> None:
    """The refresh a stale fill asked for (``refresh``); read or failed, it ends the
    flight, so that the next stale fill may ask again."""
    try:
        refresh(context)
    finally:
        with context.cache.lock:
            context.cache.refreshing = False


def activated(context: PromoteContext) -> None:
    """A promotion this process made active serves from its next fill: a process that
    holds an index reads it again now, in the call that activated it (a review or a
    resume, not a fill). Other servers serve it from their next refresh."""
    if context.cache.index is not None:
        refresh(context)


def _read_candidates(tx: Tx, now: int) -> tuple[CandidateIndex, dict[str, Spend]]:
    found = promotions.delivering(tx, now_ns=now, starts_before_ns=now + STARTING_SOON_S * NS_PER_S)
    ids = [p.id for p in found]
    within, total = impressions.viewable_delays(
        tx,
        ids,
        served_since_ns=now - DELAYS_WINDOW_S * NS_PER_S,
        edges_ns=[edge * NS_PER_S for edge in DELAY_EDGES_S],
    )
    window_s = outstanding_window_s(ViewableDelays(within, total))
    counts = impressions.counts(
        tx,
        ids,
        served_since_ns=now - RATE_WINDOW_S * NS_PER_S,
        outstanding_since_ns=now - window_s * NS_PER_S,
    )
    none = Counts(0, 0, 0)
    spends = {}
    for p in found:
        count = counts.get(p.id, none)
        spends[p.id] = spend_of(
            p.plan,
            billed=p.billed_millicoins,
            outstanding=count.outstanding,
            rate=viewable_rate(count.served, count.viewable),
            price=p.price_per_1000_coins,
        )
    index = CandidateIndex.of(
        [Candidate(p.id, p.creator_id, p.plan, p.price_per_1000_coins) for p in found], spends
    )
    return index, spends


def _seen_counts(index: CandidateIndex, seen: list[Seen], now: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for impression in seen:
        candidate = index.by_id.get(impression.promotion_id)
        if candidate is None:
            continue
        if impression.served_at > now - candidate.plan.frequency_window_ns:
            counts[impression.promotion_id] = counts.get(impression.promotion_id, 0) + 1
    return counts


def fill_request(context: PromoteContext, request: FeedRequest) -> list[Served]:
    now = context.now()
    index, spends = candidates(context, now)
    open_count = index.open_count(request.region, now)
    if request.bot or not open_count:
        return []  # every promotion that could reach the viewer is ahead of its curve
    since = now - index.window_ns_max
    seen = context.read(
        lambda tx: impressions.seen_by(tx, request.viewer_id, served_since_ns=since)
    )
    counts = _seen_counts(index, seen, now)
    pool = index.for_region(request.region)
    placements = fill(
        request, pool, counts, spends, at=now, draw=context.draw, open_count=open_count
    )
    if not placements:
        return []
    rows = [
        (context.economy.new_id("im"), placement, index.by_id[placement.promotion_id])
        for placement in placements
    ]
    served = context.write(lambda tx: _write(tx, request, rows, now))
    with context.cache.lock:
        for item in served:
            spend = context.cache.spends.get(item.promotion_id)
            if spend is not None:
                grown = replace(spend, outstanding=spend.outstanding + 1)
                context.cache.spends[item.promotion_id] = grown
    return served


def _write(
    tx: Tx,
    request: FeedRequest,
    rows: list[tuple[str, Placement, Candidate]],
    now: int,
) -> list[Served]:
    """Insert the impressions still within their cap, on promotions still active."""
    served = []
    for impression_id, placement, candidate in rows:
        plan = candidate.plan
        promotion_id = candidate.promotion_id
        state = promotions.state_of(tx, promotion_id)
        shown = impressions.shown_count(
            tx, request.viewer_id, promotion_id, served_since_ns=now - plan.frequency_window_ns
        )
        if state != PromotionState.ACTIVE or shown >= plan.frequency_cap:
            continue
        impressions.insert(
            tx,
            NewImpression(
                id=impression_id,
                promotion_id=promotion_id,
                viewer_id=request.viewer_id,
                slot=placement.slot,
                region=request.region,
                age_band=request.age_band,
                served_at=now,
            ),
        )
        served.append(
            Served(
                impression_id,
                candidate.promotion_id,
                placement.slot,
                plan.content_kind,
                plan.content_id,
            )
        )
    return served
