"""The recorded live stream the demo replays: donations and the run schedule of one
Games Done Quick marathon, shipped with giftflow (see data/PROVENANCE.md)."""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Final

EVENT: Final = "sgdq2012"
EVENT_TITLE: Final = "Summer Games Done Quick 2012"
DONATIONS_FILE: Final = f"{EVENT}_donations.csv"
RUNS_FILE: Final = f"{EVENT}_runs.csv"
BEFORE_FIRST_RUN: Final = "pre-show"
AFTER_LAST_RUN: Final = "after the marathon"
_NS_PER_S: Final = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Donation:
    """One donation as recorded; ``donor_id`` is empty for an anonymous donor."""

    line: int
    """Its line in the file (the header is line 1): ties in time keep file order."""
    donor_id: str
    at_ns: int
    amount_usd_cents: int


@dataclass(frozen=True, slots=True)
class Run:
    """One game of the marathon: a chapter of the LIVE."""

    game: str
    start_ns: int
    end_ns: int


def instant_ns(text: str) -> int:
    """``2012-05-24T14:01:23Z`` as nanoseconds since the epoch (exact: whole seconds)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return int(moment.timestamp()) * _NS_PER_S


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("giftflow.demo").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def load_donations(limit: int | None = None) -> list[Donation]:
    """The event's donations in time order (whatever the file's order), the first
    ``limit`` of them if given."""
    donations = [
        Donation(
            line=number,
            donor_id=row["donor_id"].strip(),
            at_ns=instant_ns(row["time_utc"]),
            amount_usd_cents=int(row["amount_usd_cents"]),
        )
        for number, row in enumerate(_rows(DONATIONS_FILE), start=2)
    ]
    donations.sort(key=lambda donation: (donation.at_ns, donation.line))
    return donations if limit is None else donations[:limit]


def load_runs() -> list[Run]:
    runs = [
        Run(row["game"].strip(), instant_ns(row["start_time"]), instant_ns(row["end_time"]))
        for row in _rows(RUNS_FILE)
    ]
    runs.sort(key=lambda run: run.start_ns)
    return runs


class Chapters:
    """Which run a moment of the stream belongs to: the last one started by then (the
    set-up between two runs counts for the one before), or the time around them."""

    def __init__(self, runs: Sequence[Run]) -> None:
        self._runs = list(runs)
        self._starts = [run.start_ns for run in self._runs]
        self._end_ns = max((run.end_ns for run in self._runs), default=0)

    def at(self, moment_ns: int) -> str:
        index = bisect_right(self._starts, moment_ns) - 1
        if index < 0:
            return BEFORE_FIRST_RUN
        if moment_ns >= self._end_ns:
            return AFTER_LAST_RUN
        return self._runs[index].game
