from __future__ import annotations

import pytest

from giftflow.live.errors import LiveError
from giftflow.live.events import EventType
from giftflow.live.levels import PerkKind
from giftflow.service.live import Live, LiveSettings
from tests.economy.conftest import DOUGHNUT, HAND_HEARTS, ROSE
from tests.live.conftest import OpenStage, Stage


def test_the_session_leaderboard_ranks_by_coins_and_announces_changes(stage: Stage) -> None:
    session = stage.live_session()
    ann, bob = stage.viewer(), stage.viewer()
    stage.gift(ann, session, DOUGHNUT)
    stage.gift(bob, session, DOUGHNUT)  # tie: ann got there first
    stage.gift(ann, session, ROSE)  # order unchanged: no event
    stage.gift(bob, session, DOUGHNUT)
    board = stage.live.session_leaderboard(session.id)
    assert [(s.rank, s.user_id, s.coins) for s in board] == [(1, bob.id, 60), (2, ann.id, 31)]
    changes = [
        [t["user_id"] for t in e.data["top"]] for e in stage.bus.of(EventType.LEADERBOARD_CHANGED)
    ]
    assert changes == [[ann.id], [ann.id, bob.id], [bob.id, ann.id]]


def test_week_and_all_time_leaderboards_span_sessions(stage: Stage) -> None:
    creator = stage.creator()
    ann, bob = stage.viewer(), stage.viewer()
    first = stage.live.start_session(creator.id)
    stage.gift(ann, first, HAND_HEARTS)
    stage.live.end_session(first.id)
    stage.advance(8 * 86_400)
    second = stage.live.start_session(creator.id)
    stage.gift(bob, second, DOUGHNUT)
    all_time = stage.live.all_time_leaderboard(creator.id)
    assert [(s.user_id, s.coins) for s in all_time] == [(ann.id, 100), (bob.id, 30)]
    week = stage.live.week_leaderboard(creator.id)
    assert [(s.user_id, s.coins) for s in week] == [(bob.id, 30)]


def test_supporter_levels_come_from_lifetime_coins_with_their_perks(open_stage: OpenStage) -> None:
    stage = open_stage(LiveSettings(level_thresholds_coins=(10, 100, 1_000)))
    session, fan = stage.live_session(), stage.viewer()
    badge = stage.live.add_perk(session.creator_id, level=1, kind=PerkKind.BADGE, value="Fan")
    stage.live.add_perk(session.creator_id, level=2, kind=PerkKind.QA_PRIORITY)
    assert stage.live.supporter_level(session.creator_id, fan.id).level == 0
    stage.gift(fan, session, DOUGHNUT)
    level = stage.live.supporter_level(session.creator_id, fan.id)
    assert (level.level, level.coins, level.next_level_coins, level.perks) == (1, 30, 100, (badge,))
    stage.gift(fan, session, HAND_HEARTS)
    level = stage.live.supporter_level(session.creator_id, fan.id)
    assert level.level == 2 and [p.kind for p in level.perks] == ["badge", "qa_priority"]


def test_live_opens_once_over_an_economy(stage: Stage) -> None:
    with pytest.raises(LiveError) as twice:
        Live.open(stage.market.economy, stage.bus)
    assert twice.value.code == "live_open"
