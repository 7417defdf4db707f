"""Feed fills: for each real feed request of the platform, which promotions fill which
slots, each with an impression id.

The decision (``giftflow.promote.delivery.fill``) runs on this process's list of
active promotions and their spend, read again every ``promote_candidates_ttl_s``: a
pacing hint, not money (billing reads the database). The viewer's impressions are read
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
from giftflow.promote.pacing import OUTSTANDING_WINDOW_S, Spend, spend_of, viewable_rate
from giftflow.promote.promotions import ContentKind
from giftflow.service.promote.context import PromoteContext
from giftflow.service.promote.promotions import COLUMNS, promotion_of
from giftflow.store.tx import Tx

RATE_WINDOW_S = 86_400


@dataclass(frozen=True, slots=True)
class Served:
    impression_id: str
    promotion_id: str
    slot: int
    content_kind: ContentKind
    content_id: str


def candidates(context: PromoteContext, now: int) -> tuple[CandidateIndex, dict[str, Spend]]:
    """The cached index and spends, read again once older than the TTL."""
    cache = context.cache
    with cache.lock:
        if cache.index is not None and now - cache.read_at < context.candidates_ttl_ns:
            return cache.index, cache.spends
    index, spends = context.read(lambda tx: _read_candidates(tx, now))
    with cache.lock:
        cache.index, cache.read_at, cache.spends = index, now, spends
    return index, spends


def _read_candidates(tx: Tx, now: int) -> tuple[CandidateIndex, dict[str, Spend]]:
    rows = tx.execute(
        f"SELECT {COLUMNS} FROM promotions WHERE state = 'active' AND ends_at > ?"
        " AND starts_at <= ?",
        (now, now + 60 * NS_PER_S),
    ).fetchall()
    promotions = [promotion_of(row) for row in rows]
    counts = _impression_counts(tx, [p.id for p in promotions], now)
    found, spends = [], {}
    for p in promotions:
        served, viewable, outstanding = counts.get(p.id, (0, 0, 0))
        spends[p.id] = spend_of(
            p.plan,
            billed=p.billed_millicoins,
            outstanding=outstanding,
            rate=viewable_rate(served, viewable),
            price=p.price_per_1000_coins,
        )
        found.append(Candidate(p.id, p.creator_id, p.plan, p.price_per_1000_coins))
    return CandidateIndex.of(found), spends


def _impression_counts(tx: Tx, ids: list[str], now: int) -> dict[str, tuple[int, int, int]]:
    """Per promotion, over the last day: served, viewable, and still awaiting their
    viewable event (served within ``OUTSTANDING_WINDOW_S``, nothing reported)."""
    if not ids:
        return {}
    clause, parameter = tx.any_of(ids)
    rows = tx.execute(
        "SELECT promotion_id, COUNT(*),"
        " SUM(CASE WHEN viewable_at > 0 AND state <> 'invalid' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN viewable_at = 0 AND served_at > ? THEN 1 ELSE 0 END)"
        f" FROM promotion_impressions WHERE promotion_id {clause} AND served_at > ?"
        " GROUP BY promotion_id",
        (now - OUTSTANDING_WINDOW_S * NS_PER_S, parameter, now - RATE_WINDOW_S * NS_PER_S),
    ).fetchall()
    return {row[0]: (int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in rows}


def _seen(tx: Tx, viewer_id: int, since: int) -> list[tuple[str, int]]:
    rows = tx.execute(
        "SELECT promotion_id, served_at FROM promotion_impressions"
        " WHERE viewer_id = ? AND served_at > ?",
        (viewer_id, since),
    ).fetchall()
    return [(row[0], int(row[1])) for row in rows]


def _seen_counts(index: CandidateIndex, seen: list[tuple[str, int]], now: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for promotion_id, served_at in seen:
        candidate = index.by_id.get(promotion_id)
        if candidate is not None and served_at > now - candidate.plan.frequency_window_ns:
            counts[promotion_id] = counts.get(promotion_id, 0) + 1
    return counts


def fill_request(context: PromoteContext, request: FeedRequest) -> list[Served]:
    now = context.now()
    index, spends = candidates(context, now)
    if request.bot or not index.by_id:
        return []
    seen = context.read(lambda tx: _seen(tx, request.viewer_id, now - index.window_ns_max))
    counts = _seen_counts(index, seen, now)
    pool = index.for_region(request.region)
    placements = fill(request, pool, counts, spends, at=now, draw=context.draw)
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
        state = tx.scalar("SELECT state FROM promotions WHERE id = ?", (candidate.promotion_id,))
        shown = tx.scalar(
            "SELECT COUNT(*) FROM promotion_impressions WHERE viewer_id = ? AND served_at > ?"
            " AND promotion_id = ?",
            (request.viewer_id, now - plan.frequency_window_ns, candidate.promotion_id),
        )
        if state != "active" or int(shown) >= plan.frequency_cap:
            continue
        tx.execute(
            "INSERT INTO promotion_impressions (id, promotion_id, viewer_id, slot, region,"
            " age_band, served_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                impression_id, candidate.promotion_id, request.viewer_id, placement.slot,
                request.region, request.age_band, now,
            ),
        )  # fmt: skip
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
