from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from giftflow.ids import GiftId
from giftflow.live.errors import LiveError
from giftflow.live.events import EventType
from giftflow.live.goals import GoalKind, GoalState
from tests.economy.conftest import DOUGHNUT, HAND_HEARTS, ROSE
from tests.live.conftest import Stage


def test_a_coin_goal_moves_with_gifts_and_completes_once(stage: Stage) -> None:
    session, fan = stage.live_session(), stage.viewer()
    goal = stage.live.create_goal(
        session.id, kind=GoalKind.COINS, target=150, promise="dance at 150"
    )
    [created] = stage.bus.of(EventType.GOAL_CREATED)
    assert created.data["promise"] == "dance at 150" and created.room_id == session.creator_id
    stage.gift(fan, session, HAND_HEARTS)
    stage.gift(fan, session, HAND_HEARTS)
    stage.gift(fan, session, HAND_HEARTS)
    progress = [e.data["progress"] for e in stage.bus.of(EventType.GOAL_PROGRESS)]
    assert progress == [100, 200]
    [completed] = stage.bus.of(EventType.GOAL_COMPLETED)
    assert completed.data["completed_by"] == fan.id
    done = stage.live.goal(goal.id)
    assert (done.state, done.progress, done.completed_at) == (
        GoalState.COMPLETED,
        200,
        completed.at,
    )


def test_a_gift_count_goal_counts_only_its_gift_and_streak_deltas(stage: Stage) -> None:
    session, fan = stage.live_session(), stage.viewer()
    goal = stage.live.create_goal(
        session.id, kind=GoalKind.GIFT_COUNT, target=10, gift_id=GiftId(ROSE)
    )
    stage.gift(fan, session, DOUGHNUT, quantity=3)
    stage.gift(fan, session, ROSE, quantity=4)
    assert stage.live.goal(goal.id).progress == 4
    stage.gift(fan, session, ROSE, quantity=6)
    assert stage.live.goal(goal.id).state is GoalState.COMPLETED


def test_a_goal_stops_at_its_deadline(stage: Stage) -> None:
    session, fan = stage.live_session(), stage.viewer()
    goal = stage.live.create_goal(session.id, kind=GoalKind.COINS, target=50, deadline_s=60)
    stage.gift(fan, session, DOUGHNUT)
    stage.advance(60)
    stage.gift(fan, session, DOUGHNUT)
    late = stage.live.goal(goal.id)
    assert (late.progress, late.state) == (30, GoalState.EXPIRED)
    assert stage.bus.of(EventType.GOAL_COMPLETED) == []


def test_goals_are_validated(stage: Stage) -> None:
    session = stage.live_session()
    with pytest.raises(LiveError) as no_target:
        stage.live.create_goal(session.id, kind=GoalKind.COINS, target=0)
    with pytest.raises(LiveError) as no_gift:
        stage.live.create_goal(session.id, kind=GoalKind.GIFT_COUNT, target=5)
    assert (no_target.value.code, no_gift.value.code) == (
        "goal_target_invalid",
        "goal_gift_invalid",
    )


def test_gifts_to_another_session_or_without_one_leave_goals_alone(stage: Stage) -> None:
    session, other, fan = stage.live_session(), stage.live_session(), stage.viewer()
    goal = stage.live.create_goal(session.id, kind=GoalKind.COINS, target=50)
    stage.gift(fan, other, DOUGHNUT)
    stage.market.gift(fan, stage.market.economy.user(session.creator_id), DOUGHNUT)
    assert stage.live.goal(goal.id).progress == 0


def test_gifts_sent_from_many_threads_complete_a_goal_once(stage: Stage) -> None:
    session = stage.live_session()
    fans = [stage.viewer(1_000) for _ in range(4)]
    goal = stage.live.create_goal(session.id, kind=GoalKind.COINS, target=455)
    requests = [stage.request(fan, session, DOUGHNUT) for fan in fans for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(stage.market.economy.send_gift, requests))
    assert len(stage.bus.of(EventType.GOAL_COMPLETED)) == 1
    done = stage.live.goal(goal.id)
    assert done.state is GoalState.COMPLETED and 455 <= done.progress < 455 + 30
