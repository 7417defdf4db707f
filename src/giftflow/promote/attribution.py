"""Follows attributed to a promotion, from the real follows table only: a follow is
attributed when it came after the viewer saw (1 day) or clicked (7 days) one of the
promotion's valid impressions. The two windows are reported side by side: a follow
within 7 days of a click counts as ``click_7d``; otherwise, within 1 day of a valid
viewable impression, as ``view_1d``; never both, never twice. The follows table keeps a
viewer's first follow of a creator only, so a viewer who followed before the
impression is never counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs

NS_PER_DAY: Final = 86_400 * 1_000_000_000
VIEW_WINDOW_NS: Final = NS_PER_DAY
CLICK_WINDOW_NS: Final = 7 * NS_PER_DAY


@dataclass(frozen=True, slots=True)
class Touch:
    """A viewer's valid impression of a promotion: when it turned viewable and when it
    was clicked (0: never)."""

    viewer_id: UserId
    viewable_at: UnixNs
    clicked_at: UnixNs


@dataclass(frozen=True, slots=True)
class Attributed:
    click_7d: int
    view_1d: int

    @property
    def total(self) -> int:
        return self.click_7d + self.view_1d


def _within(touched_at: int, followed_at: int, window_ns: int) -> bool:
    return touched_at > 0 and touched_at <= followed_at <= touched_at + window_ns


def attribute(touches: Iterable[Touch], follows: Mapping[UserId, int]) -> Attributed:
    """``follows``: viewer id -> when they first followed the creator."""
    clicked: set[UserId] = set()
    viewed: set[UserId] = set()
    for touch in touches:
        followed_at = follows.get(touch.viewer_id)
        if followed_at is None:
            continue
        if _within(touch.clicked_at, followed_at, CLICK_WINDOW_NS):
            clicked.add(touch.viewer_id)
        elif _within(touch.viewable_at, followed_at, VIEW_WINDOW_NS):
            viewed.add(touch.viewer_id)
    return Attributed(click_7d=len(clicked), view_1d=len(viewed - clicked))
