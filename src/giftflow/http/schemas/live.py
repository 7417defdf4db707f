"""LIVE: sessions, viewers, interactions, chapters, goals, leaderboards, perks (battles
and their invitations: ``schemas.battles``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, Strict, StringConstraints, model_validator

from giftflow import text as policy
from giftflow.http.schemas.common import (
    INT32_MAX,
    Request,
    UserId,
    WholeNumber,
    at,
    at_or_none,
    policed,
)
from giftflow.live.chapters import Chapter, ChapterKind
from giftflow.live.goals import Goal, GoalKind, GoalState
from giftflow.live.leaderboards import Standing
from giftflow.live.levels import Perk, PerkKind
from giftflow.live.sessions import LiveSession
from giftflow.service.live import Interaction, InteractionKind, SessionTotals

Count = Annotated[int, Strict(), Field(ge=1, le=INT32_MAX), WholeNumber]
Seconds = Annotated[int, Strict(), Field(ge=1, le=86_400), WholeNumber]
Title = Annotated[str, StringConstraints(max_length=200), policed(policy.human, max_length=200)]
"""Session and chapter titles, goal promises, perk values: the Unicode policy of names."""
Text = Annotated[str, StringConstraints(max_length=500), policed(policy.human, max_length=500)]
SESSIONS_PER_BATTLE_MAX = 8
CHAPTERS_PER_PLAN_MAX = 50
PERKS_MAX = 100


# --- sessions ----------------------------------------------------------------------------


ScheduleId = Annotated[
    str, StringConstraints(min_length=4, max_length=40, pattern=r"^sl_[A-Za-z0-9]+$")
]
"""A scheduled LIVE's id (``sl_…``)."""


class SessionCreate(Request):
    title: Title = ""
    """Empty: a scheduled LIVE's title, when the session takes one up."""
    schedule_id: ScheduleId | None = None
    """Take up this scheduled LIVE (the room's, still scheduled); without it, the room's
    scheduled LIVE due now, if any, is taken up (docs/schedules.md)."""


class SessionPublic(BaseModel):
    id: int
    room_id: int
    """The creator's user id."""
    title: str
    state: Literal["live", "ended"]
    started_at: datetime
    ended_at: datetime | None

    @classmethod
    def of(cls, session: LiveSession) -> Self:
        return cls(
            id=session.id,
            room_id=session.creator_id,
            title=session.title,
            state="live" if session.ended_at is None else "ended",
            started_at=at(session.started_at),
            ended_at=None if session.ended_at is None else at(session.ended_at),
        )


class SessionTotalsPublic(BaseModel):
    concurrent_viewers: int
    """Distinct viewers present now (a second tab is the same viewer)."""
    gifts: int
    """Gift events booked in the session."""
    coins: int
    watch_time_s: int
    """Every viewer's watch time, summed (overlapping intervals of one viewer once)."""


class SessionDetailPublic(SessionPublic):
    totals: SessionTotalsPublic

    @classmethod
    def with_totals(cls, session: LiveSession, totals: SessionTotals) -> Self:
        return cls(
            **SessionPublic.of(session).model_dump(),
            totals=SessionTotalsPublic(
                concurrent_viewers=totals.concurrent_viewers,
                gifts=totals.gifts,
                coins=totals.coins,
                watch_time_s=totals.watch_time_ns // 1_000_000_000,
            ),
        )


class ViewersPublic(BaseModel):
    session_id: int
    concurrent_viewers: int


class InteractionCreate(Request):
    user_id: UserId
    kind: InteractionKind
    text: Text = ""


class InteractionPublic(BaseModel):
    id: int
    session_id: int
    user_id: int
    kind: InteractionKind
    chapter_id: int | None
    text: str
    at: datetime

    @classmethod
    def of(cls, interaction: Interaction) -> Self:
        return cls(
            id=interaction.id,
            session_id=interaction.session_id,
            user_id=interaction.user_id,
            kind=interaction.kind,
            chapter_id=interaction.chapter_id,
            text=interaction.text,
            at=at(interaction.at),
        )


# --- chapters ----------------------------------------------------------------------------


class ChapterPlanCreate(Request):
    kind: ChapterKind
    title: Title = ""
    planned_s: Seconds


class ChaptersCreate(Request):
    chapters: Annotated[
        list[ChapterPlanCreate], Field(min_length=1, max_length=CHAPTERS_PER_PLAN_MAX)
    ]


class ChapterPublic(BaseModel):
    id: int
    session_id: int
    position: int
    kind: ChapterKind
    title: str
    planned_s: int
    started_at: datetime | None
    ended_at: datetime | None

    @classmethod
    def of(cls, chapter: Chapter) -> Self:
        return cls(
            id=chapter.id,
            session_id=chapter.session_id,
            position=chapter.position,
            kind=chapter.kind,
            title=chapter.title,
            planned_s=chapter.planned_s,
            started_at=at_or_none(chapter.started_at or 0),
            ended_at=at_or_none(chapter.ended_at or 0),
        )


class ChapterList(BaseModel):
    chapters: list[ChapterPublic]


# --- goals -------------------------------------------------------------------------------


class GoalCreate(Request):
    """A target in coins (``target_coins``), or a count of one gift (``gift_id`` and
    ``count``); never both."""

    target_coins: Count | None = None
    gift_id: Count | None = None
    count: Count | None = None
    deadline_s: Seconds | None = None
    """From now; gifts at or after it do not count."""
    promise: Title = ""

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        by_coins = self.target_coins is not None
        by_gift = self.gift_id is not None or self.count is not None
        if by_coins == by_gift or (by_gift and (self.gift_id is None or self.count is None)):
            raise ValueError("send target_coins, or gift_id and count")
        return self

    @property
    def kind(self) -> GoalKind:
        return GoalKind.COINS if self.target_coins is not None else GoalKind.GIFT_COUNT

    @property
    def target(self) -> int:
        target = self.target_coins if self.target_coins is not None else self.count
        assert target is not None
        return target


class GoalPublic(BaseModel):
    id: int
    session_id: int
    kind: GoalKind
    target: int
    gift_id: int | None
    promise: str
    deadline_at: datetime | None
    progress: int
    state: GoalState
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, goal: Goal) -> Self:
        return cls(
            id=goal.id,
            session_id=goal.session_id,
            kind=goal.kind,
            target=goal.target,
            gift_id=goal.gift_id,
            promise=goal.promise,
            deadline_at=at_or_none(goal.deadline_at or 0),
            progress=goal.progress,
            state=goal.state,
            created_at=at(goal.created_at),
            completed_at=at_or_none(goal.completed_at or 0),
        )


class GoalList(BaseModel):
    goals: list[GoalPublic]


# --- leaderboards and perks ----------------------------------------------------------------


class StandingPublic(BaseModel):
    rank: int
    user_id: int
    coins: int

    @classmethod
    def of(cls, standing: Standing) -> Self:
        return cls(rank=standing.rank, user_id=standing.user_id, coins=standing.coins)


class LeaderboardPublic(BaseModel):
    scope: Literal["session", "week", "all"]
    top: list[StandingPublic]

    @classmethod
    def of(cls, scope: Literal["session", "week", "all"], standings: list[Standing]) -> Self:
        return cls(scope=scope, top=[StandingPublic.of(s) for s in standings])


class SupporterPerkCreate(Request):
    level: Annotated[int, Strict(), Field(ge=1, le=100), WholeNumber]
    kind: PerkKind
    value: Title = ""


class PerksUpdate(Request):
    """The room's whole set of perks (replaces what was there)."""

    perks: Annotated[list[SupporterPerkCreate], Field(max_length=PERKS_MAX)]


class PerkPublic(BaseModel):
    id: int
    level: int
    kind: PerkKind
    value: str

    @classmethod
    def of(cls, perk: Perk) -> Self:
        return cls(id=perk.id, level=perk.level, kind=perk.kind, value=perk.value)


class PerksPublic(BaseModel):
    room_id: int
    level_thresholds_coins: list[int]
    """Level *n* is reached at the *n*-th threshold of lifetime coins gifted."""
    perks: list[PerkPublic]
