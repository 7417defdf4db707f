"""Chapters: a LIVE's plan of timed segments (hook, value, community, goal …).

The creator plans them in order and advances from one to the next; the current chapter
runs from its ``started_at`` until the next one starts (or the session ends). Every
gift and interaction belongs to the chapter current at its time, so the timeline alone
attributes them: nothing has to be stamped on a gift.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from giftflow.ledger.clock import UnixNs


class ChapterKind(StrEnum):
    HOOK = "hook"
    VALUE = "value"
    COMMUNITY = "community"
    GOAL = "goal"
    BATTLE = "battle"
    OUTRO = "outro"
    SEGMENT = "segment"
    """A scheduled segment recorded after the fact (a marathon's run): its window is
    given, not advanced into, and may overlap another's."""


@dataclass(frozen=True, slots=True)
class ChapterPlan:
    kind: ChapterKind
    title: str
    planned_s: int


@dataclass(frozen=True, slots=True)
class Chapter:
    id: int
    session_id: int
    position: int
    kind: ChapterKind
    title: str
    planned_s: int
    started_at: UnixNs | None = None
    ended_at: UnixNs | None = None

    def holds(self, at: int) -> bool:
        started = self.started_at is not None and self.started_at <= at
        return started and (self.ended_at is None or at < self.ended_at)


def chapter_at(chapters: Iterable[Chapter], at: int) -> Chapter | None:
    """The chapter current at ``at`` (``None`` before the first starts or after the last)."""
    return next((chapter for chapter in chapters if chapter.holds(at)), None)


def current(chapters: Sequence[Chapter]) -> Chapter | None:
    return next((c for c in chapters if c.started_at is not None and c.ended_at is None), None)


def next_to_start(chapters: Sequence[Chapter]) -> Chapter | None:
    """The first planned chapter that has not started yet, in plan order."""
    return next(
        (c for c in sorted(chapters, key=lambda c: c.position) if c.started_at is None), None
    )


def attribute(chapters: Sequence[Chapter], times: Iterable[int]) -> dict[int | None, int]:
    """How many of ``times`` fall in each chapter (``None``: outside every chapter)."""
    counts: dict[int | None, int] = {}
    for at in times:
        chapter = chapter_at(chapters, at)
        key = None if chapter is None else chapter.id
        counts[key] = counts.get(key, 0) + 1
    return counts
