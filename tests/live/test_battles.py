from __future__ import annotations

import pytest

from giftflow.live.errors import LiveError, LiveStateError
from giftflow.live.events import EventType
from tests.economy.conftest import DOUGHNUT, HAND_HEARTS, ROSE
from tests.live.conftest import Stage


def test_a_battle_scores_gifts_to_each_side_and_names_the_winner_and_mvps(stage: Stage) -> None:
    red, blue = stage.live_session(), stage.live_session()
    ann, bob, cy = stage.viewer(), stage.viewer(), stage.viewer()
    stage.gift(ann, red, HAND_HEARTS)  # before the battle: not scored
    battle = stage.live.start_battle([red.id, blue.id])
    assert battle.ends_at - battle.started_at == 300 * 1_000_000_000
    assert {e.room_id for e in stage.bus.of(EventType.BATTLE_STARTED)} == {
        red.creator_id,
        blue.creator_id,
    }
    stage.gift(ann, red, DOUGHNUT)
    stage.gift(bob, red, HAND_HEARTS)
    stage.gift(cy, blue, DOUGHNUT, quantity=2)
    stage.advance(100)
    ended = stage.live.end_battle(battle.id)
    scores = {side.session_id: side.score for side in ended.sides}
    assert scores == {red.id: 130, blue.id: 60}
    assert ended.winner_session_id == red.id
    result = stage.bus.of(EventType.BATTLE_ENDED, red.creator_id)[0].data
    assert (result["winner_creator_id"], result["draw"]) == (red.creator_id, False)
    red_side = next(s for s in result["sides"] if s["session_id"] == red.id)
    assert [(m["user_id"], m["points"]) for m in red_side["mvps"]] == [(bob.id, 100), (ann.id, 30)]
    stage.gift(ann, blue, HAND_HEARTS)  # after the end: not scored
    assert stage.live.battle(battle.id).sides == ended.sides
    score_events = stage.bus.of(EventType.BATTLE_SCORE, blue.creator_id)
    assert [e.data["points"] for e in score_events] == [30, 100, 60]


def test_equal_scores_are_a_draw(stage: Stage) -> None:
    red, blue, fan = stage.live_session(), stage.live_session(), stage.viewer()
    battle = stage.live.start_battle([red.id, blue.id], duration_s=60)
    stage.gift(fan, red, DOUGHNUT)
    stage.gift(fan, blue, ROSE, quantity=30)
    ended = stage.live.end_battle(battle.id)
    assert ended.winner_session_id is None
    assert stage.bus.of(EventType.BATTLE_ENDED)[0].data["draw"] is True


def test_a_booster_multiplies_points_for_its_window_once_per_side(stage: Stage) -> None:
    red, blue, fan = stage.live_session(), stage.live_session(), stage.viewer()
    battle = stage.live.start_battle([red.id, blue.id])
    stage.advance(10)
    with pytest.raises(LiveError) as forbidden:
        stage.live.trigger_booster(
            battle.id, session_id=red.id, by_user_id=blue.creator_id, multiplier=2
        )
    assert forbidden.value.code == "booster_forbidden"
    stage.live.trigger_booster(
        battle.id, session_id=red.id, by_user_id=red.creator_id, multiplier=5, duration_s=30
    )
    assert len(stage.bus.of(EventType.BATTLE_BOOSTER)) == 2
    stage.gift(fan, red, DOUGHNUT)  # x5
    stage.advance(30)
    stage.gift(fan, red, DOUGHNUT)  # booster over
    with pytest.raises(LiveError) as again:
        stage.live.trigger_booster(
            battle.id, session_id=red.id, by_user_id=red.creator_id, multiplier=2
        )
    assert again.value.code == "booster_used"
    with pytest.raises(LiveError) as too_big:
        stage.live.trigger_booster(
            battle.id, session_id=blue.id, by_user_id=blue.creator_id, multiplier=6
        )
    assert too_big.value.code == "booster_invalid"
    side = stage.live.battle(battle.id).side(red.id)
    assert side is not None and side.score == 150 + 30


def test_a_battle_ends_lazily_on_the_first_gift_after_its_time(stage: Stage) -> None:
    red, blue, fan = stage.live_session(), stage.live_session(), stage.viewer()
    battle = stage.live.start_battle([red.id, blue.id], duration_s=60)
    stage.gift(fan, blue, DOUGHNUT)
    stage.advance(61)
    stage.gift(fan, red, HAND_HEARTS)
    ended = stage.live.battle(battle.id)
    assert ended.ended_at == battle.ends_at and ended.winner_session_id == blue.id
    assert stage.live.end_due_battles() == []


def test_the_sweep_ends_due_battles_and_sessions_battle_one_at_a_time(stage: Stage) -> None:
    red, blue, green = stage.live_session(), stage.live_session(), stage.live_session()
    battle = stage.live.start_battle([red.id, blue.id], duration_s=60)
    with pytest.raises(LiveStateError) as busy:
        stage.live.start_battle([red.id, green.id])
    assert busy.value.code == "battle_running"
    with pytest.raises(LiveError):
        stage.live.start_battle([green.id])
    assert stage.live.end_due_battles() == []
    stage.advance(60)
    [ended] = stage.live.end_due_battles()
    assert ended.id == battle.id and ended.ended_at == battle.ends_at
    assert len(stage.bus.of(EventType.BATTLE_ENDED)) == 2
    assert stage.live.start_battle([red.id, green.id, blue.id]).id != battle.id
