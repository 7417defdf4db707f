"""The per-minute series of a LIVE session (docs/analytics.md, Per-minute series).

Every figure is bucketed by calendar minute into dense columns (one slot per minute of
the session, zeros included), so a ten-day session with tens of thousands of gifts
costs one pass over the facts plus one pass over the minutes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .facts import GiftFact, InteractionKind, LiveFacts
from .formats import JsonObject, minute_index, minute_label, seconds
from .presence import Window, minute_peaks, minute_watch_ns, viewer_spans


@dataclass(frozen=True, slots=True)
class MinuteRow:
    """One minute of the series; ``watch_time_ns`` stays exact until it is shown."""

    minute: int
    """``floor(ns / 60e9)`` of the minute's instants."""
    gifts: int
    gift_events: int
    coins: int
    gifters: int
    viewers: int
    watch_time_ns: int
    new_followers: int
    comments: int
    likes: int
    shares: int


def session_window(facts: LiveFacts) -> Window:
    """``[started_at, ended_at)``, or up to ``now`` while live; never negative."""
    session = facts.session
    end = facts.now if session.ended_at is None else session.ended_at
    return Window(session.started_at, max(session.started_at, end))


def minute_range(window: Window) -> tuple[int, int]:
    """``(first minute, number of minutes)``: the minutes holding the window's instants,
    at least one, so a session that has just begun still has a row."""
    first = minute_index(window.start)
    last = max(first, minute_index(window.end - 1))
    return first, last - first + 1


def gifts_in(gifts: Iterable[GiftFact], window: Window) -> list[GiftFact]:
    return [gift for gift in gifts if window.holds(gift.sent_at)]


def _counts(instants: Iterable[int], first: int, count: int) -> list[int]:
    column = [0] * count
    for at in instants:
        column[minute_index(at) - first] += 1
    return column


def _gift_columns(gifts: list[GiftFact], first: int, count: int) -> list[list[int]]:
    """``[gifts, gift_events, coins, gifters]`` per minute, for gifts inside the window."""
    quantities, coins = [0] * count, [0] * count
    senders: set[tuple[int, int]] = set()
    for gift in gifts:
        offset = minute_index(gift.sent_at) - first
        quantities[offset] += gift.gifts
        coins[offset] += gift.coins
        senders.add((offset, gift.sender_id))
    per_minute = Counter(offset for offset, _ in senders)
    gifters = [per_minute[offset] for offset in range(count)]
    events = _counts((gift.sent_at for gift in gifts), first, count)
    return [quantities, events, coins, gifters]


def minute_series(facts: LiveFacts) -> list[MinuteRow]:
    """Every minute of the session, from the one it started in to the one holding its
    last instant; gifts, interactions and follows outside the session are left out."""
    window = session_window(facts)
    first, count = minute_range(window)
    quantities, events, coins, gifters = _gift_columns(gifts_in(facts.gifts, window), first, count)
    spans = viewer_spans(facts.presences, window)
    viewers, watched = minute_peaks(spans, first, count), minute_watch_ns(spans, first, count)
    follows = _counts(
        (f.followed_at for f in facts.follows if window.holds(f.followed_at)), first, count
    )
    kinds = {
        kind: _counts(
            (i.at for i in facts.interactions if i.kind is kind and window.holds(i.at)),
            first,
            count,
        )
        for kind in InteractionKind
    }
    return [
        MinuteRow(
            minute=first + offset,
            gifts=quantities[offset],
            gift_events=events[offset],
            coins=coins[offset],
            gifters=gifters[offset],
            viewers=viewers[offset],
            watch_time_ns=watched[offset],
            new_followers=follows[offset],
            comments=kinds[InteractionKind.COMMENT][offset],
            likes=kinds[InteractionKind.LIKE][offset],
            shares=kinds[InteractionKind.SHARE][offset],
        )
        for offset in range(count)
    ]


def minute_json(row: MinuteRow) -> JsonObject:
    """One row in the contract's key order."""
    return {
        "minute": minute_label(row.minute),
        "gifts": row.gifts,
        "gift_events": row.gift_events,
        "coins": row.coins,
        "gifters": row.gifters,
        "viewers": row.viewers,
        "watch_time_s": seconds(row.watch_time_ns),
        "new_followers": row.new_followers,
        "comments": row.comments,
        "likes": row.likes,
        "shares": row.shares,
    }


def series_json(facts: LiveFacts) -> JsonObject:
    """``GET /v1/sessions/{id}/series``."""
    rows = minute_series(facts)
    return {"session_id": facts.session.id, "minutes": [minute_json(row) for row in rows]}
