"""The raw facts analytics is computed from, as the store holds them (times in
nanoseconds since the epoch). ``giftflow.service.analytics`` reads them; everything in
``giftflow.analytics`` is a pure function of them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs


@dataclass(frozen=True, slots=True)
class SessionFact:
    id: int
    creator_id: UserId
    creator_name: str
    title: str
    started_at: UnixNs
    ended_at: UnixNs | None
    """None while the session is live (it is measured up to ``now``)."""


@dataclass(frozen=True, slots=True)
class GiftFact:
    """One gift event (a row of ``gifts``)."""

    sender_id: UserId
    sender_name: str
    gifts: int
    """What the event added: its quantity, or a streak's delta."""
    coins: int
    diamond_units: int
    sent_at: UnixNs


@dataclass(frozen=True, slots=True)
class PresenceFact:
    """A viewer's ``[joined_at, left_at)`` in a session; ``left_at`` None: still there."""

    viewer_id: UserId
    joined_at: UnixNs
    left_at: UnixNs | None


class InteractionKind(StrEnum):
    LIKE = "like"
    COMMENT = "comment"
    SHARE = "share"


@dataclass(frozen=True, slots=True)
class InteractionFact:
    """A like, comment or share (follows are ``FollowFact``s)."""

    user_id: UserId
    kind: InteractionKind
    at: int


@dataclass(frozen=True, slots=True)
class FollowFact:
    """A user's first follow of a creator."""

    user_id: UserId
    followed_at: UnixNs


@dataclass(frozen=True, slots=True)
class ChapterFact:
    id: int
    position: int
    kind: str
    title: str
    started_at: UnixNs
    ended_at: UnixNs | None
    """None while the chapter runs (it ends with the session, or now)."""


@dataclass(frozen=True, slots=True)
class FirstGift:
    """For cohorts: one gift to a creator, reduced to who sent it and when."""

    sender_id: UserId
    sent_at: UnixNs


@dataclass(frozen=True, slots=True)
class LiveFacts:
    """Everything one session's series and report are computed from."""

    session: SessionFact
    now: int
    """The clock at reading time: the end of a session that is still live."""
    gifts: tuple[GiftFact, ...]
    presences: tuple[PresenceFact, ...]
    interactions: tuple[InteractionFact, ...]
    follows: tuple[FollowFact, ...]
    """The creator's first follows from the session's start to 24 hours after its end."""
    chapters: tuple[ChapterFact, ...]
