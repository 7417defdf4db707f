"""Battles by invitation: no session is pulled into a battle without its host's yes, a
pending invitation blocks nobody, and invitations end (declined, withdrawn, expired,
or with their session)."""

from __future__ import annotations

import pytest

from giftflow.live.errors import LiveError
from giftflow.live.events import EventType
from giftflow.live.invitations import Answer, InvitationState
from tests.economy.conftest import DOUGHNUT
from tests.live.conftest import Stage


def refused(code: str) -> pytest.RaisesExc[LiveError]:
    return pytest.raises(LiveError, check=lambda error: error.code == code)


def test_a_battle_starts_only_once_the_invited_host_accepts(stage: Stage) -> None:
    red, blue, fan = stage.live_session(), stage.live_session(), stage.viewer()
    invitation = stage.live.invite_to_battle(red.id, [blue.id], duration_s=120)

    assert invitation.state is InvitationState.PENDING and invitation.battle_id is None
    assert [e.room_id for e in stage.bus.of(EventType.BATTLE_INVITED)] == [
        red.creator_id,
        blue.creator_id,
    ]
    stage.gift(fan, red, DOUGHNUT)  # no battle yet: nothing scores
    assert stage.bus.of(EventType.BATTLE_SCORE) == []
    assert stage.bus.of(EventType.BATTLE_STARTED) == []

    accepted = stage.live.accept_battle_invitation(invitation.id, session_id=blue.id)
    assert accepted.state is InvitationState.ACCEPTED and accepted.battle_id is not None
    battle = stage.live.battle(accepted.battle_id)
    assert [side.session_id for side in battle.sides] == [red.id, blue.id]
    assert battle.ends_at - battle.started_at == 120 * 1_000_000_000
    kinds = [e.type for e in stage.bus.events if e.room_id == blue.creator_id]
    assert kinds[-3:] == [EventType.BATTLE_INVITED, EventType.BATTLE_ACCEPTED, "battle.started"]
    said = stage.bus.of(EventType.BATTLE_ACCEPTED, red.creator_id)[0].data
    assert (said["state"], said["battle_id"], said["session_id"]) == (
        "accepted",
        battle.id,
        blue.id,
    )
    assert said["invitees"] == [
        {"session_id": blue.id, "creator_id": blue.creator_id, "answer": "accepted"}
    ]
    stage.gift(fan, red, DOUGHNUT)
    assert stage.live.battle(battle.id).sides[0].score == 30


def test_a_declined_invitation_starts_nothing(stage: Stage) -> None:
    red, blue = stage.live_session(), stage.live_session()
    invitation = stage.live.invite_to_battle(red.id, [blue.id])

    declined = stage.live.decline_battle_invitation(invitation.id, session_id=blue.id)

    assert declined.state is InvitationState.DECLINED and declined.battle_id is None
    assert declined.invitees[0].answer is Answer.DECLINED
    assert {e.room_id for e in stage.bus.of(EventType.BATTLE_DECLINED)} == {
        red.creator_id,
        blue.creator_id,
    }
    with refused("battle_invitation_closed"):
        stage.live.accept_battle_invitation(invitation.id, session_id=blue.id)
    assert stage.bus.of(EventType.BATTLE_STARTED) == []


def test_an_unanswered_invitation_expires_and_frees_its_inviter(stage: Stage) -> None:
    red, blue = stage.live_session(), stage.live_session()
    invitation = stage.live.invite_to_battle(red.id, [blue.id])
    assert invitation.expires_at - invitation.created_at == 60 * 1_000_000_000

    stage.advance(60)

    assert stage.live.battle_invitation(invitation.id).state_at(stage.market.clock.now_ns()) == (
        InvitationState.EXPIRED
    )
    with refused("battle_invitation_expired"):
        stage.live.accept_battle_invitation(invitation.id, session_id=blue.id)
    assert stage.live.battle_invitations(blue.creator_id) == []
    again = stage.live.invite_to_battle(red.id, [blue.id])
    assert again.id != invitation.id


def test_a_pending_invitation_does_not_block_the_invitee(stage: Stage) -> None:
    red, blue, green = stage.live_session(), stage.live_session(), stage.live_session()
    from_red = stage.live.invite_to_battle(red.id, [blue.id], duration_s=60)

    from_blue = stage.live.invite_to_battle(blue.id, [green.id], duration_s=30)
    started = stage.live.accept_battle_invitation(from_blue.id, session_id=green.id)
    assert started.battle_id is not None

    with refused("battle_running"):  # blue is busy now; the invitation stays open
        stage.live.accept_battle_invitation(from_red.id, session_id=blue.id)
    assert stage.live.battle_invitation(from_red.id).state is InvitationState.PENDING
    stage.advance(30)
    stage.live.end_due_battles()
    later = stage.live.accept_battle_invitation(from_red.id, session_id=blue.id)
    assert later.state is InvitationState.ACCEPTED


def test_a_session_sends_one_invitation_at_a_time_until_it_withdraws_it(stage: Stage) -> None:
    red, blue, green = stage.live_session(), stage.live_session(), stage.live_session()
    first = stage.live.invite_to_battle(red.id, [blue.id])

    with refused("battle_invitation_pending"):
        stage.live.invite_to_battle(red.id, [green.id])
    withdrawn = stage.live.withdraw_battle_invitation(first.id)
    assert withdrawn.state is InvitationState.CANCELLED
    assert stage.live.withdraw_battle_invitation(first.id) == withdrawn  # twice: the same
    cancelled = stage.bus.of(EventType.BATTLE_INVITATION_CANCELLED, blue.creator_id)
    assert [e.data["reason"] for e in cancelled] == ["withdrawn"]
    with refused("battle_invitation_closed"):
        stage.live.accept_battle_invitation(first.id, session_id=blue.id)
    assert stage.live.invite_to_battle(red.id, [green.id]).session_id == red.id


def test_every_invitee_must_accept_and_one_decline_declines_for_all(stage: Stage) -> None:
    red, blue, green = stage.live_session(), stage.live_session(), stage.live_session()
    three = stage.live.invite_to_battle(red.id, [blue.id, green.id])

    half = stage.live.accept_battle_invitation(three.id, session_id=blue.id)
    assert half.state is InvitationState.PENDING and half.battle_id is None
    assert stage.live.accept_battle_invitation(three.id, session_id=blue.id) == half  # retry
    battle_id = stage.live.accept_battle_invitation(three.id, session_id=green.id).battle_id
    assert battle_id is not None
    assert len(stage.live.battle(battle_id).sides) == 3

    stage.live.end_battle(battle_id)
    again = stage.live.invite_to_battle(red.id, [blue.id, green.id])
    stage.live.accept_battle_invitation(again.id, session_id=blue.id)
    changed_mind = stage.live.decline_battle_invitation(again.id, session_id=blue.id)
    assert changed_mind.state is InvitationState.DECLINED


def test_ending_a_session_cancels_the_invitations_it_is_in(stage: Stage) -> None:
    red, blue, green = stage.live_session(), stage.live_session(), stage.live_session()
    sent = stage.live.invite_to_battle(red.id, [blue.id])
    received = stage.live.invite_to_battle(green.id, [red.id])

    stage.live.end_session(red.id)

    for invitation in (sent, received):
        assert stage.live.battle_invitation(invitation.id).state is InvitationState.CANCELLED
    reasons = [e.data["reason"] for e in stage.bus.of(EventType.BATTLE_INVITATION_CANCELLED)]
    assert reasons == ["session_ended"] * 4  # two invitations, two rooms each


def test_only_an_invited_session_answers(stage: Stage) -> None:
    red, blue, green = stage.live_session(), stage.live_session(), stage.live_session()
    invitation = stage.live.invite_to_battle(red.id, [blue.id])

    for stranger in (green.id, red.id):
        with refused("battle_invitee_not_found"):
            stage.live.accept_battle_invitation(invitation.id, session_id=stranger)
    with refused("battle_invitation_not_found"):
        stage.live.accept_battle_invitation(invitation.id + 1, session_id=blue.id)


def test_an_invitation_names_live_free_and_different_sessions(stage: Stage) -> None:
    red, blue, green = stage.live_session(), stage.live_session(), stage.live_session()
    with refused("battle_sides_invalid"):
        stage.live.invite_to_battle(red.id, [red.id])
    with refused("battle_sides_invalid"):
        stage.live.invite_to_battle(red.id, [])
    for ttl_s in (0, 601):
        with refused("battle_invitation_ttl_invalid"):
            stage.live.invite_to_battle(red.id, [blue.id], ttl_s=ttl_s)
    stage.live.start_battle([blue.id, green.id])
    with refused("battle_running"):
        stage.live.invite_to_battle(red.id, [blue.id])
    ended = stage.live_session()
    stage.live.end_session(ended.id)
    with refused("session_ended"):
        stage.live.invite_to_battle(red.id, [ended.id])


def test_a_room_lists_its_pending_invitations_sent_and_received(stage: Stage) -> None:
    red, blue, green = stage.live_session(), stage.live_session(), stage.live_session()
    sent = stage.live.invite_to_battle(red.id, [blue.id])
    received = stage.live.invite_to_battle(green.id, [red.id])
    declined = stage.live.invite_to_battle(blue.id, [green.id])
    stage.live.decline_battle_invitation(declined.id, session_id=green.id)

    assert [i.id for i in stage.live.battle_invitations(red.creator_id)] == [sent.id, received.id]
    assert [i.id for i in stage.live.battle_invitations(green.creator_id)] == [received.id]
