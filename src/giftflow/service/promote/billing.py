"""Impression events: the platform reports what became of each impression it showed
(viewable, click, LIVE entry, profile visit). A viewable event is checked for invalid
traffic and, when valid, billed by one conditional update of the promotion's row that
keeps its billed total within the pacing plan's cap and the budget: the database
decides, in the billing transaction, so no server and no race bills a milli-coin past
either. Then the whole coins billed are posted in the ledger (``money.settle``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from giftflow.ledger.clock import NS_PER_S
from giftflow.promote.invalid import (
    IMPRESSION_TTL_S,
    UnbilledReason,
    ViewableEvent,
    invalid_reason,
)
from giftflow.promote.money import budget_millicoins
from giftflow.promote.pacing import plan_cap_millicoins
from giftflow.promote.promotions import BILLABLE_STATES
from giftflow.service.once import Once
from giftflow.service.promote import money
from giftflow.service.promote.context import PromoteContext
from giftflow.service.promote.promotions import Promotion, find
from giftflow.store import impressions, promotions
from giftflow.store.impressions import EventColumn, Impression
from giftflow.store.tx import Tx

EVENTS_MAX: Final = 1_000
MINUTE_NS: Final = 60 * NS_PER_S


class EventKind(StrEnum):
    VIEWABLE = "viewable"
    CLICK = "click"
    LIVE_ENTRY = "live_entry"
    PROFILE_VISIT = "profile_visit"


_COLUMN: Final[dict[EventKind, EventColumn]] = {
    EventKind.CLICK: "clicked_at",
    EventKind.LIVE_ENTRY: "entered_at",
    EventKind.PROFILE_VISIT: "visited_at",
}


@dataclass(frozen=True, slots=True)
class ImpressionEvent:
    impression_id: str
    kind: EventKind
    visible_ms: int = 0
    """For ``viewable``: how long it was continuously on screen."""
    bot: bool = False
    """The platform flagged the viewer as a bot."""
    own_account: bool = False
    """The platform knows the viewer as one of the creator's own accounts."""


class Result(StrEnum):
    BILLED = "billed"
    INVALID = "invalid"
    UNBILLED = "unbilled"
    COUNTED = "counted"
    DUPLICATE = "duplicate"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class EventOutcome:
    impression_id: str
    kind: EventKind
    result: Result
    reason: str | None = None
    billed_millicoins: int = 0
    promotion_id: str | None = None


def record_events(
    context: PromoteContext, events: Sequence[ImpressionEvent], once: Once | None = None
) -> list[EventOutcome]:
    """One outcome per event, in order (``once``'s answer kept in their transaction);
    then the coins billed are posted."""
    now = context.now()

    def apply_all(tx: Tx) -> list[EventOutcome]:
        found = [_apply(tx, event, now) for event in events]
        if once is not None:
            once.keep(tx, found, now=now)
        return found

    outcomes = context.write(apply_all)
    billed = {o.promotion_id for o in outcomes if o.result == Result.BILLED and o.promotion_id}
    for promotion_id in sorted(billed):
        money.settle(context, promotion_id)
    return outcomes


def _apply(tx: Tx, event: ImpressionEvent, now: int) -> EventOutcome:
    impression = impressions.by_id(tx, event.impression_id)
    if impression is None:
        return EventOutcome(event.impression_id, event.kind, Result.UNKNOWN)
    if event.kind != EventKind.VIEWABLE:
        return _count(tx, event, now)
    if impression.viewable_at != 0:
        return EventOutcome(event.impression_id, event.kind, Result.DUPLICATE)
    promotion = find(tx, impression.promotion_id)
    reason = invalid_reason(_viewable_facts(tx, event, impression, promotion, now))
    if reason is not None:
        _mark(tx, event.impression_id, "invalid", reason.value, 0, now)
        return EventOutcome(event.impression_id, event.kind, Result.INVALID, reason.value)
    return _bill(tx, event, promotion, now)


def _count(tx: Tx, event: ImpressionEvent, now: int) -> EventOutcome:
    changed = impressions.mark_event(tx, event.impression_id, _COLUMN[event.kind], now_ns=now)
    result = Result.COUNTED if changed else Result.DUPLICATE
    return EventOutcome(event.impression_id, event.kind, result)


def _viewable_facts(
    tx: Tx, event: ImpressionEvent, impression: Impression, promotion: Promotion, now: int
) -> ViewableEvent:
    window_start = now - promotion.plan.frequency_window_ns
    last_minute = impressions.viewable_count(
        tx,
        impression.viewer_id,
        served_since_ns=now - MINUTE_NS - IMPRESSION_TTL_S * NS_PER_S,
        viewable_after_ns=now - MINUTE_NS,
    )
    billed = impressions.billed_count(
        tx, impression.viewer_id, promotion.id, served_since_ns=window_start
    )
    return ViewableEvent(
        viewer_id=impression.viewer_id,
        creator_id=promotion.creator_id,
        served_at=impression.served_at,
        at=now,
        visible_ms=event.visible_ms,
        bot=event.bot,
        own_account=event.own_account,
        viewable_last_minute=last_minute,
        billed_in_window=billed,
        frequency_cap=promotion.plan.frequency_cap,
    )


def _bill(tx: Tx, event: ImpressionEvent, promotion: Promotion, now: int) -> EventOutcome:
    price = promotion.price_per_1000_coins
    cap = plan_cap_millicoins(promotion.plan, now)
    if promotions.add_billed(
        tx, promotion.id, price_millicoins=price, cap_millicoins=cap, now_ns=now
    ):
        _mark(tx, event.impression_id, "billed", None, price, now)
        return EventOutcome(
            event.impression_id, event.kind, Result.BILLED, None, price, promotion.id
        )
    reason = _unbilled_reason(tx, promotion.id, price)
    _mark(tx, event.impression_id, "unbilled", reason, 0, now)
    return EventOutcome(event.impression_id, event.kind, Result.UNBILLED, reason)


def _unbilled_reason(tx: Tx, promotion_id: str, price: int) -> str:
    current = find(tx, promotion_id)
    if current.state not in BILLABLE_STATES:
        return "promotion_closed"
    if current.billed_millicoins + price > budget_millicoins(current.plan.budget_coins):
        return UnbilledReason.BUDGET_EXHAUSTED.value
    return UnbilledReason.AHEAD_OF_PLAN.value


def _mark(
    tx: Tx, impression_id: str, state: str, reason: str | None, billed: int, now: int
) -> None:
    impressions.mark_viewable(
        tx, impression_id, state=state, reason=reason, billed_millicoins=billed, now_ns=now
    )
