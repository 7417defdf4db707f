"""Planning analytics, pure functions of stored facts: retention per chapter, the
creator's best windows (UTC day of week x hour) and the regions where their LIVEs earn
and keep viewers. Promote offers the best windows as a suggested schedule of bursts
and the best regions as a suggested audience."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from giftflow.analytics.facts import ChapterFact, PresenceFact
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, UnixNs

WINDOWS_TOP: Final = 5
REGIONS_TOP: Final = 5


@dataclass(frozen=True, slots=True)
class ChapterRetention:
    chapter_id: int
    title: str
    started_at: UnixNs
    ended_at: UnixNs
    viewers_at_start: int
    stayed_through: int
    """Of the viewers present when it started, those still there when it ended."""

    @property
    def retention_bps(self) -> int:
        if self.viewers_at_start == 0:
            return 0
        return self.stayed_through * 10_000 // self.viewers_at_start


def _present(presence: PresenceFact, at: int, end_of_session: int) -> bool:
    left = presence.left_at if presence.left_at is not None else end_of_session
    return presence.joined_at <= at < left


def chapter_retention(
    chapters: Sequence[ChapterFact], presences: Sequence[PresenceFact], session_end: int
) -> list[ChapterRetention]:
    found = []
    for chapter in chapters:
        if chapter.started_at == 0:
            continue
        end = chapter.ended_at or session_end
        at_start = [p for p in presences if _present(p, chapter.started_at, session_end)]
        stayed = [p for p in at_start if (p.left_at or session_end) >= end]
        found.append(
            ChapterRetention(
                chapter.id, chapter.title, chapter.started_at, end, len(at_start), len(stayed)
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class WindowFact:
    """One thing that happened during a creator's LIVE: ``coins`` of gifts, a new
    follower or a viewer joining."""

    at: int
    coins: int = 0
    follows: int = 0
    viewers: int = 0


@dataclass(frozen=True, slots=True)
class BestWindow:
    weekday: int
    """0 Monday .. 6 Sunday, UTC."""
    hour: int
    coins: int
    follows: int
    viewers: int


def window_of(at: int) -> tuple[int, int]:
    moment = datetime.fromtimestamp(at // NS_PER_S, UTC)
    return moment.weekday(), moment.hour


def best_windows(facts: Iterable[WindowFact], top: int = WINDOWS_TOP) -> list[BestWindow]:
    """The windows with most coins, then follows, then viewers."""
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for fact in facts:
        counts = totals[window_of(fact.at)]
        counts[0] += fact.coins
        counts[1] += fact.follows
        counts[2] += fact.viewers
    ranked = sorted(totals.items(), key=lambda item: (item[1], item[0]), reverse=True)
    return [BestWindow(day, hour, *counts) for (day, hour), counts in ranked[:top]]


@dataclass(frozen=True, slots=True)
class RegionFact:
    region: str
    viewer_id: UserId
    watched_s: int
    coins: int


@dataclass(frozen=True, slots=True)
class RegionSummary:
    region: str
    viewers: int
    coins: int
    watched_s_mean: int


def regions(facts: Iterable[RegionFact], top: int = REGIONS_TOP) -> list[RegionSummary]:
    """Regions by coins earned, then by how long their viewers stayed."""
    viewers: dict[str, set[UserId]] = defaultdict(set)
    coins: dict[str, int] = defaultdict(int)
    watched: dict[str, int] = defaultdict(int)
    for fact in facts:
        viewers[fact.region].add(fact.viewer_id)
        coins[fact.region] += fact.coins
        watched[fact.region] += fact.watched_s
    summaries = [
        RegionSummary(region, len(ids), coins[region], watched[region] // max(len(ids), 1))
        for region, ids in viewers.items()
    ]
    summaries.sort(key=lambda s: (s.coins, s.watched_s_mean, s.region), reverse=True)
    return summaries[:top]
