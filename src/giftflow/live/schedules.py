"""Scheduled LIVEs: a creator announces a LIVE (title, start, planned chapters, an
optional goal), viewers register, and reminders go out at chosen offsets before the
start. Pure rules only: the states, what a reminder's moment is, when a schedule is due
to be linked to a session that starts and when it counts as missed.

States: ``scheduled`` (announced; registration open) → ``live`` (a session started
and was linked to it) → ``done`` (that session ended); or ``scheduled`` → ``missed``
(no session started within the grace period after the start) or ``cancelled`` (by the
creator). Only ``scheduled`` changes by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.live.chapters import ChapterPlan
from giftflow.live.errors import LiveError
from giftflow.live.goals import GoalKind, validate

REMINDER_OFFSETS_MAX: Final = 10
REMINDER_OFFSET_S_MAX: Final = 30 * 86_400
"""A reminder goes out at most 30 days before the start."""
REMINDER_OFFSETS_S_DEFAULT: Final = (3_600, 300)
"""An hour before, and five minutes before."""
AHEAD_S_MAX: Final = 366 * 86_400
"""A LIVE is scheduled at most a year (and a day) ahead."""
PLANNED_S_DEFAULT: Final = 3_600
"""How long a LIVE without planned chapters is expected to last (its calendar end)."""


class ScheduleState(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PlannedGoal:
    """The goal the LIVE starts with; ``deadline_s`` counts from the LIVE's start."""

    kind: GoalKind
    target: int
    gift_id: GiftId | None = None
    promise: str = ""
    deadline_s: int | None = None


@dataclass(frozen=True, slots=True)
class ScheduledLive:
    id: str
    creator_id: UserId
    title: str
    starts_at: UnixNs
    """Nanoseconds since the epoch."""
    state: ScheduleState
    chapters: tuple[ChapterPlan, ...] = ()
    goal: PlannedGoal | None = None
    reminder_offsets_s: tuple[int, ...] = REMINDER_OFFSETS_S_DEFAULT
    """Seconds before ``starts_at``, largest first."""
    session_id: int | None = None
    registered: int = 0
    """Viewers registered now."""
    sequence: int = 0
    """Bumped by each change (the calendar file's ``SEQUENCE``)."""
    created_at: UnixNs = 0
    updated_at: UnixNs = 0
    closed_at: UnixNs | None = None
    """When it went ``done``, ``missed`` or ``cancelled``."""

    @property
    def planned_s(self) -> int:
        return sum(c.planned_s for c in self.chapters) or PLANNED_S_DEFAULT

    @property
    def ends_at(self) -> int:
        """The planned end: the start plus the chapters' planned time (an hour without)."""
        return self.starts_at + self.planned_s * NS_PER_S


@dataclass(frozen=True, slots=True)
class Figures:
    """A scheduled LIVE's outcome, from its rows: who registered, who of them joined
    the linked session, and who of them sent it a gift."""

    schedule_id: str
    session_id: int | None
    registered: int
    attended: int
    gifted: int


def check_offsets(offsets_s: Sequence[int]) -> tuple[int, ...]:
    """Distinct offsets within 0 .. 30 days, at most 10; largest (earliest) first."""
    if len(offsets_s) > REMINDER_OFFSETS_MAX or len(set(offsets_s)) != len(offsets_s):
        raise LiveError(
            f"at most {REMINDER_OFFSETS_MAX} reminder offsets, each once",
            code="reminder_offsets_invalid",
        )
    if any(not 0 <= offset <= REMINDER_OFFSET_S_MAX for offset in offsets_s):
        raise LiveError(
            f"a reminder offset is 0 to {REMINDER_OFFSET_S_MAX} seconds before the start",
            code="reminder_offsets_invalid",
        )
    return tuple(sorted(offsets_s, reverse=True))


def check_start(starts_at: int, *, now: int) -> None:
    """A LIVE is scheduled in the future, at most a year ahead."""
    if not now < starts_at <= now + AHEAD_S_MAX * NS_PER_S:
        raise LiveError(
            "a LIVE is scheduled after now and at most 366 days ahead",
            code="scheduled_live_start_invalid",
        )


def check_plan(chapters: Sequence[ChapterPlan], goal: PlannedGoal | None) -> None:
    if any(c.planned_s <= 0 for c in chapters):
        raise LiveError("a chapter is planned for a positive time", code="chapter_invalid")
    if goal is not None:
        validate(goal.kind, goal.target, goal.gift_id)


def remind_at(starts_at: int, offset_s: int) -> int:
    return starts_at - offset_s * NS_PER_S


def is_due(starts_at: int, *, now: int, early_s: int, grace_s: int) -> bool:
    """Whether a session starting ``now`` takes up a LIVE scheduled at ``starts_at``:
    from ``early_s`` before its start until ``grace_s`` after."""
    return starts_at - early_s * NS_PER_S <= now < starts_at + grace_s * NS_PER_S


def missed_before(now: int, *, grace_s: int) -> int:
    """A scheduled LIVE that starts before this moment and never went live is missed."""
    return now - grace_s * NS_PER_S
