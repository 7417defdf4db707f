"""Reading one session's raw facts out of the store (``giftflow.analytics.facts``).

Everything is read in one transaction, so the gifts, presences, interactions, follows
and chapters of a report are one consistent snapshot, whatever is being written.
"""

from __future__ import annotations

from typing import Final

from giftflow.analytics import PreviousSummary, session_summary
from giftflow.analytics.facts import FollowFact, InteractionKind, LiveFacts, SessionFact
from giftflow.live.errors import LiveNotFoundError
from giftflow.service.live.context import LiveContext
from giftflow.store import analytics as stored
from giftflow.store.tx import Tx

PREVIOUS_SESSIONS: Final = 5
FOLLOWS_AFTER_NS: Final = 24 * 3_600 * 1_000_000_000
"""Follower growth is counted up to a day after a LIVE ends."""
_COUNTED_KINDS: Final = tuple(InteractionKind)
"""Likes, comments and shares; follows are read from ``follows`` (first follows only)."""


def session_fact(tx: Tx, session_id: int) -> SessionFact:
    session = stored.session(tx, session_id)
    if session is None:
        raise LiveNotFoundError(f"no session {session_id}", code="session_not_found")
    return session


def _follows(tx: Tx, session: SessionFact, now: int) -> tuple[FollowFact, ...]:
    until = (now if session.ended_at is None else session.ended_at) + FOLLOWS_AFTER_NS
    return stored.follows(tx, session.creator_id, from_ns=session.started_at, until_ns=until)


def read_facts(tx: Tx, session_id: int, now: int) -> LiveFacts:
    session = session_fact(tx, session_id)
    return LiveFacts(
        session=session,
        now=now,
        gifts=stored.gifts(tx, session_id),
        presences=stored.presences(tx, session_id),
        interactions=stored.interactions(tx, session_id, kinds=_COUNTED_KINDS),
        follows=_follows(tx, session, now),
        chapters=stored.chapters(tx, session_id),
    )


def live_facts(context: LiveContext, session_id: int) -> LiveFacts:
    """Everything the session's series and report are computed from, as of now."""
    now = context.now()
    return context.read(lambda tx: read_facts(tx, session_id, now))


def previous_summaries(context: LiveContext, session: SessionFact) -> list[PreviousSummary]:
    """The creator's (up to) five sessions started before ``session``, newest first,
    each summarised by the same code as its own report (so the figures compared are
    the figures that were reported). Read in one snapshot."""
    now = context.now()

    def read(tx: Tx) -> list[LiveFacts]:
        earlier = stored.earlier_sessions(tx, session, limit=PREVIOUS_SESSIONS)
        return [read_facts(tx, session_id, now) for session_id in earlier]

    return [session_summary(facts) for facts in context.read(read)]
