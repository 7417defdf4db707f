"""Two servers over one database (two economies, each with its own engine and LIVE):
what gifts change is exact because it is written in each gift's transaction."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from giftflow.ids import GiftId
from giftflow.live.events import EventType
from giftflow.live.goals import GoalKind, GoalState
from giftflow.service.economy import GiftRequest
from tests.economy.conftest import DOUGHNUT
from tests.live.conftest import OpenStage


def test_two_servers_score_one_battle_and_complete_a_goal_once(open_stage: OpenStage) -> None:
    first, second = open_stage(), open_stage()
    red, blue = first.live_session(), first.live_session()
    fans = [first.viewer(3_000) for _ in range(4)]
    battle = first.live.start_battle([red.id, blue.id])
    goal = first.live.create_goal(red.id, kind=GoalKind.COINS, target=1_000)
    requests = [
        GiftRequest(
            fan.id,
            session.creator_id,
            GiftId(DOUGHNUT),
            event_id=f"p-{i}-{n}",
            session_id=session.id,
        )
        for i, fan in enumerate(fans)
        for n, session in enumerate([red, blue] * 20)
    ]
    servers = [first.market.economy, second.market.economy]
    with ThreadPoolExecutor(max_workers=8) as pool:
        sent = list(pool.map(lambda i: servers[i % 2].send_gift(requests[i]), range(len(requests))))
    assert len(sent) == 160
    scores = {side.session_id: side.score for side in first.live.battle(battle.id).sides}
    assert scores == {red.id: 80 * 30, blue.id: 80 * 30}
    completed = [*first.bus.of(EventType.GOAL_COMPLETED), *second.bus.of(EventType.GOAL_COMPLETED)]
    assert len(completed) == 1
    assert first.live.goal(goal.id).state is GoalState.COMPLETED
    board = first.live.session_leaderboard(red.id)
    assert sorted(s.coins for s in board) == [600] * 4


def test_two_servers_taking_the_last_two_answers_start_one_battle(open_stage: OpenStage) -> None:
    first, second = open_stage(), open_stage()
    red, blue, green = first.live_session(), first.live_session(), first.live_session()
    for _ in range(8):
        invitation = first.live.invite_to_battle(red.id, [blue.id, green.id])
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = [
                pool.submit(stage.live.accept_battle_invitation, invitation.id, session_id=side)
                for stage, side in ((first, blue.id), (second, green.id))
            ]
            answered = [answer.result() for answer in answers]
        final = first.live.battle_invitation(invitation.id)
        assert final.battle_id is not None, "every invitee accepted, so the battle began"
        assert [a.battle_id for a in answered].count(final.battle_id) >= 1
        first.live.end_battle(final.battle_id)
    started = [*first.bus.of(EventType.BATTLE_STARTED), *second.bus.of(EventType.BATTLE_STARTED)]
    assert len(started) == 8 * 3  # one battle per invitation, to its three rooms
