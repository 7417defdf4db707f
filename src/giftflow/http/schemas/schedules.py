"""Scheduled LIVEs: schedule, change, register, the countdown's state, the figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, Strict, StringConstraints

from giftflow import text as policy
from giftflow.http.schemas.common import (
    Request,
    UserId,
    WholeNumber,
    at,
    at_or_none,
    gift_id_or_none,
    policed,
)
from giftflow.http.schemas.live import (
    CHAPTERS_PER_PLAN_MAX,
    ChapterPlanCreate,
    GoalCreate,
)
from giftflow.http.schemas.promote import Moment
from giftflow.live.chapters import ChapterKind, ChapterPlan
from giftflow.live.goals import GoalKind
from giftflow.live.schedules import (
    REMINDER_OFFSET_S_MAX,
    REMINDER_OFFSETS_MAX,
    Figures,
    PlannedGoal,
    ScheduledLive,
    ScheduleState,
)
from giftflow.service.live import Countdown, Registration

Offset = Annotated[int, Strict(), Field(ge=0, le=REMINDER_OFFSET_S_MAX), WholeNumber]
Offsets = Annotated[list[Offset], Field(max_length=REMINDER_OFFSETS_MAX)]
Chapters = Annotated[list[ChapterPlanCreate], Field(max_length=CHAPTERS_PER_PLAN_MAX)]
ScheduleTitle = Annotated[
    str, StringConstraints(min_length=1, max_length=200), policed(policy.human, max_length=200)
]


def plans_of(chapters: list[ChapterPlanCreate]) -> tuple[ChapterPlan, ...]:
    return tuple(ChapterPlan(c.kind, c.title, c.planned_s) for c in chapters)


def goal_of(goal: GoalCreate | None) -> PlannedGoal | None:
    if goal is None:
        return None
    return PlannedGoal(
        goal.kind, goal.target, gift_id_or_none(goal.gift_id), goal.promise, goal.deadline_s
    )


class ScheduleCreate(Request):
    title: ScheduleTitle
    starts_at: Moment
    """RFC 3339 with its offset; in the future, at most 366 days ahead."""
    chapters: Chapters = Field(default_factory=list)
    """The plan the LIVE starts with (kinds as for a session's chapters)."""
    goal: GoalCreate | None = None
    """The goal the LIVE starts with; ``deadline_s`` counts from the LIVE's start."""
    reminder_offsets_s: Offsets | None = None
    """Seconds before the start at which registered viewers are reminded (webhooks out,
    ``schedule.reminder``); 0 is at the start. Default ``[3600, 300]``; ``[]``: none."""


class ScheduleUpdate(Request):
    """Only the fields sent change; ``goal: null`` removes the goal."""

    title: ScheduleTitle | None = None
    starts_at: Moment | None = None
    chapters: Chapters | None = None
    goal: GoalCreate | None = None
    reminder_offsets_s: Offsets | None = None


class PlannedChapterPublic(BaseModel):
    kind: ChapterKind
    title: str
    planned_s: int


class PlannedGoalPublic(BaseModel):
    kind: GoalKind
    target: int
    gift_id: int | None
    promise: str
    deadline_s: int | None

    @classmethod
    def of(cls, goal: PlannedGoal) -> Self:
        return cls(
            kind=goal.kind,
            target=goal.target,
            gift_id=goal.gift_id,
            promise=goal.promise,
            deadline_s=goal.deadline_s,
        )


class SchedulePublic(BaseModel):
    id: str
    room_id: int
    """The creator's user id."""
    title: str
    starts_at: datetime
    ends_at: datetime
    """The planned end: the start plus the chapters' planned time (an hour without)."""
    state: ScheduleState
    chapters: list[PlannedChapterPublic]
    goal: PlannedGoalPublic | None
    reminder_offsets_s: list[int]
    """Largest first."""
    session_id: int | None
    """The session that took it up (``live``, ``done``)."""
    registered: int
    sequence: int
    """Bumped by each change (the calendar file's ``SEQUENCE``)."""
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    """When it went done, missed or cancelled."""

    @classmethod
    def of(cls, live: ScheduledLive) -> Self:
        return cls(
            id=live.id,
            room_id=live.creator_id,
            title=live.title,
            starts_at=at(live.starts_at),
            ends_at=at(live.ends_at),
            state=live.state,
            chapters=[
                PlannedChapterPublic(kind=c.kind, title=c.title, planned_s=c.planned_s)
                for c in live.chapters
            ],
            goal=None if live.goal is None else PlannedGoalPublic.of(live.goal),
            reminder_offsets_s=list(live.reminder_offsets_s),
            session_id=live.session_id,
            registered=live.registered,
            sequence=live.sequence,
            created_at=at(live.created_at),
            updated_at=at(live.updated_at),
            closed_at=at_or_none(live.closed_at or 0),
        )


class ScheduleList(BaseModel):
    schedules: list[SchedulePublic]


class RegistrationCreate(Request):
    user_id: UserId


class RegistrationPublic(BaseModel):
    schedule_id: str
    user_id: int
    registered_at: datetime

    @classmethod
    def of(cls, registration: Registration) -> Self:
        return cls(
            schedule_id=registration.schedule_id,
            user_id=registration.user_id,
            registered_at=at(registration.registered_at),
        )


class RegistrationList(BaseModel):
    schedule_id: str
    registrations: list[RegistrationPublic]


class ScheduleFiguresPublic(BaseModel):
    """Counted from the rows: registered viewers, those of them who joined the linked
    session, and those of them who sent it a gift."""

    schedule_id: str
    session_id: int | None
    registered: int
    attended: int
    gifted: int

    @classmethod
    def of(cls, figures: Figures) -> Self:
        return cls(
            schedule_id=figures.schedule_id,
            session_id=figures.session_id,
            registered=figures.registered,
            attended=figures.attended,
            gifted=figures.gifted,
        )


class CountdownSchedulePublic(BaseModel):
    schedule_id: str
    title: str
    starts_at: int
    """Nanoseconds since the epoch, as in events."""
    state: ScheduleState
    session_id: int | None


class CountdownPublic(BaseModel):
    """The countdown overlay's state (times in nanoseconds, as the events')."""

    room_id: int
    at: int
    """When it was read: the server's clock."""
    last_event_id: str | None
    schedule: CountdownSchedulePublic | None

    @classmethod
    def of(cls, countdown: Countdown) -> Self:
        live = countdown.schedule
        return cls(
            room_id=countdown.room_id,
            at=countdown.at,
            last_event_id=countdown.last_event_id,
            schedule=None
            if live is None
            else CountdownSchedulePublic(
                schedule_id=live.id,
                title=live.title,
                starts_at=live.starts_at,
                state=live.state,
                session_id=live.session_id,
            ),
        )
