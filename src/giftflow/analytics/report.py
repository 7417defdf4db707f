"""The post-LIVE report (docs/analytics.md, Post-LIVE report), and the summary of a
session that later reports compare against.

The report is built from one measurement of the session (the series, the gifts inside
it, the viewers' merged spans), so its totals, peaks and minutes always agree.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs

from .facts import ChapterFact, FollowFact, GiftFact, LiveFacts
from .formats import (
    NS_PER_HOUR,
    JsonObject,
    diamonds,
    instant,
    mean,
    minute_label,
    seconds,
)
from .presence import Span, Window, overlap_ns, viewer_spans
from .series import MinuteRow, gifts_in, minute_json, minute_series, session_window

TOP_SUPPORTERS = 10
PREVIOUS_SESSIONS = 5
HOURS_AFTER = 24
REPORT_VERSION = 1


@dataclass(frozen=True, slots=True)
class PreviousSummary:
    """A session's headline figures, as an entry of a later report's ``previous``."""

    session_id: int
    title: str
    started_at: UnixNs
    duration_s: int
    coins: int
    gifts: int
    gifters_unique: int
    watch_time_s: int
    new_followers: int
    peak_coins_per_minute: int


@dataclass(frozen=True, slots=True)
class _Measured:
    window: Window
    rows: list[MinuteRow]
    gifts: list[GiftFact]
    """The gift events inside the window."""
    spans: list[Span]


def _measure(facts: LiveFacts) -> _Measured:
    window = session_window(facts)
    return _Measured(
        window=window,
        rows=minute_series(facts),
        gifts=gifts_in(facts.gifts, window),
        spans=viewer_spans(facts.presences, window),
    )


def _follows_in(follows: Iterable[FollowFact], window: Window) -> int:
    return sum(1 for follow in follows if window.holds(follow.followed_at))


def _gift_figures(gifts: Sequence[GiftFact]) -> JsonObject:
    return {
        "coins": sum(gift.coins for gift in gifts),
        "gifts": sum(gift.gifts for gift in gifts),
        "gift_events": len(gifts),
        "gifters": len({gift.sender_id for gift in gifts}),
    }


def _totals(facts: LiveFacts, measured: _Measured) -> JsonObject:
    figures = _gift_figures(measured.gifts)
    diamond_units = sum(gift.diamond_units for gift in measured.gifts)
    rows = measured.rows
    return {
        "gifts": figures["gifts"],
        "gift_events": figures["gift_events"],
        "coins": figures["coins"],
        "diamond_units": diamond_units,
        "diamonds": diamonds(diamond_units),
        "gifters_unique": figures["gifters"],
        "viewers_unique": len({presence.viewer_id for presence in facts.presences}),
        "peak_concurrent_viewers": max(row.viewers for row in rows),
        "watch_time_s": seconds(overlap_ns(measured.spans, measured.window)),
        "new_followers": _follows_in(facts.follows, measured.window),
        "comments": sum(row.comments for row in rows),
        "likes": sum(row.likes for row in rows),
        "shares": sum(row.shares for row in rows),
    }


def _velocity(measured: _Measured) -> JsonObject:
    rows = measured.rows
    peak_coins = max(row.coins for row in rows)
    peak_minute = next(row.minute for row in rows if row.coins == peak_coins)
    return {
        "peak_gifts_per_minute": max(row.gifts for row in rows),
        "mean_gifts_per_minute": mean(sum(row.gifts for row in rows), len(rows)),
        "peak_coins_per_minute": peak_coins,
        "mean_coins_per_minute": mean(sum(row.coins for row in rows), len(rows)),
        "peak_minute": minute_label(peak_minute) if measured.gifts else None,
    }


def _top_supporters(gifts: Iterable[GiftFact]) -> list[JsonObject]:
    """The largest senders of coins, ties to the smaller user id; a sender shows the
    name on their latest gift (a renamed user appears once, as they are now)."""
    names: dict[UserId, str] = {}
    coins: dict[UserId, int] = defaultdict(int)
    quantities: dict[UserId, int] = defaultdict(int)
    for gift in sorted(gifts, key=lambda gift: gift.sent_at):
        names[gift.sender_id] = gift.sender_name
        coins[gift.sender_id] += gift.coins
        quantities[gift.sender_id] += gift.gifts
    ranked = sorted(names, key=lambda user_id: (-coins[user_id], user_id))
    return [
        {
            "user_id": user_id,
            "name": names[user_id],
            "coins": coins[user_id],
            "gifts": quantities[user_id],
        }
        for user_id in ranked[:TOP_SUPPORTERS]
    ]


def _chapter_json(
    chapter: ChapterFact, facts: LiveFacts, measured: _Measured, timeline: _Timeline
) -> JsonObject:
    end = measured.window.end if chapter.ended_at is None else chapter.ended_at
    window = Window(chapter.started_at, max(chapter.started_at, end)).clip(measured.window)
    figures = _gift_figures(timeline.within(window))
    return {
        "id": chapter.id,
        "position": chapter.position,
        "kind": chapter.kind,
        "title": chapter.title,
        "start": instant(chapter.started_at),
        "end": instant(end),
        "coins": figures["coins"],
        "gifts": figures["gifts"],
        "gift_events": figures["gift_events"],
        "gifters": figures["gifters"],
        "watch_time_s": seconds(overlap_ns(measured.spans, window)),
        "new_followers": _follows_in(facts.follows, window),
    }


class _Timeline:
    """The gifts in time order, so a chapter's are found by bisection: a marathon has
    hundreds of chapters and tens of thousands of gifts."""

    def __init__(self, gifts: Iterable[GiftFact]) -> None:
        self._gifts = sorted(gifts, key=lambda gift: gift.sent_at)
        self._times = [gift.sent_at for gift in self._gifts]

    def within(self, window: Window) -> list[GiftFact]:
        first = bisect_left(self._times, window.start)
        return self._gifts[first : max(first, bisect_left(self._times, window.end))]


def _chapters(facts: LiveFacts, measured: _Measured) -> list[JsonObject]:
    ordered = sorted(facts.chapters, key=lambda chapter: (chapter.position, chapter.id))
    timeline = _Timeline(measured.gifts)
    return [_chapter_json(chapter, facts, measured, timeline) for chapter in ordered]


def _follower_growth(facts: LiveFacts, window: Window) -> JsonObject:
    during = _follows_in(facts.follows, window)
    if facts.session.ended_at is None:
        return {"during": during, "after_24h": 0, "after_hours": []}
    after_hours = [
        {
            "hour": hour,
            "new_followers": _follows_in(
                facts.follows,
                Window(window.end + (hour - 1) * NS_PER_HOUR, window.end + hour * NS_PER_HOUR),
            ),
        }
        for hour in range(1, HOURS_AFTER + 1)
    ]
    return {
        "during": during,
        "after_24h": sum(entry["new_followers"] for entry in after_hours),
        "after_hours": after_hours,
    }


def previous_json(summary: PreviousSummary) -> JsonObject:
    return {
        "session_id": summary.session_id,
        "title": summary.title,
        "started_at": instant(summary.started_at),
        "duration_s": summary.duration_s,
        "coins": summary.coins,
        "gifts": summary.gifts,
        "gifters_unique": summary.gifters_unique,
        "watch_time_s": summary.watch_time_s,
        "new_followers": summary.new_followers,
        "peak_coins_per_minute": summary.peak_coins_per_minute,
    }


def _summary(facts: LiveFacts, measured: _Measured) -> PreviousSummary:
    figures = _gift_figures(measured.gifts)
    return PreviousSummary(
        session_id=facts.session.id,
        title=facts.session.title,
        started_at=facts.session.started_at,
        duration_s=seconds(measured.window.end - measured.window.start),
        coins=figures["coins"],
        gifts=figures["gifts"],
        gifters_unique=figures["gifters"],
        watch_time_s=seconds(overlap_ns(measured.spans, measured.window)),
        new_followers=_follows_in(facts.follows, measured.window),
        peak_coins_per_minute=max(row.coins for row in measured.rows),
    )


def session_summary(facts: LiveFacts) -> PreviousSummary:
    """What a later report shows of this session: the same code as its own report, so
    the figures compared are the figures reported."""
    return _summary(facts, _measure(facts))


def _session_json(facts: LiveFacts, measured: _Measured) -> JsonObject:
    session, window = facts.session, measured.window
    return {
        "id": session.id,
        "creator_id": session.creator_id,
        "creator_name": session.creator_name,
        "title": session.title,
        "started_at": instant(session.started_at),
        "ended_at": None if session.ended_at is None else instant(session.ended_at),
        "duration_s": seconds(window.end - window.start),
        "minutes": len(measured.rows),
    }


def session_report(facts: LiveFacts, previous: Sequence[PreviousSummary]) -> JsonObject:
    """``GET /v1/sessions/{id}/report``. ``previous``: summaries of the creator's
    earlier sessions; the five newest are shown, newest first."""
    measured = _measure(facts)
    newest = sorted(previous, key=lambda s: (s.started_at, s.session_id), reverse=True)
    return {
        "version": REPORT_VERSION,
        "session": _session_json(facts, measured),
        "totals": _totals(facts, measured),
        "velocity": _velocity(measured),
        "top_supporters": _top_supporters(measured.gifts),
        "chapters": _chapters(facts, measured),
        "follower_growth": _follower_growth(facts, measured.window),
        "previous": [previous_json(s) for s in newest[:PREVIOUS_SESSIONS]],
        "minutes": [minute_json(row) for row in measured.rows],
    }
