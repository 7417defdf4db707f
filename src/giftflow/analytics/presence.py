"""Viewers' presence inside a window, as merged spans, and what they add up to per minute.

The conventions of ``giftflow.live.sessions``: an interval is ``[joined_at, left_at)``,
an open one runs to the end of the window, and a viewer's overlapping (or touching)
intervals are merged first, so a viewer in two tabs is one viewer. After merging, the
distinct viewers present at an instant are simply the spans that hold it, which lets
the per-minute figures come from one sweep instead of a scan per minute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from giftflow.ids import UserId

from .facts import PresenceFact
from .formats import NS_PER_MINUTE

Span = tuple[int, int]
"""``[start, end)`` in nanoseconds, never empty."""


@dataclass(frozen=True, slots=True)
class Window:
    """``[start, end)``: what a session (or a chapter of it) counts."""

    start: int
    end: int

    def holds(self, at: int) -> bool:
        return self.start <= at < self.end

    def clip(self, other: Window) -> Window:
        start = max(self.start, other.start)
        return Window(start, max(start, min(self.end, other.end)))


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def viewer_spans(presences: Iterable[PresenceFact], window: Window) -> list[Span]:
    """Every viewer's merged presence inside ``window``; spans of different viewers may
    overlap, spans of one viewer never do."""
    clipped: dict[UserId, list[Span]] = defaultdict(list)
    for presence in presences:
        left_at = window.end if presence.left_at is None else presence.left_at
        start, end = max(presence.joined_at, window.start), min(left_at, window.end)
        if start < end:
            clipped[presence.viewer_id].append((start, end))
    return [span for spans in clipped.values() for span in _merged(spans)]


def overlap_ns(spans: Iterable[Span], window: Window) -> int:
    """Viewing time inside ``window``, all viewers together."""
    return sum(max(0, min(end, window.end) - max(start, window.start)) for start, end in spans)


def minute_watch_ns(spans: Iterable[Span], first_minute: int, count: int) -> list[int]:
    """Viewing time per minute. Whole minutes a span covers are added as a range (a
    difference array), so a viewer watching for days costs two updates, not thousands."""
    watched = [0] * count
    whole_minutes = [0] * (count + 1)
    for start, end in spans:
        first, last = start // NS_PER_MINUTE, (end - 1) // NS_PER_MINUTE
        if first == last:
            watched[first - first_minute] += end - start
            continue
        watched[first - first_minute] += (first + 1) * NS_PER_MINUTE - start
        watched[last - first_minute] += end - last * NS_PER_MINUTE
        whole_minutes[first + 1 - first_minute] += 1
        whole_minutes[last - first_minute] -= 1
    covering = 0
    for offset in range(count):
        covering += whole_minutes[offset]
        watched[offset] += covering * NS_PER_MINUTE
    return watched


def _changes(spans: Iterable[Span]) -> list[tuple[int, int]]:
    """``(at, delta)`` sorted by time; at one instant the totals are what matters."""
    deltas: dict[int, int] = defaultdict(int)
    for start, end in spans:
        deltas[start] += 1
        deltas[end] -= 1
    return sorted(deltas.items())


def minute_peaks(spans: Iterable[Span], first_minute: int, count: int) -> list[int]:
    """The most viewers present at one instant of each minute: the number present at
    the minute's first instant, or just after any change inside it."""
    changes = _changes(spans)
    peaks = [0] * count
    present, index = 0, 0
    for offset in range(count):
        minute_start = (first_minute + offset) * NS_PER_MINUTE
        while index < len(changes) and changes[index][0] <= minute_start:
            present += changes[index][1]
            index += 1
        peak = present
        while index < len(changes) and changes[index][0] < minute_start + NS_PER_MINUTE:
            present += changes[index][1]
            index += 1
            peak = max(peak, present)
        peaks[offset] = peak
    return peaks
