"""Planning analytics and highlights, read from the stored facts of a creator's LIVEs
(gifts, follows, viewers' presence, chapters) and computed by
``giftflow.promote.planning`` and ``giftflow.promote.highlights``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.analytics.facts import SessionFact
from giftflow.ids import UserId
from giftflow.live.errors import LiveNotFoundError, LiveStateError
from giftflow.live.sessions import LiveSession
from giftflow.promote.highlights import NS_PER_MINUTE, Highlight, Minute, highlights
from giftflow.promote.planning import (
    BestWindow,
    ChapterRetention,
    RegionSummary,
    best_windows,
    chapter_retention,
    regions,
)
from giftflow.service.promote.context import PromoteContext
from giftflow.store import analytics, promote_facts
from giftflow.store.tx import Tx

SESSIONS_MAX: Final = 50


@dataclass(frozen=True, slots=True)
class Planning:
    creator_id: UserId
    sessions: int
    retention: tuple[ChapterRetention, ...]
    """Per chapter of the creator's latest LIVE with chapters."""
    best_windows: tuple[BestWindow, ...]
    regions: tuple[RegionSummary, ...]

    @property
    def suggested_regions(self) -> tuple[str, ...]:
        return tuple(summary.region for summary in self.regions[:3])


def _retention(tx: Tx, sessions: list[LiveSession], now: int) -> list[ChapterRetention]:
    for session in sessions:
        chapters = analytics.chapters(tx, session.id)
        if not chapters:
            continue
        presences = analytics.presences(tx, session.id)
        return chapter_retention(chapters, presences, session.ended_at or now)
    return []


def planning(context: PromoteContext, creator_id: UserId) -> Planning:
    now = context.now()

    def read(tx: Tx) -> Planning:
        sessions = analytics.sessions_of(tx, creator_id, limit=SESSIONS_MAX, offset=0)
        ids = [session.id for session in sessions]
        if not ids:
            return Planning(creator_id, 0, (), (), ())
        return Planning(
            creator_id,
            len(ids),
            tuple(_retention(tx, sessions, now)),
            tuple(best_windows(promote_facts.window_facts(tx, creator_id, ids))),
            tuple(regions(promote_facts.region_facts(tx, ids, now_ns=now))),
        )

    return context.read(read)


def _minutes(tx: Tx, session: SessionFact, ended_at: int) -> list[Minute]:
    started_at = session.started_at
    count = max((ended_at - started_at + NS_PER_MINUTE - 1) // NS_PER_MINUTE, 1)
    coins, follows = [0] * count, [0] * count
    for gift in analytics.gifts(tx, session.id):
        at = gift.sent_at
        coins[min(max((at - started_at) // NS_PER_MINUTE, 0), count - 1)] += gift.coins
    for follow in analytics.follows(tx, session.creator_id, from_ns=started_at, until_ns=ended_at):
        follows[min((follow.followed_at - started_at) // NS_PER_MINUTE, count - 1)] += 1
    return [Minute(started_at + i * NS_PER_MINUTE, coins[i], follows[i]) for i in range(count)]


def session_highlights(context: PromoteContext, session_id: int) -> list[Highlight]:
    """The top moments of an ended LIVE (``session_live`` while it runs)."""

    def read(tx: Tx) -> list[Highlight]:
        session = analytics.session(tx, session_id)
        if session is None:
            raise LiveNotFoundError(f"no session {session_id}", code="session_not_found")
        if session.ended_at is None:
            raise LiveStateError("highlights are of an ended LIVE", code="session_live")
        return highlights(_minutes(tx, session, session.ended_at))

    return context.read(read)
