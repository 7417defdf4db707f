"""Every other operation once through the client against the real server, so each
answer type is read from a real answer: rooms and overlays, chapters, interactions,
perks, invitations and battles, analytics, webhook endpoints, fraud review, freezes."""

from __future__ import annotations

from datetime import date

import pytest

from giftflow.client import ChapterPlan, Client, GiftEvent, Perk, ProblemError, sandbox_event
from tests.api.conftest import ROSE, SANDBOX_SECRET, World
from tests.client.conftest import now_s

ADULT = date(1990, 5, 17)


def _creator(admin: Client, name: str) -> int:
    user = admin.register_user(
        external_id=name, display_name=name.title(), birth_date=ADULT, region="US",
        is_creator=True,
    )  # fmt: skip
    return user.id


def test_every_other_operation_answers_its_type(world: World, admin: Client) -> None:
    assert admin.health().status == "ok" and "giftflow_" in admin.metrics()
    carol, dave = _creator(admin, "carol"), _creator(admin, "dave")
    fan = admin.register_user(external_id="fan", display_name="Fan", birth_date=ADULT, region="US")
    assert admin.update_user(fan.id, identity_verified=True).identity_verified
    assert admin.list_gifts(region="US").gifts
    payment = admin.start_purchase(user_id=fan.id, channel="web", provider="sandbox", coins=100)
    admin.deliver_webhook("sandbox", *sandbox_event(SANDBOX_SECRET, payment, at_s=now_s(world)))

    room = admin.issue_room_token(carol)
    session = admin.start_session(carol, title="Tour")
    other = admin.start_session(dave)
    assert admin.overlay_state(carol, room_token=room.token).session is not None
    assert admin.plan_chapters(session.id, [ChapterPlan(kind="hook", planned_s=60)]).chapters
    assert admin.advance_chapter(session.id).kind == "hook"
    assert admin.interact(session.id, user_id=fan.id, kind="comment", text="hi").kind == "comment"
    assert admin.follow(carol, user_id=fan.id).first
    assert admin.put_perks(carol, [Perk(level=1, kind="badge", value="Rose")]).perks
    assert admin.get_perks(carol).room_id == carol

    invitation = admin.invite(session_id=session.id, invitee_session_ids=[other.id])
    assert admin.room_invitations(dave).invitations[0].id == invitation.id
    accepted = admin.accept_invitation(invitation.id, session_id=other.id)
    assert (
        accepted.battle_id is not None and admin.get_invitation(invitation.id).state == "accepted"
    )
    admin.send_gift(
        GiftEvent(
            sender_id=fan.id, creator_id=carol, gift_id=ROSE, event_id="r", session_id=session.id
        )
    )
    battle = admin.trigger_booster(accepted.battle_id, session_id=session.id)
    assert admin.end_battle(battle.id).winner_session_id == session.id
    assert admin.get_battle(battle.id).state == "ended"
    assert admin.room_leaderboard(carol, period="all").top[0].user_id == fan.id
    assert admin.get_session(session.id).totals.gifts == 1
    admin.end_session(session.id)
    assert admin.session_series(session.id)
    assert isinstance(admin.creator_cohorts(carol), dict)
    start, end = date(2024, 6, 1), date(2024, 6, 10)
    assert isinstance(admin.creator_coin_flows(carol, start=start, end=end), dict)
    assert isinstance(admin.platform_coin_flows(start=start, end=end), dict)

    hook = admin.create_webhook_endpoint(url="http://127.0.0.1:9/hooks", event_types=["gift.sent"])
    assert [e.id for e in admin.list_webhook_endpoints().endpoints] == [hook.id]
    assert not admin.update_webhook_endpoint(hook.id, enabled=False).enabled
    assert admin.rotate_webhook_secret(hook.id).secret != hook.secret
    assert admin.get_webhook_endpoint(hook.id).description == ""
    assert admin.list_webhook_deliveries(hook.id).deliveries == []
    admin.delete_webhook_endpoint(hook.id)

    assert admin.freeze_wallet(fan.id).frozen and not admin.unfreeze_wallet(fan.id).frozen
    assert admin.list_fraud_decisions(open_only=True).decisions == []
    with pytest.raises(ProblemError, match="decision_not_found"):
        admin.review_fraud_decision(1, upheld=True)
    assert admin.list_payouts(creator_id=carol).payouts == []
