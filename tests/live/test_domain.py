"""The pure rules of LIVE, without a database."""

from __future__ import annotations

import pytest

from giftflow.ids import GiftId, UserId
from giftflow.live.battles import Battle, Booster, Side, plan_booster, points, winner
from giftflow.live.chapters import Chapter, ChapterKind, attribute, chapter_at, next_to_start
from giftflow.live.errors import LiveError
from giftflow.live.goals import Goal, GoalKind, GoalState, advance, contribution
from giftflow.live.leaderboards import Support, rank
from giftflow.live.levels import Perk, PerkKind, check_thresholds, level_for, supporter_level
from giftflow.live.sessions import (
    Presence,
    concurrent_viewers,
    peak_concurrent_viewers,
    total_watch_time_ns,
    watch_time_ns,
)

S = 1_000_000_000


def test_overlapping_presences_of_one_viewer_count_once() -> None:
    presences = [
        Presence(UserId(1), 0, 10),
        Presence(UserId(1), 5, 20),
        Presence(UserId(1), 30, None),
        Presence(UserId(2), 0, 5),
    ]
    assert watch_time_ns(presences, until=40) == {1: 30, 2: 5}
    assert total_watch_time_ns(presences, until=40) == 35
    assert concurrent_viewers(presences, at=5) == 1
    assert concurrent_viewers(presences, at=4) == 2
    assert peak_concurrent_viewers(presences) == 2


def goal(kind: GoalKind = GoalKind.COINS, *, gift_id: GiftId | None = None) -> Goal:
    return Goal(1, 1, UserId(1), kind, 100, gift_id, "", 50, 0, GoalState.OPEN, 0)


def test_a_goal_completes_on_the_step_that_reaches_it_and_only_then() -> None:
    half, done_now = advance(goal(), 60, at=1)
    assert (half.progress, done_now) == (60, False)
    full, done_now = advance(half, 45, at=2)
    assert (full.progress, full.state, full.completed_at, done_now) == (
        105,
        GoalState.COMPLETED,
        2,
        True,
    )
    assert advance(full, 10, at=3) == (full, False)
    assert contribution(full, gift_id=GiftId(1), quantity=1, coins=5, at=3) == 0
    assert contribution(goal(), gift_id=GiftId(1), quantity=1, coins=5, at=50) == 0  # deadline
    counted = goal(GoalKind.GIFT_COUNT, gift_id=GiftId(7))
    assert contribution(counted, gift_id=GiftId(7), quantity=3, coins=90, at=1) == 3
    assert contribution(counted, gift_id=GiftId(8), quantity=3, coins=90, at=1) == 0


def test_ties_on_a_leaderboard_go_to_whoever_got_there_first_then_the_lower_id() -> None:
    supports = [
        Support(UserId(3), 50, 9),
        Support(UserId(2), 50, 9),
        Support(UserId(1), 50, 10),
        Support(UserId(4), 80, 20),
    ]
    assert [(s.rank, s.user_id) for s in rank(supports, limit=3)] == [(1, 4), (2, 2), (3, 3)]
    assert rank([Support(UserId(1), 0, 0)]) == []


def test_levels_rise_at_thresholds_and_carry_the_perks_below() -> None:
    thresholds = (10, 100)
    assert [level_for(c, thresholds) for c in (0, 9, 10, 99, 100, 10**9)] == [0, 0, 1, 1, 2, 2]
    perks = [
        Perk(1, UserId(5), 2, PerkKind.QA_PRIORITY, ""),
        Perk(2, UserId(5), 1, PerkKind.BADGE, "Fan"),
    ]
    level = supporter_level(
        creator_id=UserId(5), user_id=UserId(9), coins=150, thresholds=thresholds, perks=perks
    )
    assert (level.level, level.next_level_coins, [p.id for p in level.perks]) == (2, None, [2, 1])
    with pytest.raises(LiveError):
        check_thresholds((10, 10))


def test_battle_points_winner_and_booster_rules() -> None:
    booster = Booster(5, 10 * S, 40 * S)
    assert [points(3, booster, t * S) for t in (9, 10, 39, 40)] == [3, 15, 15, 3]
    assert winner({1: 10, 2: 9}) == 1
    assert winner({1: 10, 2: 10, 3: 1}) is None
    side = Side(1, UserId(100), 0)
    battle = Battle(1, 0, 300 * S, None, None, (side, Side(2, UserId(200), 0)))
    boost = plan_booster(
        battle, side, by_user_id=UserId(100), multiplier=2, duration_s=30, now=290 * S
    )
    assert boost.ends_at == 300 * S  # cut at the battle's end
    for by, multiplier, now, code in (
        (200, 2, 0, "booster_forbidden"),
        (100, 1, 0, "booster_invalid"),
        (100, 2, 300 * S, "battle_not_running"),
    ):
        with pytest.raises(LiveError) as refused:
            plan_booster(
                battle, side, by_user_id=UserId(by), multiplier=multiplier, duration_s=30, now=now
            )
        assert refused.value.code == code


def test_the_timeline_attributes_each_moment_to_one_chapter() -> None:
    chapters = [
        Chapter(1, 1, 1, ChapterKind.HOOK, "a", 60, 10, 20),
        Chapter(2, 1, 2, ChapterKind.VALUE, "b", 60, 20, None),
        Chapter(3, 1, 3, ChapterKind.GOAL, "c", 60),
    ]
    assert chapter_at(chapters, 5) is None
    assert [chapter_at(chapters, t).id for t in (10, 19, 20, 999)] == [1, 1, 2, 2]  # type: ignore[union-attr]
    assert attribute(chapters, [5, 10, 15, 25]) == {None: 1, 1: 2, 2: 1}
    assert next_to_start(chapters) == chapters[2]
