from __future__ import annotations

from giftflow.analytics.report import PreviousSummary, session_report, session_summary
from giftflow.analytics.series import series_json
from tests.analytics.conftest import (
    END,
    HOUR,
    MINUTE,
    T0,
    S,
    chapter,
    example_facts,
    follow,
    gift,
    live_facts,
    presence,
)


def test_the_report_of_the_example_session_worked_out_by_hand() -> None:
    report = session_report(example_facts(), [])
    assert report["version"] == 1
    assert report["session"] == {
        "id": 7,
        "creator_id": 3,
        "creator_name": "Mia",
        "title": "Friday LIVE",
        "started_at": "2026-11-25T14:00:30Z",
        "ended_at": "2026-11-25T14:02:10Z",
        "duration_s": 100,
        "minutes": 3,
    }
    assert report["totals"] == {
        "gifts": 32,
        "gift_events": 4,
        "coins": 160,
        "diamond_units": 79_845,
        "diamonds": "7.9845",
        "gifters_unique": 2,
        "viewers_unique": 4,
        "peak_concurrent_viewers": 3,
        "watch_time_s": 106,  # 45.5 + 50.5 + 10 exactly, not 45 + 50 + 10
        "new_followers": 1,
        "comments": 1,
        "likes": 2,
        "shares": 1,
    }
    assert report["velocity"] == {
        "peak_gifts_per_minute": 31,
        "mean_gifts_per_minute": "10.67",
        "peak_coins_per_minute": 100,
        "mean_coins_per_minute": "53.33",
        "peak_minute": "2026-11-25T14:01Z",
    }
    assert report["top_supporters"] == [
        {"user_id": 1, "name": "user1", "coins": 130, "gifts": 31},
        {"user_id": 2, "name": "user2", "coins": 30, "gifts": 1},
    ]
    assert report["minutes"] == series_json(example_facts())["minutes"]
    assert report["previous"] == []


def test_report_keys_follow_the_contract() -> None:
    assert list(session_report(example_facts(), [])) == [
        "version",
        "session",
        "totals",
        "velocity",
        "top_supporters",
        "chapters",
        "follower_growth",
        "previous",
        "minutes",
    ]


def test_chapters_count_what_fell_in_their_window_and_a_running_one_ends_with_the_session() -> None:
    assert session_report(example_facts(), [])["chapters"] == [
        {
            "id": 1,
            "position": 1,
            "kind": "hook",
            "title": "Chapter 1",
            "start": "2026-11-25T14:00:30Z",
            "end": "2026-11-25T14:01:00Z",
            "coins": 60,
            "gifts": 31,
            "gift_events": 3,
            "gifters": 2,
            "watch_time_s": 45,
            "new_followers": 0,
        },
        {
            "id": 2,
            "position": 2,
            "kind": "qa",
            "title": "Chapter 2",
            "start": "2026-11-25T14:01:00Z",
            "end": "2026-11-25T14:02:10Z",
            "coins": 100,
            "gifts": 1,
            "gift_events": 1,
            "gifters": 1,
            "watch_time_s": 60,  # 50.5 s + 10 s
            "new_followers": 1,
        },
    ]


def test_follower_growth_counts_the_live_and_each_hour_of_the_day_after() -> None:
    growth = session_report(example_facts(), [])["follower_growth"]
    assert growth["during"] == 1
    assert growth["after_24h"] == 3
    assert [entry["hour"] for entry in growth["after_hours"]] == list(range(1, 25))
    hours = {entry["hour"]: entry["new_followers"] for entry in growth["after_hours"]}
    assert hours[1] == 2  # the follow at the end's very instant and the one 30 min later
    assert hours[24] == 1
    assert sum(hours.values()) == 3  # the follow 24 h after the end is one instant too late


def test_a_follow_at_the_end_instant_counts_in_hour_one_not_during() -> None:
    facts = live_facts(ended_at=T0 + MINUTE, follows=[follow(1, T0 + MINUTE)])
    growth = session_report(facts, [])["follower_growth"]
    assert (growth["during"], growth["after_hours"][0]["new_followers"]) == (0, 1)


def test_a_live_session_reports_up_to_now_with_no_day_after() -> None:
    now = T0 + 90 * S
    facts = live_facts(
        ended_at=None,
        now=now,
        gifts=[gift(1, T0 + 10 * S, coins=5)],
        presences=[presence(1, T0, None)],
        follows=[follow(1, T0 + 80 * S)],
    )
    report = session_report(facts, [])
    assert report["session"]["ended_at"] is None
    assert (report["session"]["duration_s"], report["session"]["minutes"]) == (90, 2)
    assert report["totals"]["watch_time_s"] == 90
    assert report["follower_growth"] == {"during": 1, "after_24h": 0, "after_hours": []}


def test_top_supporters_are_the_ten_largest_ties_to_the_smaller_user_id() -> None:
    gifts = [gift(user_id, T0 + user_id * S, coins=50) for user_id in range(20, 8, -1)]
    gifts += [gift(30, T0, coins=10, gifts=2), gift(30, T0 + S, coins=45, gifts=3)]
    facts = live_facts(ended_at=T0 + MINUTE, gifts=gifts)
    supporters = session_report(facts, [])["top_supporters"]
    assert [entry["user_id"] for entry in supporters] == [30, *range(9, 18)]
    assert supporters[0] == {"user_id": 30, "name": "user30", "coins": 55, "gifts": 5}


def test_a_supporter_shows_the_name_on_their_latest_gift() -> None:
    facts = live_facts(
        ended_at=T0 + MINUTE,
        gifts=[gift(1, T0 + 20 * S, name="Ana B."), gift(1, T0 + 10 * S, name="Ana")],
    )
    assert session_report(facts, [])["top_supporters"][0]["name"] == "Ana B."


def test_a_session_without_gifts_has_no_peak_minute_and_zero_means() -> None:
    report = session_report(live_facts(ended_at=T0 + 10 * MINUTE), [])
    assert report["velocity"] == {
        "peak_gifts_per_minute": 0,
        "mean_gifts_per_minute": "0.00",
        "peak_coins_per_minute": 0,
        "mean_coins_per_minute": "0.00",
        "peak_minute": None,
    }
    assert report["top_supporters"] == []
    assert report["totals"]["diamonds"] == "0.0000"


def test_the_peak_minute_is_the_first_holding_the_coin_peak() -> None:
    facts = live_facts(
        ended_at=T0 + 5 * MINUTE,
        gifts=[gift(1, T0 + MINUTE, coins=9), gift(1, T0 + 3 * MINUTE, coins=9)],
    )
    assert session_report(facts, [])["velocity"]["peak_minute"] == "2026-11-25T14:01Z"


def summary(session_id: int, started_at: int) -> PreviousSummary:
    return PreviousSummary(
        session_id=session_id,
        title=f"LIVE {session_id}",
        started_at=started_at,
        duration_s=60,
        coins=1,
        gifts=1,
        gifters_unique=1,
        watch_time_s=1,
        new_followers=0,
        peak_coins_per_minute=1,
    )


def test_previous_shows_the_five_newest_sessions_newest_first() -> None:
    earlier = [summary(n, T0 - (10 - n) * 24 * HOUR) for n in range(1, 8)]
    previous = session_report(example_facts(), earlier)["previous"]
    assert [entry["session_id"] for entry in previous] == [7, 6, 5, 4, 3]
    assert previous[0] == {
        "session_id": 7,
        "title": "LIVE 7",
        "started_at": "2026-11-22T14:00:00Z",
        "duration_s": 60,
        "coins": 1,
        "gifts": 1,
        "gifters_unique": 1,
        "watch_time_s": 1,
        "new_followers": 0,
        "peak_coins_per_minute": 1,
    }


def test_a_sessions_summary_repeats_its_own_reports_totals() -> None:
    facts = example_facts()
    assert session_summary(facts) == PreviousSummary(
        session_id=7,
        title="Friday LIVE",
        started_at=T0 + 30 * S,
        duration_s=100,
        coins=160,
        gifts=32,
        gifters_unique=2,
        watch_time_s=106,
        new_followers=1,
        peak_coins_per_minute=100,
    )
    assert END - (T0 + 30 * S) == 100 * S


def test_the_report_of_a_ten_day_session_with_forty_thousand_gifts_counts_every_gift() -> None:
    duration = 14_000 * MINUTE
    gifts = [gift(n % 900, T0 + n * (duration // 40_000), coins=n % 7) for n in range(40_000)]
    presences = [
        presence(n % 3000, T0 + n * (duration // 6000), T0 + n * (duration // 6000) + n * S)
        for n in range(6000)
    ]
    chapters = [chapter(n, T0 + n * HOUR, T0 + (n + 1) * HOUR) for n in range(1, 21)]
    facts = live_facts(ended_at=T0 + duration, gifts=gifts, presences=presences, chapters=chapters)
    report = session_report(facts, [])
    assert report["session"]["minutes"] == 14_000
    assert report["totals"]["gift_events"] == 40_000
    assert len(report["chapters"]) == 20
