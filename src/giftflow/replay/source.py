"""Reading a recorded donation log: the Games Done Quick tracker's export (``gdq``).

Donations: ``donor_id`` (empty for an anonymous donor), ``time_utc``
(``2015-01-04T13:32:06Z``) and ``amount_usd_cents``; runs: ``game``, ``start_time``,
``end_time``. Other columns are ignored. Rows come back in time order whatever the
file's order; ties keep file order.

One log ships with giftflow (``data/``, see its PROVENANCE.md): ``packaged`` opens it,
for the demo and the tests alike.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePath
from typing import Final, TypeVar

from giftflow.errors import GiftflowError
from giftflow.ledger.clock import NS_PER_S

FORMATS: Final = ("gdq",)
DONATION_COLUMNS: Final = ("donor_id", "time_utc", "amount_usd_cents")
RUN_COLUMNS: Final = ("game", "start_time", "end_time")
T = TypeVar("T")
LogFile = Path | Traversable
"""A log on disk, or one shipped with giftflow (``packaged``)."""


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
    """One run of the schedule: a chapter of the LIVE."""

    game: str
    start_ns: int
    end_ns: int


def instant_ns(text: str) -> int:
    """``2012-05-24T14:01:23Z`` as nanoseconds since the epoch (exact: whole seconds)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return int(moment.timestamp()) * NS_PER_S


def packaged(name: str) -> Traversable:
    """A log shipped with giftflow in ``giftflow/replay/data`` (``sgdq2012_donations.csv``)."""
    return resources.files("giftflow.replay").joinpath("data", name)


class ReplayInputError(GiftflowError):
    """A donation log or schedule giftflow cannot read; names the file and line."""

    code = "replay_input_invalid"


def read_donations(path: LogFile) -> list[Donation]:
    donations = list(_parsed(path, DONATION_COLUMNS, _donation))
    donations.sort(key=lambda donation: (donation.at_ns, donation.line))
    return donations


def read_runs(path: LogFile) -> list[Run]:
    runs = list(_parsed(path, RUN_COLUMNS, _run))
    runs.sort(key=lambda run: run.start_ns)
    return runs


def event_name(path: LogFile) -> str:
    """The ``event`` column of the first row, else the file's name before ``_``."""
    with _opened(path) as rows:
        first = next(rows, None)
    name = (first or {}).get("event") or ""
    return name.strip() or PurePath(path.name).stem.split("_")[0]


def _donation(line: int, row: dict[str, str]) -> Donation:
    amount = int(row["amount_usd_cents"])
    if amount < 0:
        raise ValueError(f"amount_usd_cents {amount} is negative")
    return Donation(line, row["donor_id"].strip(), instant_ns(row["time_utc"]), amount)


def _run(line: int, row: dict[str, str]) -> Run:
    del line
    return Run(row["game"].strip(), instant_ns(row["start_time"]), instant_ns(row["end_time"]))


def _parsed(
    path: LogFile, columns: tuple[str, ...], parse: Callable[[int, dict[str, str]], T]
) -> Iterator[T]:
    with _opened(path) as rows:
        missing = [column for column in columns if column not in (rows.fieldnames or ())]
        if missing:
            raise ReplayInputError(f"{path}: no column {', '.join(missing)}")
        for line, row in enumerate(rows, start=2):
            try:
                yield parse(line, row)
            except (ValueError, TypeError, AttributeError) as error:
                raise ReplayInputError(f"{path}, line {line}: {error}") from error


@contextmanager
def _opened(path: LogFile) -> Iterator[csv.DictReader[str]]:
    """A CSV file's rows as dictionaries; a missing or unreadable file is an input error."""
    with resources.as_file(path) as on_disk:
        try:
            file = on_disk.open(encoding="utf-8", newline="")
        except OSError as error:
            raise ReplayInputError(f"{path}: {error.strerror}") from error
        with file:
            yield csv.DictReader(file)
