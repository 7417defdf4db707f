"""Gifter cohorts (docs/analytics.md, Cohorts): who came back in later weeks.

A week is an ISO week, Monday 00:00 UTC to the next Monday. Weeks are numbered from the
epoch (a Thursday, so Monday-based weeks start three days into the count), which keeps
the arithmetic integer and the weeks dense.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from giftflow.ids import UserId

from .facts import FirstGift
from .formats import NS_PER_DAY, JsonObject, day, share_percent

EPOCH_WEEKDAY = 3
"""1970-01-01 was a Thursday: day 0 is three days after a Monday."""


def week_index(ns: int) -> int:
    """The Monday-based week holding ``ns``."""
    return (ns // NS_PER_DAY + EPOCH_WEEKDAY) // 7


def week_label(week: int) -> str:
    """The week's Monday as ``YYYY-MM-DD``."""
    return day((7 * week - EPOCH_WEEKDAY) * NS_PER_DAY)


def _cohort_json(
    week: int, size: int, last_week: int, returning: Counter[tuple[int, int]]
) -> JsonObject:
    return {
        "week": week_label(week),
        "size": size,
        "returning": [
            {
                "week": week_label(later),
                "offset": later - week,
                "gifters": returning[week, later],
                "share": share_percent(returning[week, later], size),
            }
            for later in range(week + 1, last_week + 1)
        ],
    }


def cohorts(creator_id: UserId, gifts: Iterable[FirstGift]) -> JsonObject:
    """``GET /v1/creators/{id}/cohorts``: every week from the first gift to the last is
    listed, and each cohort (the gifters whose first gift fell in a week; weeks where
    nobody gifted for the first time have none) shows every later week, zeros included."""
    weeks_of: dict[UserId, set[int]] = defaultdict(set)
    for gift in gifts:
        weeks_of[gift.sender_id].add(week_index(gift.sent_at))
    if not weeks_of:
        return {"creator_id": creator_id, "weeks": [], "cohorts": []}
    sizes: Counter[int] = Counter()
    returning: Counter[tuple[int, int]] = Counter()
    for weeks in weeks_of.values():
        joined = min(weeks)
        sizes[joined] += 1
        returning.update((joined, week) for week in weeks if week != joined)
    first_week = min(sizes)
    last_week = max(max(weeks) for weeks in weeks_of.values())
    return {
        "creator_id": creator_id,
        "weeks": [week_label(week) for week in range(first_week, last_week + 1)],
        "cohorts": [
            _cohort_json(week, sizes[week], last_week, returning) for week in sorted(sizes)
        ],
    }
