"""A donation's gifts as gift events: the one streak encoding every replay sends
(decision 0096).

- Several identical streakable gifts are one streak, as a LIVE client reports it: id
  ``<key>-<gift id>``, one event per repeat with ``repeat_count`` rising 1..n, then the
  streak's end (``streak_ids``: the caller ends them once the events are booked). Each
  event adds one gift, so no event reaches ``GIFT_QUANTITY_MAX``.
- Any other gift is one event with a quantity, event id ``<key>-<gift id>``; more than
  ``GIFT_QUANTITY_MAX`` of it go as several events of at most that many, event ids
  ``<key>-<gift id>-<part>`` from part 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from giftflow.economy.gifting import GIFT_QUANTITY_MAX
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.replay.gifts import GiftLine
from giftflow.service.economy import GiftRequest


def gift_requests(
    lines: Sequence[GiftLine],
    *,
    sender_id: UserId,
    creator_id: UserId,
    key: str,
    session_id: int,
    sent_at: UnixNs | None = None,
) -> tuple[list[GiftRequest], list[str]]:
    """The events of one donation's gift lines, and the streak ids to end after them."""
    requests: list[GiftRequest] = []
    streak_ids: list[str] = []
    for line in lines:
        gift_key = f"{key}-{line.gift.id}"
        one = GiftRequest(
            sender_id,
            creator_id,
            line.gift.id,
            session_id=session_id,
            sent_at=sent_at,
        )
        if line.is_streak:
            streak_ids.append(gift_key)
            requests += [
                replace(one, streak_id=gift_key, repeat_count=count)
                for count in range(1, line.count + 1)
            ]
        else:
            requests += _quantities(one, line.count, gift_key)
    return requests, streak_ids


def _quantities(one: GiftRequest, count: int, gift_key: str) -> list[GiftRequest]:
    if count <= GIFT_QUANTITY_MAX:
        return [replace(one, quantity=count, event_id=gift_key)]
    return [
        replace(one, quantity=min(GIFT_QUANTITY_MAX, count - start), event_id=f"{gift_key}-{part}")
        for part, start in enumerate(range(0, count, GIFT_QUANTITY_MAX))
    ]
