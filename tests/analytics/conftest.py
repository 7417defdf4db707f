"""Builders for analytics facts: small sessions written out by hand (other test modules
import them as ``tests.analytics.conftest``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from giftflow.analytics.facts import (
    ChapterFact,
    FollowFact,
    GiftFact,
    InteractionFact,
    InteractionKind,
    LiveFacts,
    PresenceFact,
    SessionFact,
)
from giftflow.ids import UserId

PLATFORM_FLOW_NODES = [
    "wallets_opening",
    "bought",
    "wallets",
    "gifted",
    "clawed_back",
    "wallets_closing",
    "diamonds",
    "platform_share",
    "earnings_opening",
    "earnings",
    "withdrawn",
    "reversed",
    "earnings_closing",
]
"""The coin-flow statement's nodes in the contract's order (docs/analytics.md, Coin
flows), for a period without digital products."""
CREATOR_FLOW_NODES = [
    node
    for node in PLATFORM_FLOW_NODES
    if node not in {"wallets_opening", "bought", "wallets", "clawed_back", "wallets_closing"}
]
"""A creator's statement: no wallet is theirs to see, so it starts at ``gifted``."""
MS = 1_000_000
S = 1_000_000_000
MINUTE = 60 * S
HOUR = 60 * MINUTE
T0 = int(datetime(2026, 11, 25, 14, 0, tzinfo=UTC).timestamp()) * S
"""2026-11-25T14:00:00Z, a Wednesday."""


def gift(
    sender_id: int,
    at: int,
    *,
    gifts: int = 1,
    coins: int = 1,
    diamond_units: int = 5_000,
    name: str | None = None,
) -> GiftFact:
    return GiftFact(
        sender_id=UserId(sender_id),
        sender_name=name if name is not None else f"user{sender_id}",
        gifts=gifts,
        coins=coins,
        diamond_units=diamond_units,
        sent_at=at,
    )


def presence(viewer_id: int, joined_at: int, left_at: int | None) -> PresenceFact:
    return PresenceFact(viewer_id=UserId(viewer_id), joined_at=joined_at, left_at=left_at)


def interaction(kind: InteractionKind, at: int, user_id: int = 1) -> InteractionFact:
    return InteractionFact(user_id=UserId(user_id), kind=kind, at=at)


def follow(user_id: int, at: int) -> FollowFact:
    return FollowFact(user_id=UserId(user_id), followed_at=at)


def chapter(
    chapter_id: int, started_at: int, ended_at: int | None, *, kind: str = "talk"
) -> ChapterFact:
    return ChapterFact(
        id=chapter_id,
        position=chapter_id,
        kind=kind,
        title=f"Chapter {chapter_id}",
        started_at=started_at,
        ended_at=ended_at,
    )


def live_facts(
    *,
    started_at: int = T0,
    ended_at: int | None,
    now: int | None = None,
    gifts: Iterable[GiftFact] = (),
    presences: Iterable[PresenceFact] = (),
    interactions: Iterable[InteractionFact] = (),
    follows: Iterable[FollowFact] = (),
    chapters: Iterable[ChapterFact] = (),
    session_id: int = 7,
) -> LiveFacts:
    """``now`` defaults to well after the session and its 24 hours of follows."""
    if now is None:
        now = (started_at if ended_at is None else ended_at) + 48 * HOUR
    session = SessionFact(
        id=session_id,
        creator_id=UserId(3),
        creator_name="Mia",
        title="Friday LIVE",
        started_at=started_at,
        ended_at=ended_at,
    )
    return LiveFacts(
        session=session,
        now=now,
        gifts=tuple(gifts),
        presences=tuple(presences),
        interactions=tuple(interactions),
        follows=tuple(follows),
        chapters=tuple(chapters),
    )


END = T0 + 2 * MINUTE + 10 * S
"""The example session runs 14:00:30 to 14:02:10: three minutes, the first and last partial."""


def example_facts() -> LiveFacts:
    """A short session worked out by hand in ``test_series`` and ``test_report``."""
    return live_facts(
        started_at=T0 + 30 * S,
        ended_at=END,
        gifts=[
            gift(1, T0 + 10 * S, gifts=9, coins=900),  # before the start
            gift(1, T0 + 40 * S, gifts=25, coins=25, diamond_units=12_345),  # a streak
            gift(2, T0 + 50 * S, gifts=1, coins=30, diamond_units=15_000),
            gift(1, T0 + 60 * S - 1, gifts=5, coins=5, diamond_units=2_500),
            gift(1, T0 + 60 * S, gifts=1, coins=100, diamond_units=50_000),
            gift(3, END, gifts=1, coins=1),  # at the end: after the session
        ],
        presences=[
            presence(10, T0, T0 + 90 * S),  # joined before the start
            presence(10, T0 + 60 * S, T0 + 100 * S),  # a second tab
            presence(11, T0 + 45 * S, T0 + 50 * S),
            presence(11, T0 + 50 * S, T0 + 70 * S + 500 * MS),  # touching: one span
            presence(12, T0 + 2 * MINUTE, None),  # still there at the end
            presence(13, T0 + 59 * S + 500 * MS, T0 + 60 * S),
        ],
        interactions=[
            interaction(InteractionKind.COMMENT, T0 + 5 * S),  # before the start
            interaction(InteractionKind.LIKE, T0 + 31 * S),
            interaction(InteractionKind.LIKE, T0 + 32 * S),
            interaction(InteractionKind.SHARE, T0 + 61 * S),
            interaction(InteractionKind.COMMENT, T0 + 2 * MINUTE + 5 * S),
        ],
        follows=[
            follow(50, T0 + 20 * S),  # before the start
            follow(51, T0 + 61 * S),
            follow(52, END),  # the first instant after the session
            follow(53, END + 30 * MINUTE),
            follow(54, END + 23 * HOUR + 59 * MINUTE),
            follow(55, END + 24 * HOUR),  # one instant too late
        ],
        chapters=[
            chapter(2, T0 + 60 * S, None, kind="qa"),
            chapter(1, T0 + 30 * S, T0 + 60 * S, kind="hook"),
        ],
    )
