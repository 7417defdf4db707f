from __future__ import annotations

from giftflow.analytics.series import minute_series, series_json
from tests.analytics.conftest import (
    END,
    MINUTE,
    MS,
    T0,
    S,
    example_facts,
    gift,
    live_facts,
    presence,
)

MINUTE_FIGURES = (
    "gifts",
    "gift_events",
    "coins",
    "gifters",
    "viewers",
    "watch_time_s",
    "new_followers",
    "comments",
    "likes",
    "shares",
)
"""A minute's figures after its ``minute`` label, in the contract's order."""


def minute(label: str, **figures: int) -> dict[str, object]:
    row: dict[str, object] = {"minute": label}
    for field in MINUTE_FIGURES:
        row[field] = figures.get(field, 0)
    return row


def test_the_series_lists_every_minute_of_the_session_worked_out_by_hand() -> None:
    assert series_json(example_facts()) == {
        "session_id": 7,
        "minutes": [
            # 30 s of viewer 10, 15 s of viewer 11, half a second of viewer 13
            minute("2026-11-25T14:00Z", gifts=31, gift_events=3, coins=60, gifters=2,
                   viewers=3, watch_time_s=45, likes=2),
            # viewer 13 left at 14:01:00 exactly: not there at that instant
            minute("2026-11-25T14:01Z", gifts=1, gift_events=1, coins=100, gifters=1,
                   viewers=2, watch_time_s=50, new_followers=1, shares=1),
            minute("2026-11-25T14:02Z", viewers=1, watch_time_s=10, comments=1),
        ],
    }  # fmt: skip


def test_rows_keep_the_contracts_key_order() -> None:
    rows = series_json(example_facts())["minutes"]
    assert list(rows[0]) == ["minute", *MINUTE_FIGURES]


def test_watch_time_stays_exact_per_minute_until_it_is_shown() -> None:
    rows = minute_series(example_facts())
    assert [row.watch_time_ns for row in rows] == [45_500 * MS, 50_500 * MS, 10 * S]


def test_a_viewer_in_two_tabs_is_one_viewer_watching_once() -> None:
    facts = live_facts(
        ended_at=T0 + MINUTE,
        presences=[presence(1, T0, T0 + 40 * S), presence(1, T0 + 20 * S, T0 + 50 * S)],
    )
    [row] = minute_series(facts)
    assert (row.viewers, row.watch_time_ns) == (1, 50 * S)


def test_a_session_ending_on_a_minute_boundary_has_no_empty_last_minute() -> None:
    facts = live_facts(ended_at=T0 + 2 * MINUTE)
    assert [row.minute for row in minute_series(facts)] == [T0 // MINUTE, T0 // MINUTE + 1]


def test_a_live_session_runs_to_now_and_open_presences_with_it() -> None:
    facts = live_facts(
        ended_at=None,
        now=T0 + 90 * S,
        gifts=[gift(1, T0 + 89 * S), gift(2, T0 + 90 * S)],
        presences=[presence(1, T0 + 30 * S, None)],
    )
    rows = minute_series(facts)
    assert [(row.gift_events, row.viewers, row.watch_time_ns) for row in rows] == [
        (0, 1, 30 * S),
        (1, 1, 30 * S),
    ]


def test_a_session_that_has_just_begun_has_one_minute() -> None:
    facts = live_facts(started_at=T0 + 5 * S, ended_at=None, now=T0 + 5 * S)
    assert len(minute_series(facts)) == 1


def test_viewers_count_the_most_present_at_one_instant_not_all_who_came() -> None:
    facts = live_facts(
        ended_at=T0 + MINUTE,
        presences=[
            presence(1, T0, T0 + 10 * S),
            presence(2, T0 + 10 * S, T0 + 20 * S),
            presence(3, T0 + 15 * S, T0 + 30 * S),
        ],
    )
    [row] = minute_series(facts)
    assert row.viewers == 2


def test_a_ten_day_session_with_forty_thousand_gifts_has_every_minute_and_gift() -> None:
    duration = 14_000 * MINUTE
    gifts = [gift(n % 900, T0 + n * (duration // 40_000), coins=n % 7) for n in range(40_000)]
    presences = [
        presence(n % 3000, T0 + n * (duration // 6000), T0 + n * (duration // 6000) + n * S)
        for n in range(6000)
    ]
    facts = live_facts(ended_at=T0 + duration, gifts=gifts, presences=presences)
    rows = minute_series(facts)
    assert len(rows) == 14_000
    assert sum(row.gift_events for row in rows) == 40_000


def test_gifts_at_the_end_belong_to_no_minute() -> None:
    rows = minute_series(example_facts())
    assert sum(row.gift_events for row in rows) == 4
    assert rows[-1].minute == (END - 1) // MINUTE
