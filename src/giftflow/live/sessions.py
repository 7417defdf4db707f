"""LIVE sessions and the time viewers spend in them, as pure functions over intervals.

A viewer's presence is a list of ``[joined_at, left_at)`` intervals (nanoseconds); an
interval still open has ``left_at = None`` and is measured up to ``until``. A viewer
watching in two tabs at once is one viewer: their overlapping intervals are merged
before they are counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs


@dataclass(frozen=True, slots=True)
class LiveSession:
    id: int
    creator_id: UserId
    """Also the room id: a creator's room is their channel."""
    title: str
    started_at: UnixNs
    ended_at: UnixNs | None = None

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class Presence:
    viewer_id: UserId
    joined_at: UnixNs
    left_at: UnixNs | None = None


def _closed(presence: Presence, until: int) -> tuple[int, int]:
    end = until if presence.left_at is None else min(presence.left_at, until)
    return presence.joined_at, max(presence.joined_at, end)


def _merged_ns(spans: list[tuple[int, int]]) -> int:
    total, reach = 0, None
    for start, end in sorted(spans):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def watch_time_ns(presences: Iterable[Presence], *, until: int) -> dict[UserId, int]:
    """Each viewer's watch time up to ``until``, overlapping intervals counted once."""
    spans: dict[UserId, list[tuple[int, int]]] = defaultdict(list)
    for presence in presences:
        spans[presence.viewer_id].append(_closed(presence, until))
    return {viewer: _merged_ns(viewer_spans) for viewer, viewer_spans in spans.items()}


def total_watch_time_ns(presences: Iterable[Presence], *, until: int) -> int:
    return sum(watch_time_ns(presences, until=until).values())


def concurrent_viewers(presences: Iterable[Presence], *, at: int) -> int:
    """Distinct viewers present at ``at`` (an interval holds ``joined_at <= at < left_at``)."""
    return len(
        {
            p.viewer_id
            for p in presences
            if p.joined_at <= at and (p.left_at is None or at < p.left_at)
        }
    )


def peak_concurrent_viewers(presences: Iterable[Presence]) -> int:
    """The most distinct viewers present at any one moment."""
    listed = list(presences)
    moments = {p.joined_at for p in listed}
    return max((concurrent_viewers(listed, at=moment) for moment in moments), default=0)
