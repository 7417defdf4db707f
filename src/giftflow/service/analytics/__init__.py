"""Analytics over the stored rows: what a creator grows by (docs/analytics.md).

    analytics = Analytics.of(live)
    analytics.session_report(session.id)      # the post-LIVE report's JSON
    analytics.coin_flows(creator_id=None, start_ns=..., end_ns=...)

This layer only reads: it turns rows into ``giftflow.analytics.facts`` and hands them
to the pure functions of ``giftflow.analytics``, so the API, the report page and the
dashboard show the very documents those functions build.
"""

from __future__ import annotations

from typing import Any, Final

from giftflow import analytics as pure
from giftflow.analytics.cohorts import EPOCH_WEEKDAY
from giftflow.analytics.facts import FirstGift
from giftflow.analytics.formats import NS_PER_DAY, day
from giftflow.errors import GiftflowError
from giftflow.ids import UserId
from giftflow.ledger.limits import INT64_MAX
from giftflow.live.errors import LiveError
from giftflow.live.schedules import Figures
from giftflow.live.sessions import LiveSession
from giftflow.service.analytics.facts import live_facts, previous_summaries
from giftflow.service.analytics.flows import flow_totals
from giftflow.service.economy import users
from giftflow.service.live import Live, schedule_figures
from giftflow.service.live.context import LiveContext
from giftflow.store import analytics as stored
from giftflow.store.tx import Tx

__all__ = [
    "Analytics",
    "AnalyticsError",
    "cohorts",
    "coin_flows",
    "live_facts",
    "previous_summaries",
    "session_report",
    "session_series",
    "sessions_of",
]

Json = dict[str, Any]
PLATFORM: Final = "platform"
CREATOR: Final = "creator"


class AnalyticsError(GiftflowError):
    """A period analytics cannot answer for (one that ends before it starts, or outside
    the clock's range): ``period_invalid``."""

    code = "analytics_error"


def session_report(context: LiveContext, session_id: int) -> Json:
    """The post-LIVE report (of a live session too: measured up to now)."""
    facts = live_facts(context, session_id)
    report = pure.session_report(facts, previous_summaries(context, facts.session))
    figures = schedule_figures.figures_of_session(context, session_id)
    report["schedule"] = None if figures is None else schedule_json(figures)
    return report


def schedule_json(figures: Figures) -> Json:
    """The report's ``schedule``: of the scheduled LIVE the session took up."""
    return {
        "schedule_id": figures.schedule_id,
        "registered": figures.registered,
        "attended": figures.attended,
        "gifted": figures.gifted,
    }


def session_series(context: LiveContext, session_id: int) -> Json:
    return pure.series_json(live_facts(context, session_id))


def _require_creator(tx: Tx, creator_id: UserId) -> None:
    if not users.find(tx, creator_id).is_creator:
        raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")


def cohorts(context: LiveContext, creator_id: UserId) -> Json:
    """Every gift to the creator, reduced to who sent it and when, grouped by weeks.
    The database reduces the gifts to one row per gifter and week they gifted in (the
    first gift of that week), which is all the cohorts need: a page costs the gifter-
    weeks, not the gifts."""

    def read(tx: Tx) -> list[FirstGift]:
        _require_creator(tx, creator_id)
        return stored.first_gifts_by_week(
            tx, creator_id, day_ns=NS_PER_DAY, epoch_weekday=EPOCH_WEEKDAY
        )

    return pure.cohorts(creator_id, context.read(read))


def coin_flows(
    context: LiveContext, *, creator_id: UserId | None, start_ns: int, end_ns: int
) -> Json:
    """The balanced flow statement of ``[start_ns, end_ns)``: the platform's (with
    viewers' wallets) or one creator's (from the coins gifted to them)."""
    if not 0 <= start_ns < end_ns <= INT64_MAX:
        raise AnalyticsError("a period starts before it ends", code="period_invalid")
    if creator_id is not None:
        context.read(lambda tx: _require_creator(tx, creator_id))
    totals = flow_totals(context, creator_id=creator_id, start_ns=start_ns, end_ns=end_ns)
    scope = PLATFORM if creator_id is None else CREATOR
    wallets = creator_id is None
    return pure.coin_flows(scope, day(start_ns), day(end_ns), totals, include_wallets=wallets)


def sessions_of(
    context: LiveContext, creator_id: UserId, *, limit: int, offset: int = 0
) -> list[LiveSession]:
    """The creator's sessions, newest first, ``limit`` of them after skipping
    ``offset`` (a dashboard's list to open reports from)."""

    def read(tx: Tx) -> list[LiveSession]:
        _require_creator(tx, creator_id)
        return stored.sessions_of(tx, creator_id, limit=limit, offset=offset)

    return context.read(read)


class Analytics:
    """Analytics over the store LIVE writes to; reads only, so it shares LIVE's
    context (the economy's ledger and clock) instead of opening anything."""

    def __init__(self, context: LiveContext) -> None:
        self.context = context

    @classmethod
    def of(cls, live: Live) -> Analytics:
        """Analytics over a LIVE service's economy."""
        return cls(live.context)

    def session_report(self, session_id: int) -> Json:
        """The report of one session as JSON (of a LIVE still running too: measured up
        to now)."""
        return session_report(self.context, session_id)

    def session_series(self, session_id: int) -> Json:
        """A session's per-minute series, as JSON."""
        return session_series(self.context, session_id)

    def cohorts(self, creator_id: UserId) -> Json:
        """A creator's weekly cohorts of gifters, as JSON."""
        return cohorts(self.context, creator_id)

    def coin_flows(self, *, creator_id: UserId | None, start_ns: int, end_ns: int) -> Json:
        """Coin flows over ``[start_ns, end_ns)`` (of one creator, or the platform),
        balanced, as JSON."""
        return coin_flows(self.context, creator_id=creator_id, start_ns=start_ns, end_ns=end_ns)

    def sessions_of(self, creator_id: UserId, *, limit: int, offset: int = 0) -> list[LiveSession]:
        """A creator's LIVE sessions, newest first, one page."""
        return sessions_of(self.context, creator_id, limit=limit, offset=offset)
