from __future__ import annotations

from datetime import UTC, datetime

from giftflow.analytics.cohorts import cohorts, week_index, week_label
from giftflow.analytics.facts import FirstGift
from giftflow.ids import UserId
from tests.analytics.conftest import S


def at(year: int, month: int, day: int, hour: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, 0, second, tzinfo=UTC).timestamp()) * S


def first_gift(sender_id: int, sent_at: int) -> FirstGift:
    return FirstGift(sender_id=UserId(sender_id), sent_at=sent_at)


def test_a_week_starts_on_monday_at_midnight_utc() -> None:
    assert week_label(week_index(at(2026, 11, 8, 23, 59))) == "2026-11-02"
    assert week_label(week_index(at(2026, 11, 9))) == "2026-11-09"
    assert week_label(week_index(at(2026, 11, 9) - 1)) == "2026-11-02"


def test_an_iso_week_spans_the_new_year() -> None:
    assert week_label(week_index(at(2026, 1, 1, 12))) == "2025-12-29"


def test_cohorts_group_gifters_by_their_first_week_and_count_their_returns() -> None:
    gifts = [
        first_gift(1, at(2026, 11, 3)),
        first_gift(1, at(2026, 11, 16)),
        first_gift(2, at(2026, 11, 8, 23, 59)),  # Sunday night: still the first week
        first_gift(2, at(2026, 11, 9)),
        first_gift(3, at(2026, 11, 17)),
        first_gift(4, at(2026, 11, 4)),
        first_gift(4, at(2026, 11, 5)),  # twice in one week: one return at most
    ]
    assert cohorts(UserId(3), gifts) == {
        "creator_id": 3,
        "weeks": ["2026-11-02", "2026-11-09", "2026-11-16"],
        "cohorts": [
            {
                "week": "2026-11-02",
                "size": 3,
                "returning": [
                    {"week": "2026-11-09", "offset": 1, "gifters": 1, "share": "33.3"},
                    {"week": "2026-11-16", "offset": 2, "gifters": 1, "share": "33.3"},
                ],
            },
            {"week": "2026-11-16", "size": 1, "returning": []},
        ],
    }


def test_weeks_without_gifts_are_still_listed_with_zero_returns() -> None:
    gifts = [first_gift(5, at(2026, 11, 3)), first_gift(5, at(2026, 11, 30))]
    result = cohorts(UserId(3), gifts)
    assert result["weeks"] == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"]
    assert result["cohorts"] == [
        {
            "week": "2026-11-02",
            "size": 1,
            "returning": [
                {"week": "2026-11-09", "offset": 1, "gifters": 0, "share": "0.0"},
                {"week": "2026-11-16", "offset": 2, "gifters": 0, "share": "0.0"},
                {"week": "2026-11-23", "offset": 3, "gifters": 0, "share": "0.0"},
                {"week": "2026-11-30", "offset": 4, "gifters": 1, "share": "100.0"},
            ],
        }
    ]


def test_a_creator_without_gifts_has_no_weeks() -> None:
    assert cohorts(UserId(3), []) == {"creator_id": 3, "weeks": [], "cohorts": []}


def test_the_order_of_the_gifts_does_not_matter() -> None:
    gifts = [first_gift(1, at(2026, 11, 16)), first_gift(1, at(2026, 11, 3))]
    assert cohorts(UserId(3), gifts) == cohorts(UserId(3), list(reversed(gifts)))
    assert cohorts(UserId(3), gifts)["cohorts"][0]["week"] == "2026-11-02"
