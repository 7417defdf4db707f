"""The period a coin-flow Sankey covers: ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (UTC days,
``to`` excluded, as in the API), by default the last 30 days up to today included."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from giftflow.http.errors import ApiError
from giftflow.ledger.clock import NS_PER_S
from giftflow.render.charts import esc

DEFAULT_DAYS: Final = 30
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIRST_YEAR, _LAST_YEAR = 1970, 2261
"""The days a signed 64-bit nanosecond clock holds, as the API's coin flows allow."""


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date
    """The day after the last one."""

    @property
    def start_ns(self) -> int:
        return _midnight_ns(self.start)

    @property
    def end_ns(self) -> int:
        return _midnight_ns(self.end)

    @property
    def query(self) -> dict[str, str]:
        """The API's query for the same period (``from``, ``to``)."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _midnight_ns(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * NS_PER_S


def _day(text: str, name: str) -> date:
    if not _DAY.fullmatch(text):
        raise ApiError(f"{name} must be a day written YYYY-MM-DD", code="bad_request")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ApiError(f"{name} is not a day of the calendar", code="bad_request") from None
    if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
        raise ApiError(f"{name} is outside {_FIRST_YEAR} .. {_LAST_YEAR}", code="bad_request")
    return day


def period_of(start: str | None, end: str | None, *, now_ns: int) -> Period:
    """The period a page's query asks for; a missing bound comes from the default
    (``to`` tomorrow, ``from`` 30 days before ``to``). Bad days are 400 ``bad_request``."""
    tomorrow = datetime.fromtimestamp(now_ns // NS_PER_S, UTC).date() + timedelta(days=1)
    last = tomorrow if end is None else _day(end, "to")
    first = last - timedelta(days=DEFAULT_DAYS) if start is None else _day(start, "from")
    if first >= last:
        raise ApiError("from must be a day before to", code="bad_request")
    return Period(first, last)


def period_form(action: str, period: Period) -> str:
    """A GET form choosing the period of the page at ``action``."""
    return (
        f'<form class="period" method="get" action="{esc(action)}">'
        f'<label>From<input type="date" name="from" value="{period.start.isoformat()}"></label>'
        f'<label>To (excluded)<input type="date" name="to" value="{period.end.isoformat()}">'
        '</label><button type="submit">Show</button></form>'
    )
