"""How analytics shows numbers and times in JSON (docs/analytics.md, Conventions).

Everything is exact: times are integer nanoseconds, means and shares are rounded half to
even from exact fractions, never through a float.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from giftflow.ledger.clock import NS_PER_S

JsonObject = dict[str, Any]
"""A JSON document as the API, the report page and ``giftflow replay`` emit it."""

NS_PER_MINUTE: Final = 60 * NS_PER_S
NS_PER_HOUR: Final = 60 * NS_PER_MINUTE
NS_PER_DAY: Final = 24 * NS_PER_HOUR
DIAMOND_UNITS_PER_DIAMOND: Final = 10_000

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def seconds(ns: int) -> int:
    """Whole seconds, rounded down: watch time and durations never round up."""
    return ns // NS_PER_S


def minute_index(ns: int) -> int:
    """The calendar minute (UTC) holding ``ns``."""
    return ns // NS_PER_MINUTE


def _moment(ns: int) -> datetime:
    # Integer arithmetic: datetime.fromtimestamp would go through a float.
    return _EPOCH + timedelta(seconds=seconds(ns))


def instant(ns: int) -> str:
    return _moment(ns).strftime("%Y-%m-%dT%H:%M:%SZ")


def minute_label(index: int) -> str:
    """The label of minute ``index`` (``ns // 60e9``), not of a nanosecond instant."""
    return (_EPOCH + timedelta(minutes=index)).strftime("%Y-%m-%dT%H:%MZ")


def day(ns: int) -> str:
    return _moment(ns).strftime("%Y-%m-%d")


def _rounded_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` to the nearest integer, ties to even."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def _fixed(scaled: int, places: int) -> str:
    sign = "-" if scaled < 0 else ""
    whole, fraction = divmod(abs(scaled), 10**places)
    return f"{sign}{whole}.{fraction:0{places}d}"


def mean(numerator: int, denominator: int) -> str:
    """Two places; ``"0.00"`` for an empty denominator (a mean of nothing shows zero)."""
    if denominator == 0:
        return "0.00"
    return _fixed(_rounded_half_even(numerator * 100, denominator), 2)


def share_percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with one place; ``"0.0"`` when ``whole`` is 0."""
    if whole == 0:
        return "0.0"
    return _fixed(_rounded_half_even(part * 1000, whole), 1)


def diamonds(units: int) -> str:
    """Diamond units (ten-thousandths) as a decimal string with four places, exactly."""
    return _fixed(units, 4)
