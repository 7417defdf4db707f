"""Invalid traffic, filtered before billing (IAB/MRC general IVT) and reported: what a
viewable event may not be billed for, decided as a pure function of the impression and
what the service counted.

Reasons, checked in this order (the first decides):

- ``bot``: the platform flagged the viewer as a bot;
- ``own_view``: the creator (or an account the platform names as theirs) saw their
  own promotion;
- ``not_viewable``: under the MRC video rule, fewer than 2 continuous seconds on screen;
- ``impossible_rate``: reported before it could have been viewable (less than
  ``visible_ms`` after it was served), or the viewer had more viewable impressions in
  the last minute than a person can watch (``VIEWABLE_PER_MINUTE_MAX``);
- ``over_cap``: the viewer already had the cap's number of billed impressions of this
  promotion within its window;
- ``expired``: reported more than ``IMPRESSION_TTL_S`` after it was served.

Not invalid, but not billed either (reported as ``unbilled``): ``ahead_of_plan`` (the
pacing plan's cap) and ``budget_exhausted`` (the hard cap), decided by the billing
update itself, in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs

VIEWABLE_MS_MIN: Final = 2_000
"""MRC: a video impression is viewable after 2 continuous seconds (half its pixels)."""
VIEWABLE_PER_MINUTE_MAX: Final = 20
"""More viewable impressions per minute than a person scrolling can watch for 2 s each
and still see the content between them."""
IMPRESSION_TTL_S: Final = 3_600
NS_PER_MS: Final = 1_000_000


class InvalidReason(StrEnum):
    BOT = "bot"
    OWN_VIEW = "own_view"
    NOT_VIEWABLE = "not_viewable"
    IMPOSSIBLE_RATE = "impossible_rate"
    OVER_CAP = "over_cap"
    EXPIRED = "expired"


class UnbilledReason(StrEnum):
    AHEAD_OF_PLAN = "ahead_of_plan"
    BUDGET_EXHAUSTED = "budget_exhausted"


@dataclass(frozen=True, slots=True)
class ViewableEvent:
    """A viewable event as the service found it: the impression and its counts."""

    viewer_id: UserId
    creator_id: UserId
    served_at: UnixNs
    at: int
    visible_ms: int
    bot: bool
    own_account: bool
    viewable_last_minute: int
    """The viewer's viewable impressions (all promotions) in the minute before ``at``."""
    billed_in_window: int
    """The viewer's billed impressions of this promotion within the cap's window."""
    frequency_cap: int


def invalid_reason(event: ViewableEvent) -> InvalidReason | None:
    if event.bot:
        return InvalidReason.BOT
    if event.own_account or event.viewer_id == event.creator_id:
        return InvalidReason.OWN_VIEW
    if event.visible_ms < VIEWABLE_MS_MIN:
        return InvalidReason.NOT_VIEWABLE
    too_soon = event.at - event.served_at < event.visible_ms * NS_PER_MS
    if too_soon or event.viewable_last_minute >= VIEWABLE_PER_MINUTE_MAX:
        return InvalidReason.IMPOSSIBLE_RATE
    if event.billed_in_window >= event.frequency_cap:
        return InvalidReason.OVER_CAP
    if event.at - event.served_at > IMPRESSION_TTL_S * 1_000_000_000:
        return InvalidReason.EXPIRED
    return None
