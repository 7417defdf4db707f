"""The series, the post-LIVE report and cohorts of a real LIVE equal what the test
recomputes on its own: from what it did, and with plain SQL over the tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from giftflow.economy.users import User
from giftflow.ids import GiftId
from giftflow.live.chapters import ChapterKind, ChapterPlan
from giftflow.live.sessions import LiveSession
from giftflow.service.analytics import Analytics
from giftflow.service.economy import GiftRequest
from giftflow.service.live import InteractionKind
from tests.analytics_service.conftest import NS_PER_S, Stage, rows
from tests.economy.conftest import DOUGHNUT, ROSE

HOUR_S = 3_600


@dataclass
class Scenario:
    creator: User
    ana: User
    ben: User
    cy: User
    first: LiveSession
    session: LiveSession


def label(ns: int, pattern: str = "%Y-%m-%dT%H:%MZ") -> str:
    return datetime.fromtimestamp(ns // NS_PER_S, UTC).strftime(pattern)


def streak(stage: Stage, sender: User, session: LiveSession, repeat_count: int) -> None:
    request = GiftRequest(
        sender_id=sender.id,
        creator_id=session.creator_id,
        gift_id=GiftId(ROSE),
        streak_id="combo",
        repeat_count=repeat_count,
        session_id=session.id,
    )
    stage.market.economy.send_gift(request)


def play(stage: Stage) -> Scenario:
    """A first LIVE (10 roses), then at a whole hour the LIVE under report:
    t=0   chapter Intro; ana joins        t=70  chapter Draw; cy joins, 2 doughnuts
    t=5   ben joins                       t=90  ana leaves;  t=95 ana shares
    t=10  ana's streak: 3 roses           t=130 ben: 5 roses; cy follows (live)
    t=15  the streak goes on: 8 (5 more)  t=150 the LIVE ends
    t=20  ben likes; t=25 ana comments    then ana follows 30 min later, ben again,
    t=30  ben follows (an interaction)    and a late fan 30 hours later (not counted)
    """
    creator = stage.market.creator("mia")
    ana, ben, cy = (stage.market.viewer(name) for name in ("ana", "ben", "cy"))
    for viewer in (ana, ben, cy):
        stage.market.buy(viewer, 1_000)
    first = stage.live.start_session(creator.id, title="Warm-up")
    stage.gift(ana, first, quantity=10)
    stage.advance(120)
    stage.live.end_session(first.id)
    stage.market.clock.set_ns(
        (stage.market.clock.now_ns() // (HOUR_S * NS_PER_S) + 1) * HOUR_S * NS_PER_S
    )
    session = stage.live.start_session(creator.id, title="Friday LIVE")
    plans = [
        ChapterPlan(ChapterKind.HOOK, "Intro", 60),
        ChapterPlan(ChapterKind.VALUE, "Draw", 600),
    ]
    stage.live.plan_chapters(session.id, plans)
    stage.live.advance_chapter(session.id)
    stage.live.join(session.id, ana.id)
    at = 0

    def until(second: int) -> None:
        nonlocal at
        stage.advance(second - at)
        at = second

    until(5)
    stage.live.join(session.id, ben.id)
    until(10)
    streak(stage, ana, session, 3)
    until(15)
    streak(stage, ana, session, 8)
    until(20)
    stage.live.interact(session.id, ben.id, InteractionKind.LIKE)
    until(25)
    stage.live.interact(session.id, ana.id, InteractionKind.COMMENT, text="hi")
    until(30)
    stage.live.interact(session.id, ben.id, InteractionKind.FOLLOW)
    until(70)
    stage.live.advance_chapter(session.id)
    stage.live.join(session.id, cy.id)
    stage.gift(cy, session, DOUGHNUT, quantity=2)
    until(90)
    stage.live.leave(session.id, ana.id)
    until(95)
    stage.live.interact(session.id, ana.id, InteractionKind.SHARE)
    until(130)
    stage.gift(ben, session, quantity=5)
    assert stage.live.follow(creator.id, cy.id)
    until(150)
    stage.live.end_session(session.id)
    until(150 + 1_800)
    assert stage.live.follow(creator.id, ana.id)
    assert not stage.live.follow(creator.id, ben.id)
    until(150 + 30 * HOUR_S)
    assert stage.live.follow(creator.id, stage.viewer(0).id)
    return Scenario(creator, ana, ben, cy, first, stage.live.session(session.id))


def test_the_series_lists_every_minute_with_what_happened_in_it(
    stage: Stage, analytics: Analytics
) -> None:
    scene = play(stage)
    start = scene.session.started_at
    series = analytics.session_series(scene.session.id)
    assert series["session_id"] == scene.session.id
    minutes = series["minutes"]
    assert [m["minute"] for m in minutes] == [label(start + i * 60 * NS_PER_S) for i in range(3)]
    picked = ["gifts", "gift_events", "coins", "gifters", "viewers", "watch_time_s"]
    assert [[m[field] for field in picked] for m in minutes] == [
        # ana 0..60, ben 5..60; two viewers at once
        [8, 2, 8, 1, 2, 60 + 55],
        # ana 60..90, ben all minute, cy 70..120
        [2, 1, 60, 1, 3, 30 + 60 + 50],
        # ben and cy 120..150
        [5, 1, 5, 1, 2, 30 + 30],
    ]
    social = [[m["new_followers"], m["comments"], m["likes"], m["shares"]] for m in minutes]
    assert social == [[1, 1, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]]
    coins_by_sql = rows(
        stage, "SELECT COALESCE(SUM(coins), 0) FROM gifts WHERE session_id = ?", scene.session.id
    )
    assert sum(m["coins"] for m in minutes) == int(str(coins_by_sql[0][0]))


def _expected_totals(stage: Stage, scene: Scenario) -> dict[str, Any]:
    sid = scene.session.id
    ((gifts, events, coins, units, gifters),) = rows(
        stage,
        "SELECT SUM(quantity), COUNT(*), SUM(coins), SUM(diamond_units), COUNT(DISTINCT sender_id)"
        " FROM gifts WHERE session_id = ?",
        sid,
    )
    ((viewers,),) = rows(
        stage, "SELECT COUNT(DISTINCT viewer_id) FROM session_viewers WHERE session_id = ?", sid
    )
    gifts, coins, units = int(str(gifts)), int(str(coins)), int(str(units))
    return {
        "gifts": gifts,
        "gift_events": events,
        "coins": coins,
        "diamond_units": units,
        "diamonds": f"{units // 10_000}.{units % 10_000:04d}",
        "gifters_unique": gifters,
        "viewers_unique": viewers,
        "peak_concurrent_viewers": 3,
        "watch_time_s": 90 + 145 + 80,
        "new_followers": 2,
        "comments": 1,
        "likes": 1,
        "shares": 1,
    }


def test_the_report_adds_up_to_the_rows_and_compares_with_the_previous_live(
    stage: Stage, analytics: Analytics
) -> None:
    scene = play(stage)
    report = analytics.session_report(scene.session.id)
    start = scene.session.started_at
    assert report["session"] == {
        "id": scene.session.id,
        "creator_id": scene.creator.id,
        "creator_name": "Mia",
        "title": "Friday LIVE",
        "started_at": label(start, "%Y-%m-%dT%H:%M:%SZ"),
        "ended_at": label(start + 150 * NS_PER_S, "%Y-%m-%dT%H:%M:%SZ"),
        "duration_s": 150,
        "minutes": 3,
    }
    assert report["totals"] == _expected_totals(stage, scene)
    assert report["velocity"] == {
        "peak_gifts_per_minute": 8,
        "mean_gifts_per_minute": "5.00",
        "peak_coins_per_minute": 60,
        "mean_coins_per_minute": "24.33",
        "peak_minute": label(start + 60 * NS_PER_S),
    }
    supporters = [
        (s["user_id"], s["name"], s["coins"], s["gifts"]) for s in report["top_supporters"]
    ]
    assert supporters == [
        (scene.cy.id, "Cy", 60, 2),
        (scene.ana.id, "Ana", 8, 8),
        (scene.ben.id, "Ben", 5, 5),
    ]
    chapters = [
        (
            c["title"],
            c["coins"],
            c["gifts"],
            c["gift_events"],
            c["gifters"],
            c["watch_time_s"],
            c["new_followers"],
        )
        for c in report["chapters"]
    ]
    # Intro 0..70: ana 70 s, ben 65 s; Draw 70..150: ana 20, ben 80, cy 80.
    assert chapters == [("Intro", 8, 8, 2, 1, 135, 1), ("Draw", 65, 7, 2, 2, 180, 1)]
    growth = report["follower_growth"]
    assert (growth["during"], growth["after_24h"]) == (2, 1)
    assert len(growth["after_hours"]) == 24
    assert [h["new_followers"] for h in growth["after_hours"]] == [1] + [0] * 23
    ((first_coins,),) = rows(
        stage, "SELECT SUM(coins) FROM gifts WHERE session_id = ?", scene.first.id
    )
    (previous,) = report["previous"]
    assert (previous["session_id"], previous["title"], previous["coins"], previous["gifts"]) == (
        scene.first.id,
        "Warm-up",
        int(str(first_coins)),
        10,
    )
    assert previous["duration_s"] == 120 and previous["new_followers"] == 0
    assert report["minutes"] == analytics.session_series(scene.session.id)["minutes"]


def test_a_first_live_has_no_previous_and_a_creators_sessions_come_newest_first(
    stage: Stage, analytics: Analytics
) -> None:
    scene = play(stage)
    assert analytics.session_report(scene.first.id)["previous"] == []
    assert [s.id for s in analytics.sessions_of(scene.creator.id, limit=100)] == [
        scene.session.id,
        scene.first.id,
    ]


def test_cohorts_group_gifters_by_the_week_of_their_first_gift(
    stage: Stage, analytics: Analytics
) -> None:
    scene = play(stage)
    stage.advance(7 * 24 * HOUR_S)
    stage.market.gift(scene.ana, scene.creator)
    document = analytics.cohorts(scene.creator.id)
    sent = rows(
        stage, "SELECT MIN(sent_at), MAX(sent_at) FROM gifts WHERE creator_id = ?", scene.creator.id
    )
    first_day = datetime.fromtimestamp(int(str(sent[0][0])) // NS_PER_S, UTC).date()
    monday = first_day.toordinal() - first_day.weekday()
    weeks = [datetime.fromordinal(monday + 7 * i).date().isoformat() for i in range(2)]
    assert document["creator_id"] == scene.creator.id
    assert document["weeks"] == weeks
    (cohort,) = document["cohorts"]
    assert (cohort["week"], cohort["size"]) == (weeks[0], 3)
    assert cohort["returning"] == [{"week": weeks[1], "offset": 1, "gifters": 1, "share": "33.3"}]
