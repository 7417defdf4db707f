"""The recorded live stream the demo replays: donations and the run schedule of one
Games Done Quick marathon, shipped with giftflow (``giftflow/replay/data``, see its
PROVENANCE.md) and read by the replay's own reader (``giftflow.replay.source``)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Final

from giftflow.replay.source import Donation, Run, packaged, read_donations, read_runs

EVENT: Final = "sgdq2012"
EVENT_TITLE: Final = "Summer Games Done Quick 2012"
DONATIONS_FILE: Final = f"{EVENT}_donations.csv"
RUNS_FILE: Final = f"{EVENT}_runs.csv"
BEFORE_FIRST_RUN: Final = "pre-show"
AFTER_LAST_RUN: Final = "after the marathon"


def load_donations(limit: int | None = None) -> list[Donation]:
    """The event's donations in time order (whatever the file's order), the first
    ``limit`` of them if given."""
    donations = read_donations(packaged(DONATIONS_FILE))
    return donations if limit is None else donations[:limit]


def load_runs() -> list[Run]:
    return read_runs(packaged(RUNS_FILE))


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
