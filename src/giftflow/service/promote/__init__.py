"""Promote as one object over an ``Economy``.

promote = Promote.open(economy)
draft = promote.create(creator_id=carol.id, plan=Plan(...))
promote.submit(draft.id)          # the budget reserved from carol's wallet
promote.approve(draft.id)         # an administrator's review: delivery starts
served = promote.fill(FeedRequest(viewer_id=..., region="US", ..., slots=2))
promote.record_events([ImpressionEvent(served[0].impression_id, EventKind.VIEWABLE,
                                       visible_ms=2_500)])   # billed, then posted
promote.sweep()                   # ends what is due: the rest released
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

from giftflow.ids import UserId
from giftflow.promote.delivery import FeedRequest
from giftflow.promote.errors import PromoteError
from giftflow.promote.highlights import Highlight
from giftflow.promote.promotions import Plan, PromotionState
from giftflow.service.economy import Economy
from giftflow.service.once import Once
from giftflow.service.promote import (
    billing,
    delivery,
    money,
    planning,
    promotions,
    refresh,
    reports,
)
from giftflow.service.promote.billing import EventKind, EventOutcome, ImpressionEvent, Result
from giftflow.service.promote.context import PromoteContext
from giftflow.service.promote.delivery import Served
from giftflow.service.promote.planning import Planning
from giftflow.service.promote.promotions import Campaign, Promotion
from giftflow.service.promote.reports import PacingPoint, Report, StatementEntry
from giftflow.store import promotions as store_promotions

__all__ = [
    "Campaign",
    "EventKind",
    "EventOutcome",
    "ImpressionEvent",
    "PacingPoint",
    "Planning",
    "Promote",
    "Promotion",
    "Report",
    "Result",
    "Served",
    "StatementEntry",
]

SWEEP_MAX = 500
"""Promotions a sweep ends at most; the next sweep takes the rest."""


class Promote:
    """Promote's facade: promotions and campaigns, their review, fills of the platform's
    feed, impression events and billing, reports, planning analytics and highlights.
    Budgets are reserved in the ledger when submitted and never exceeded
    (docs/promote.md)."""

    def __init__(self, context: PromoteContext) -> None:
        self.context = context

    @classmethod
    def open(cls, economy: Economy, *, draw: Callable[[], float] | None = None) -> Promote:
        """Promote over an economy; ``draw`` (a uniform [0, 1) source) makes pacing's
        throttle reproducible in tests and benches."""
        context = PromoteContext(economy.context)
        if draw is not None:
            context.draw = draw
        return cls(context)

    # --- promotions -------------------------------------------------------------------

    def create(
        self,
        *,
        creator_id: UserId,
        plan: Plan,
        campaign_id: str | None = None,
        once: Once | None = None,
    ) -> Promotion:
        """A draft promotion of a creator's content, with its goal, audience, budget,
        time and bursts; nothing is reserved yet."""
        return promotions.create(
            self.context, creator_id=creator_id, plan=plan, campaign_id=campaign_id, once=once
        )

    def get(self, promotion_id: str) -> Promotion:
        """The promotion (``promotion_not_found`` when there is none)."""
        return promotions.get(self.context, promotion_id)

    def listing(
        self,
        *,
        creator_id: UserId | None = None,
        state: PromotionState | None = None,
        campaign_id: str | None = None,
    ) -> list[Promotion]:
        """Promotions, newest first, of one creator and/or in one state."""
        return promotions.listing(
            self.context, creator_id=creator_id, state=state, campaign_id=campaign_id
        )

    def submit(self, promotion_id: str, *, once: Once | None = None) -> Promotion:
        """Send a draft to review: its budget is reserved from the creator's wallet by a
        pending transfer."""
        return money.submit(self.context, promotion_id, once=once)

    def approve(self, promotion_id: str, *, once: Once | None = None) -> Promotion:
        """Approve a promotion in review: it delivers from its start."""
        approved = promotions.move(self.context, promotion_id, PromotionState.ACTIVE, once=once)
        delivery.activated(self.context)
        return approved

    def reject(self, promotion_id: str, reason: str, *, once: Once | None = None) -> Promotion:
        """Reject a promotion in review: its reserved budget is released at once."""
        return money.close(
            self.context, promotion_id, PromotionState.REJECTED, reason=reason, once=once
        )

    def pause(self, promotion_id: str, *, once: Once | None = None) -> Promotion:
        """Stop an active promotion's delivery; its budget stays reserved."""
        return promotions.move(self.context, promotion_id, PromotionState.PAUSED, once=once)

    def resume(self, promotion_id: str, *, once: Once | None = None) -> Promotion:
        """Resume a paused promotion."""
        resumed = promotions.move(self.context, promotion_id, PromotionState.ACTIVE, once=once)
        delivery.activated(self.context)
        return resumed

    def cancel(self, promotion_id: str, *, once: Once | None = None) -> Promotion:
        """Cancel a promotion in any state before its end, review included: what was
        billed stays spent, the rest is released at once."""
        return money.close(self.context, promotion_id, PromotionState.CANCELLED, once=once)

    def complete(self, promotion_id: str) -> Promotion:
        """End a promotion: what its billed impressions owe is posted, the rest
        released."""
        return money.close(self.context, promotion_id, PromotionState.COMPLETED)

    # --- campaigns --------------------------------------------------------------------

    def create_campaign(
        self, *, creator_id: UserId, name: str, once: Once | None = None
    ) -> Campaign:
        """A named group of a creator's promotions, reported together."""
        return promotions.create_campaign(self.context, creator_id=creator_id, name=name, once=once)

    def campaign(self, campaign_id: str) -> Campaign:
        """The campaign (``campaign_not_found`` when there is none)."""
        return promotions.get_campaign(self.context, campaign_id)

    def campaigns(self, *, creator_id: UserId | None = None) -> list[Campaign]:
        """Campaigns, newest first (of one creator)."""
        return promotions.campaigns_of(self.context, creator_id)

    # --- delivery and billing ---------------------------------------------------------

    def fill(self, request: FeedRequest) -> list[Served]:
        """Which promotions fill which slots of one real feed request, each with an
        impression id, honouring targeting, frequency caps, schedules and pacing."""
        return delivery.fill_request(self.context, request)

    def refreshing(self) -> AbstractAsyncContextManager[None]:
        """While the block runs (a server's lifespan), a fill that finds the candidates
        stale goes on with them and one refresh reads them again in the background;
        outside it, the stale fill reads them itself."""
        return refresh.refreshing(self.context)

    def record_events(
        self, events: Sequence[ImpressionEvent], *, once: Once | None = None
    ) -> list[EventOutcome]:
        """Record the platform's impression events (viewable, click, LIVE entry); only
        viewable, valid impressions are billed, invalid traffic is filtered and
        counted."""
        return billing.record_events(self.context, events, once)

    def settle(self, promotion_id: str) -> int:
        """Post what the promotion's billed impressions owe from its reservation; the
        coins posted."""
        return money.settle(self.context, promotion_id)

    def sweep(self) -> list[Promotion]:
        """Complete the promotions whose end has come or whose budget cannot pay for
        one more impression: what is due posted, the rest released."""
        now = self.context.now()
        due = self.context.read(
            lambda tx: store_promotions.due_to_end(tx, now_ns=now, limit=SWEEP_MAX)
        )
        ended = []
        for promotion_id in due:
            try:
                ended.append(self.complete(promotion_id))
            except PromoteError:
                continue  # cancelled or ended meanwhile by another caller: the next sweep sees
        return ended

    # --- reports and planning ---------------------------------------------------------

    def report(self, promotion_id: str) -> Report:
        """A promotion's report: impressions served, viewable, invalid and why, entries,
        visits, follows attributed, coins spent and released, the pacing chart."""
        return reports.promotion_report(self.context, promotion_id)

    def campaign_report(self, campaign_id: str) -> Report:
        """One report over all of a campaign's promotions."""
        return reports.campaign_report(self.context, campaign_id)

    def planning(self, creator_id: UserId) -> Planning:
        """The creator's planning analytics: retention per chapter, best windows,
        regions; offered as the suggested audience and schedule."""
        return planning.planning(self.context, creator_id)

    def highlights(self, session_id: int) -> list[Highlight]:
        """An ended LIVE's top moments (windows of highest gift velocity and follows),
        as candidates to clip and promote."""
        return planning.session_highlights(self.context, session_id)
