from __future__ import annotations

import pytest

from giftflow.live.chapters import ChapterKind, ChapterPlan
from giftflow.live.errors import LiveError, LiveStateError
from giftflow.live.events import EventType
from giftflow.live.goals import GoalKind
from giftflow.service.live import InteractionKind
from tests.live.conftest import NS_PER_S, Stage


def test_a_creator_goes_live_in_their_own_room_once_at_a_time(stage: Stage) -> None:
    creator = stage.creator()
    session = stage.live.start_session(creator.id, title="Art")
    assert session.is_live and session.creator_id == creator.id
    [started] = stage.bus.of(EventType.SESSION_STARTED)
    assert started.room_id == creator.id
    assert dict(started.data) == {"session_id": session.id, "title": "Art"}
    with pytest.raises(LiveStateError) as refused:
        stage.live.start_session(creator.id)
    assert refused.value.code == "session_live"


def test_only_creators_go_live(stage: Stage) -> None:
    with pytest.raises(LiveError) as refused:
        stage.live.start_session(stage.viewer(0).id)
    assert refused.value.code == "not_a_creator"


def test_viewers_joining_and_leaving_publish_the_concurrent_count(stage: Stage) -> None:
    session = stage.live_session()
    first, second = stage.viewer(0), stage.viewer(0)
    assert stage.live.join(session.id, first.id) == 1
    assert stage.live.join(session.id, second.id) == 2
    assert stage.live.join(session.id, second.id) == 2  # a second tab is one viewer
    assert stage.live.leave(session.id, first.id) == 1
    joined = [e.data["concurrent_viewers"] for e in stage.bus.of(EventType.VIEWER_JOINED)]
    left = stage.bus.of(EventType.VIEWER_LEFT)
    assert joined == [1, 2, 2]
    assert [(e.data["viewer_id"], e.data["concurrent_viewers"]) for e in left] == [(first.id, 1)]


def test_watch_time_counts_each_viewer_once_until_they_leave(stage: Stage) -> None:
    session = stage.live_session()
    viewer, other = stage.viewer(0), stage.viewer(0)
    stage.live.join(session.id, viewer.id)
    stage.advance(10)
    stage.live.join(session.id, viewer.id)
    stage.live.join(session.id, other.id)
    stage.advance(5)
    stage.live.leave(session.id, viewer.id)
    stage.advance(20)
    watch = stage.live.watch_time(session.id)
    assert watch.per_viewer_ns == {viewer.id: 15 * NS_PER_S, other.id: 25 * NS_PER_S}
    assert watch.total_ns == 40 * NS_PER_S
    assert stage.live.viewers_at(session.id, session.started_at + 12 * NS_PER_S) == 2


def test_interactions_belong_to_the_chapter_current_when_they_happen(stage: Stage) -> None:
    session = stage.live_session()
    fan = stage.viewer()
    stage.live.plan_chapters(
        session.id,
        [ChapterPlan(ChapterKind.HOOK, "Hello", 60), ChapterPlan(ChapterKind.VALUE, "Draw", 600)],
    )
    before = stage.live.interact(session.id, fan.id, InteractionKind.FOLLOW)
    hook = stage.live.advance_chapter(session.id)
    liked = stage.live.interact(session.id, fan.id, InteractionKind.LIKE)
    stage.gift(fan, session, quantity=3)
    stage.advance(60)
    value = stage.live.advance_chapter(session.id)
    stage.live.interact(session.id, fan.id, InteractionKind.COMMENT, text="wow")
    stage.gift(fan, session, quantity=5)
    assert before.chapter_id is None and liked.chapter_id == hook.id
    changed = stage.bus.of(EventType.CHAPTER_CHANGED)
    assert [(e.data["previous_chapter_id"], e.data["chapter_id"]) for e in changed] == [
        (None, hook.id),
        (hook.id, value.id),
    ]
    totals = {
        (t.chapter_id, t.gifts, t.coins, t.interactions)
        for t in stage.live.chapter_totals(session.id)
    }
    assert totals == {(hook.id, 1, 3, 1), (value.id, 1, 5, 1)}
    with pytest.raises(LiveStateError) as done:
        stage.live.advance_chapter(session.id)
    assert done.value.code == "chapters_exhausted"


def test_ending_a_session_closes_what_is_open_once(stage: Stage) -> None:
    session, rival = stage.live_session(), stage.live_session()
    viewer = stage.viewer(0)
    stage.live.join(session.id, viewer.id)
    goal = stage.live.create_goal(session.id, kind=GoalKind.COINS, target=100)
    battle = stage.live.start_battle([session.id, rival.id])
    stage.advance(30)
    ended = stage.live.end_session(session.id)
    assert ended.ended_at == stage.market.clock.now_ns()
    assert stage.live.end_session(session.id) == ended
    assert stage.live.goal(goal.id).state == "expired"
    assert stage.live.battle(battle.id).ended_at == ended.ended_at
    assert stage.live.watch_time(session.id).total_ns == 30 * NS_PER_S
    [event] = stage.bus.of(EventType.SESSION_ENDED)
    assert event.data["goals_expired"] == [goal.id]
    assert len(stage.bus.of(EventType.BATTLE_ENDED)) == 2  # one per side's room
    with pytest.raises(LiveStateError):
        stage.live.join(session.id, viewer.id)
