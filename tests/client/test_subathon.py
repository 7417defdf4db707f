"""The subathon and gift-rule operations through the client against the real server:
each answer type read from a real answer."""

from __future__ import annotations

from datetime import date

from giftflow.client import Client, GiftEvent, Tier
from tests.api.conftest import DOUGHNUT, World

ADULT = date(1990, 5, 17)


def test_every_subathon_and_gift_rule_operation_answers_its_type(
    world: World, admin: Client
) -> None:
    carol = admin.register_user(
        external_id="carol", display_name="Carol", birth_date=ADULT, region="US", is_creator=True
    ).id
    fan = world.user("fan")["id"]
    world.buy(fan, 1_000)
    rule = admin.create_gift_rule(carol, action="confetti", gift_id=DOUGHNUT, payload="gold")
    started = admin.start_subathon(
        carol, initial_s=600, cap_s=3_600, tiers=[Tier(min_coins=30, add_s=60)], ms_per_coin=10
    )
    assert started.state == "running" and started.tiers[0].add_s == 60
    session = admin.start_session(carol)
    admin.send_gift(
        GiftEvent(
            sender_id=fan, creator_id=carol, gift_id=DOUGHNUT, event_id="d1", session_id=session.id
        )
    )
    assert admin.get_subathon(started.id).added_ns == 60_300_000_000
    assert admin.pause_subathon(started.id).state == "paused"
    assert admin.resume_subathon(started.id).state == "running"
    assert admin.update_subathon(started.id, tiers=[]).tiers == []
    room = admin.issue_room_token(carol)
    state = admin.subathon_state(carol, room_token=room.token)
    assert state.subathon is not None and state.subathon.gifts == 1
    assert [s.id for s in admin.list_subathons(carol).subathons] == [started.id]
    assert admin.end_subathon(started.id).state == "ended"
    assert admin.get_gift_rule(rule.id).fired == 1
    assert [r.id for r in admin.list_gift_rules(carol).rules] == [rule.id]
    assert len(admin.list_gift_rule_firings(rule.id).firings) == 1
    admin.delete_gift_rule(rule.id)
    assert admin.list_gift_rules(carol).rules == []
