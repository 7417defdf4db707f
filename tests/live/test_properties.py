"""The issue's invariants, over random gifts on a real database."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.live.events import EventType
from giftflow.live.goals import GoalKind, GoalState
from tests.economy.conftest import DOUGHNUT, HAND_HEARTS, ROSE
from tests.live.conftest import NS_PER_S, Stage

COINS = {ROSE: 1, DOUGHNUT: 30, HAND_HEARTS: 100}
DURATION_S = 300
FIXTURES_ONCE = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

gifts_in_time = st.lists(
    st.tuples(
        st.integers(min_value=-30, max_value=DURATION_S + 30),  # seconds from the start
        st.integers(min_value=0, max_value=1),  # which side
        st.sampled_from(sorted(COINS)),
    ),
    max_size=25,
)
boosters = st.none() | st.tuples(
    st.integers(min_value=0, max_value=DURATION_S - 1), st.integers(min_value=2, max_value=5)
)


def expected_scores(
    gifts: list[tuple[int, int, int]], booster: tuple[int, int] | None
) -> list[int]:
    scores = [0, 0]
    for offset, side, gift_id in gifts:
        if not 0 <= offset < DURATION_S:
            continue
        boosted = booster is not None and side == 0 and booster[0] <= offset < booster[0] + 30
        scores[side] += COINS[gift_id] * (booster[1] if boosted and booster else 1)
    return scores


@FIXTURES_ONCE
@given(gifts=gifts_in_time, booster=boosters)
def test_scores_equal_the_gifts_inside_the_battle_window(
    stage: Stage, gifts: list[tuple[int, int, int]], booster: tuple[int, int] | None
) -> None:
    sides, fan = [stage.live_session(), stage.live_session()], stage.viewer()
    stage.advance(60)
    start = stage.market.clock.now_ns()
    moments: list[tuple[int, int, Any]] = [(0, 0, "start")]
    if booster is not None:
        moments.append((booster[0], 1, "boost"))
    moments += [(offset, 2, (side, gift_id)) for offset, side, gift_id in gifts]
    battle_id = 0
    for offset, _, what in sorted(moments, key=lambda m: (m[0], m[1])):
        stage.market.clock.set_ns(start + offset * NS_PER_S)
        if what == "start":
            battle_id = stage.live.start_battle([s.id for s in sides], duration_s=DURATION_S).id
        elif what == "boost":
            creator = sides[0].creator_id
            stage.live.trigger_booster(
                battle_id,
                session_id=sides[0].id,
                by_user_id=creator,
                multiplier=booster[1],  # type: ignore[index]
            )
        else:
            stage.gift(fan, sides[what[0]], what[1])
    stage.market.clock.set_ns(start + (DURATION_S + 31) * NS_PER_S)
    stage.live.end_due_battles()
    battle = stage.live.battle(battle_id)
    assert [side.score for side in battle.sides] == expected_scores(gifts, booster)
    [ended] = stage.bus.of(EventType.BATTLE_ENDED, sides[0].creator_id)[-1:]
    assert [s["score"] for s in ended.data["sides"]] == expected_scores(gifts, booster)
    assert ended.data["battle_id"] == battle_id


@FIXTURES_ONCE
@given(
    target=st.integers(min_value=1, max_value=400),
    batches=st.lists(st.lists(st.sampled_from(sorted(COINS)), min_size=1, max_size=6), max_size=8),
)
def test_a_goal_completes_exactly_once(stage: Stage, target: int, batches: list[list[int]]) -> None:
    session, fan = stage.live_session(), stage.viewer()
    goal = stage.live.create_goal(session.id, kind=GoalKind.COINS, target=target)
    for batch in batches:  # sent together: one engine batch, one transaction
        results = stage.market.economy.send_gifts([stage.request(fan, session, g) for g in batch])
        assert all(not isinstance(result, Exception) for result in results)
        stage.advance(1)
    total = sum(COINS[g] for batch in batches for g in batch)
    completed = stage.bus.of(EventType.GOAL_COMPLETED, session.creator_id)
    final = stage.live.goal(goal.id)
    if total >= target:
        assert len(completed) == 1 and final.state is GoalState.COMPLETED
        assert final.progress >= target
        last = completed[0].data
        assert last["progress"] == final.progress
    else:
        assert completed == [] and final.state is GoalState.OPEN and final.progress == total
    session_ids = {e.data["session_id"] for e in completed}
    assert session_ids <= {session.id}
