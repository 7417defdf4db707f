"""The gifting extension point LIVE builds on: listeners run in the gift's transaction,
their events and ``gift.sent`` go out only after it has committed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from giftflow.ids import GiftId, UserId
from giftflow.live.events import EventType
from giftflow.service.economy import GiftRequest
from giftflow.service.economy.context import GiftBooked, PendingEvent
from giftflow.store.tx import RecordRejectedError, Tx
from tests.economy.conftest import ROSE, Market


class Published:
    def __init__(self) -> None:
        self.events: list[tuple[int, str, dict[str, Any], int]] = []

    def publish(self, room_id: int, type: str, data: Mapping[str, Any], *, at: int) -> object:
        self.events.append((room_id, type, dict(data), at))
        return None


def streak_request(market: Market, sender_id: int, creator_id: int, count: int) -> GiftRequest:
    return GiftRequest(
        sender_id=UserId(sender_id),
        creator_id=UserId(creator_id),
        gift_id=GiftId(ROSE),
        streak_id="s1",
        repeat_count=count,
        session_id=7,
    )


def test_gifts_in_a_session_publish_gift_sent_with_the_streak_delta(market: Market) -> None:
    viewer, creator = market.viewer(), market.creator()
    market.buy(viewer, 100)
    published = Published()
    market.economy.context.publisher = published
    market.economy.send_gift(streak_request(market, viewer.id, creator.id, 3))
    market.economy.send_gift(streak_request(market, viewer.id, creator.id, 5))
    market.economy.send_gift(streak_request(market, viewer.id, creator.id, 5))  # a replay
    market.gift(viewer, creator)  # no session: no LIVE event
    sent = [
        (room, type, data["delta"], data["repeat_count"])
        for room, type, data, _ in published.events
    ]
    assert sent == [
        (creator.id, EventType.GIFT_SENT, 3, 3),
        (creator.id, EventType.GIFT_SENT, 2, 5),
    ]
    data = published.events[0][2]
    assert (data["sender_id"], data["gift_id"], data["coins"], data["session_id"]) == (
        viewer.id,
        ROSE,
        3,
        7,
    )


def test_a_listener_writes_in_the_gifts_transaction_and_adds_events(market: Market) -> None:
    viewer, creator = market.viewer(), market.creator()
    market.buy(viewer, 100)
    published = Published()
    seen: list[GiftBooked] = []

    def listener(tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
        seen.append(gift)
        count = tx.scalar("SELECT COUNT(*) FROM gifts WHERE id = ?", (gift.id,))
        return [PendingEvent(gift.creator_id, "test.seen", {"rows": count}, gift.sent_at)]

    market.economy.context.publisher = published
    market.economy.context.gift_listeners.append(listener)
    sent = market.economy.send_gift(
        GiftRequest(viewer.id, creator.id, GiftId(ROSE), quantity=4, event_id="e1", session_id=9)
    )
    assert [g.id for g in seen] == [sent.id] and seen[0].coins == 4
    assert [e[1] for e in published.events] == [EventType.GIFT_SENT, "test.seen"]
    assert published.events[1][2] == {"rows": 1}


def test_a_listener_that_refuses_leaves_no_gift_and_publishes_nothing(market: Market) -> None:
    viewer, creator = market.viewer(), market.creator()
    market.buy(viewer, 100)
    published = Published()

    def refuse(tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
        raise RecordRejectedError("no", code="live_conflict")

    market.economy.context.publisher = published
    market.economy.context.gift_listeners.append(refuse)
    request = GiftRequest(
        viewer.id, creator.id, GiftId(ROSE), quantity=4, event_id="e1", session_id=9
    )
    with pytest.raises(RecordRejectedError):
        market.economy.send_gift(request)
    assert published.events == []
    assert market.count("gifts") == 0
    assert market.coins(viewer) == 100
    market.assert_reconciled()


def test_a_refused_gift_in_a_batch_leaves_the_others_events_once(market: Market) -> None:
    viewer, creator = market.viewer(), market.creator()
    market.buy(viewer, 100)
    published = Published()
    calls: list[int] = []

    def refuse_twos(tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
        calls.append(gift.quantity)
        if gift.quantity == 2:
            raise RecordRejectedError("no twos", code="live_conflict")
        return [PendingEvent(gift.creator_id, "test.seen", {"q": gift.quantity}, gift.sent_at)]

    market.economy.context.publisher = published
    market.economy.context.gift_listeners.append(refuse_twos)
    requests = [
        GiftRequest(viewer.id, creator.id, GiftId(ROSE), quantity=q, event_id=f"e{q}", session_id=9)
        for q in (1, 2, 3)
    ]
    results = market.economy.send_gifts(requests)
    assert isinstance(results[1], RecordRejectedError)
    seen = [e[2]["q"] for e in published.events if e[1] == "test.seen"]
    assert seen == [1, 3]
    assert [e[2]["delta"] for e in published.events if e[1] == EventType.GIFT_SENT] == [1, 3]
    assert market.coins(viewer) == 96
    market.assert_reconciled()
