from __future__ import annotations

from giftflow.analytics.formats import (
    day,
    diamonds,
    instant,
    mean,
    minute_index,
    minute_label,
    seconds,
    share_percent,
)
from tests.analytics.conftest import MINUTE, MS, T0, S


def test_an_instant_is_shown_in_whole_seconds_rounded_down() -> None:
    assert instant(T0 + 3 * MINUTE + 7 * S + 999 * MS) == "2026-11-25T14:03:07Z"
    assert instant(T0) == "2026-11-25T14:00:00Z"


def test_a_minute_label_names_the_calendar_minute_holding_an_instant() -> None:
    assert minute_label(minute_index(T0 + 3 * MINUTE + 59 * S)) == "2026-11-25T14:03Z"
    assert minute_label(minute_index(T0 - 1)) == "2026-11-25T13:59Z"


def test_a_day_is_the_utc_date() -> None:
    assert day(T0 + 10 * 60 * MINUTE - 1) == "2026-11-25"
    assert day(T0 + 10 * 60 * MINUTE) == "2026-11-26"


def test_seconds_round_down() -> None:
    assert seconds(1_999_999_999) == 1
    assert seconds(2 * S) == 2


def test_means_have_two_places_rounded_half_to_even() -> None:
    assert mean(247, 20) == "12.35"
    assert mean(1, 8) == "0.12"
    assert mean(3, 8) == "0.38"
    assert mean(2, 3) == "0.67"
    assert mean(160, 3) == "53.33"
    assert mean(5, 1) == "5.00"


def test_a_mean_over_nothing_is_zero() -> None:
    assert mean(0, 0) == "0.00"
    assert mean(7, 0) == "0.00"


def test_shares_are_percentages_with_one_place_rounded_half_to_even() -> None:
    assert share_percent(3, 7) == "42.9"
    assert share_percent(1, 16) == "6.2"
    assert share_percent(3, 16) == "18.8"
    assert share_percent(12, 40) == "30.0"
    assert share_percent(1, 1) == "100.0"


def test_a_share_of_nothing_is_zero() -> None:
    assert share_percent(0, 0) == "0.0"


def test_diamonds_show_four_places_exactly() -> None:
    assert diamonds(12345) == "1.2345"
    assert diamonds(12_345_000) == "1234.5000"
    assert diamonds(7) == "0.0007"
    assert diamonds(0) == "0.0000"
