"""Follows count once per user and creator, in a LIVE or outside one; an ended
session's schedule is recorded as segment chapters with the windows given."""

from __future__ import annotations

import pytest

from giftflow.live.chapters import ChapterKind
from giftflow.live.errors import LiveError, LiveStateError
from giftflow.live.events import EventType
from giftflow.service.live import InteractionKind
from tests.analytics_service.conftest import NS_PER_S, Stage, rows


def test_only_the_first_follow_counts_and_outside_a_live_nothing_is_published(
    stage: Stage,
) -> None:
    creator, fan = stage.creator(), stage.viewer(0)
    assert stage.live.follow(creator.id, fan.id) is True
    stage.advance(10)
    assert stage.live.follow(creator.id, fan.id) is False
    assert stage.bus.events == []
    found = rows(stage, "SELECT creator_id, user_id, session_id FROM follows")
    assert found == [(creator.id, fan.id, None)]


def test_a_follow_during_a_live_is_an_interaction_of_the_session(stage: Stage) -> None:
    session = stage.live_session()
    fan, other = stage.viewer(0), stage.viewer(0)
    assert stage.live.follow(session.creator_id, fan.id) is True
    stage.live.interact(session.id, other.id, InteractionKind.FOLLOW)
    stage.live.interact(session.id, other.id, InteractionKind.FOLLOW)
    published = stage.bus.of(EventType.INTERACTION)
    assert [(e.data["user_id"], e.data["kind"]) for e in published] == [
        (fan.id, "follow"),
        (other.id, "follow"),
        (other.id, "follow"),
    ]
    follows = rows(stage, "SELECT user_id, session_id FROM follows ORDER BY followed_at")
    assert follows == [(fan.id, session.id), (other.id, session.id)]
    kinds = rows(stage, "SELECT COUNT(*) FROM interactions WHERE kind = 'follow'")
    assert kinds == [(3,)]


def test_follows_need_a_creator_and_someone_else(stage: Stage) -> None:
    creator, fan = stage.creator(), stage.viewer(0)
    with pytest.raises(LiveError) as self_follow:
        stage.live.follow(creator.id, creator.id)
    with pytest.raises(LiveError) as not_a_creator:
        stage.live.follow(fan.id, creator.id)
    assert (self_follow.value.code, not_a_creator.value.code) == ("self_follow", "not_a_creator")
    session = stage.live.start_session(creator.id)
    with pytest.raises(LiveError) as in_live:
        stage.live.interact(session.id, creator.id, InteractionKind.FOLLOW)
    assert in_live.value.code == "self_follow"
    assert rows(stage, "SELECT COUNT(*) FROM follows") == [(0,)]


def test_an_ended_sessions_schedule_is_recorded_once_with_its_windows(stage: Stage) -> None:
    session = stage.live_session()
    start = session.started_at
    with pytest.raises(LiveStateError) as live:
        stage.live.record_chapters(session.id, [("Run", start, start + NS_PER_S)])
    assert live.value.code == "session_live"
    stage.advance(3_600)
    stage.live.end_session(session.id)
    windows = [
        ("Any%", start, start + 1_800 * NS_PER_S),
        ("Overlap", start + 1_700 * NS_PER_S, start + 3_000 * NS_PER_S),
        ("Empty", start + 3_000 * NS_PER_S, start + 3_000 * NS_PER_S),
        ("Backwards", start + 3_200 * NS_PER_S, start + 3_100 * NS_PER_S),
    ]
    recorded = stage.live.record_chapters(session.id, windows)
    assert [(c.position, c.kind, c.title, c.planned_s) for c in recorded] == [
        (1, ChapterKind.SEGMENT, "Any%", 1_800),
        (2, ChapterKind.SEGMENT, "Overlap", 1_300),
        (3, ChapterKind.SEGMENT, "Empty", 1),
        (4, ChapterKind.SEGMENT, "Backwards", 1),
    ]
    # No constraint forbids an end before the start: the window is kept as given.
    assert [(c.started_at, c.ended_at) for c in recorded] == [(s, e) for _, s, e in windows]
    with pytest.raises(LiveStateError) as again:
        stage.live.record_chapters(session.id, windows)
    assert again.value.code == "chapters_recorded"
