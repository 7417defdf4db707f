"""Gift rules on a real database (each backend): a qualifying gift event fires its
rule once, a streak's every qualifying increment once, the cooldown to the
nanosecond, and each firing is a row and one ``gift_rule.fired`` event."""

from __future__ import annotations

from typing import Any

import pytest

from giftflow.creator.gift_rules import GiftRule
from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.events import EventType
from giftflow.live.sessions import LiveSession
from giftflow.service.creator import gift_rules
from giftflow.service.economy import GiftRequest
from tests.economy.conftest import DOUGHNUT, HAND_HEARTS, ROSE
from tests.live.conftest import Stage


def _streak(stage: Stage, fan: User, session: LiveSession, name: str, count: int) -> None:
    stage.market.economy.send_gift(
        GiftRequest(
            sender_id=fan.id,
            creator_id=session.creator_id,
            gift_id=GiftId(ROSE),
            streak_id=name,
            repeat_count=count,
            session_id=session.id,
        )
    )


def _fired(stage: Stage, room_id: int) -> list[int]:
    return [e.data["rule_id"] for e in stage.bus.of(EventType.GIFT_RULE_FIRED, room_id)]


def test_a_streak_fires_a_rule_once_per_qualifying_increment(stage: Stage) -> None:
    context = stage.market.economy.context
    session, fan = stage.live_session(), stage.viewer()
    every_rose = gift_rules.create(
        context, session.creator_id, action="confetti", gift_id=GiftId(ROSE), payload="pink"
    )
    three_coins = gift_rules.create(context, session.creator_id, action="horn", min_coins=3)
    for count in (1, 2, 5, 6, 10):  # increments of 1, 1, 3, 1, 4 roses
        _streak(stage, fan, session, "roses", count)
    _streak(stage, fan, session, "roses", 10)  # redelivered: booked once, fires nothing more
    assert gift_rules.get(context, every_rose.id).fired == 5
    assert gift_rules.get(context, three_coins.id).fired == 2  # the 3 and the 4
    assert _fired(stage, session.creator_id).count(every_rose.id) == 5
    assert _fired(stage, session.creator_id).count(three_coins.id) == 2
    firings = gift_rules.firings(context, three_coins.id)
    assert len({f.gift_event_id for f in firings}) == 2
    [last] = stage.bus.of(EventType.GIFT_RULE_FIRED, session.creator_id)[-1:]
    assert last.data["action"] == "horn" and last.data["coins"] == 4
    assert last.data["fired"] == 2 and last.data["sender_id"] == fan.id


def test_the_cooldown_holds_until_its_last_nanosecond(stage: Stage) -> None:
    context = stage.market.economy.context
    session, fan = stage.live_session(), stage.viewer()
    rule = gift_rules.create(
        context, session.creator_id, action="wheel", min_coins=30, cooldown_s=60
    )
    stage.gift(fan, session, DOUGHNUT)
    first_at = gift_rules.get(context, rule.id).last_fired_at
    assert first_at is not None
    stage.gift(fan, session, ROSE)  # below the minimum: does not qualify
    stage.market.clock.set_ns(first_at + 60 * NS_PER_S - 10)
    stage.gift(fan, session, HAND_HEARTS)  # within the cooldown (the ledger adds a few ns)
    assert gift_rules.get(context, rule.id).fired == 1
    stage.market.clock.set_ns(first_at + 60 * NS_PER_S)
    stage.gift(fan, session, DOUGHNUT)  # exactly when it is over
    fired = gift_rules.get(context, rule.id)
    assert fired.fired == 2
    assert fired.last_fired_at is not None and fired.last_fired_at >= first_at + 60 * NS_PER_S
    assert _fired(stage, session.creator_id) == [rule.id, rule.id]


def test_a_rule_fires_in_every_session_of_its_room_until_deleted(stage: Stage) -> None:
    context = stage.market.economy.context
    session, fan = stage.live_session(), stage.viewer()
    rule = gift_rules.create(context, session.creator_id, action="dance", gift_id=GiftId(DOUGHNUT))
    stage.gift(fan, session, DOUGHNUT)
    stage.live.end_session(session.id)
    again = stage.live.start_session(session.creator_id)
    stage.gift(fan, again, DOUGHNUT)
    assert gift_rules.delete(context, rule.id) and not gift_rules.delete(context, rule.id)
    stage.gift(fan, again, DOUGHNUT)
    assert _fired(stage, session.creator_id) == [rule.id, rule.id]
    assert gift_rules.of_room(context, session.creator_id) == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({}, "gift_rule_invalid"),
        ({"min_coins": 0}, "gift_rule_invalid"),
        ({"min_coins": 1, "cooldown_s": -1}, "gift_rule_invalid"),
        ({"gift_id": 1}, "gift_not_found"),
    ],
)
def test_a_rule_without_a_valid_condition_is_refused(
    stage: Stage, fields: dict[str, Any], code: str
) -> None:
    creator = stage.creator()
    with pytest.raises(GiftflowError) as refused:
        gift_rules.create(stage.market.economy.context, creator.id, action="x", **fields)
    assert refused.value.code == code


def test_a_rule_qualifies_on_its_minimum_and_its_gift() -> None:
    both = GiftRule(1, UserId(1), "a", "", min_coins=100, gift_id=GiftId(ROSE), cooldown_s=0)
    assert not both.qualifies(gift_id=GiftId(ROSE), coins=99)
    assert both.qualifies(gift_id=GiftId(ROSE), coins=100)
    assert not both.qualifies(gift_id=GiftId(DOUGHNUT), coins=300)
