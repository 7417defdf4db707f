"""``giftflow replay`` on real GDQ logs: every figure of its JSON report equals what
this test recomputes from the raw CSV with plain Python (none of giftflow's code)."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from giftflow.cli.app import app
from giftflow.replay.source import packaged

GDQ = Path(__file__).resolve().parents[1] / "fixtures" / "gdq"
"""Copies of shared/data/gdq files (see its PROVENANCE.md)."""
SHIPPED = Path(str(packaged("")))
"""The log giftflow ships (sgdq2012, for the demo): the one copy the tests use too."""


def log_file(name: str) -> Path:
    """A fixture, wherever its one copy is: the tests' own or the shipped one."""
    return GDQ / name if (GDQ / name).exists() else SHIPPED / name


EVENTS = [
    # (event, coins per USD, share bps): a small event, the unsorted one with its
    # full schedule, and one whose schedule has overlapping and empty runs.
    ("cgdq", 100, 5000),
    ("sgdq2016", 100, 5000),
    ("sgdq2012", 37, 7000),
]


@dataclass(frozen=True)
class Row:
    line: int
    donor: str
    at: datetime
    cents: int


def read_rows(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as file:
        rows = [
            Row(
                number,
                row["donor_id"].strip(),
                datetime.strptime(row["time_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
                int(row["amount_usd_cents"]),
            )
            for number, row in enumerate(csv.DictReader(file), start=2)
        ]
    return sorted(rows, key=lambda row: (row.at, row.line))


def read_runs(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as file:
        runs = [
            {
                "name": row["game"].strip(),
                "start": datetime.strptime(row["start_time"], "%Y-%m-%dT%H:%M:%SZ").replace(
                    tzinfo=UTC
                ),
                "end": datetime.strptime(row["end_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
            }
            for row in csv.DictReader(file)
        ]
    return sorted(runs, key=lambda run: run["start"])


def expected_report(
    rows: list[Row], runs: list[dict[str, Any]], coins_per_usd: int, share_bps: int
) -> dict[str, Any]:
    coins = [row.cents * coins_per_usd // 100 for row in rows]
    viewers = [row.donor or f"anonymous line {row.line}" for row in rows]
    per_viewer: Counter[str] = Counter()
    for viewer, amount in zip(viewers, coins, strict=True):
        per_viewer[viewer] += amount
    named = sorted(
        ((donor, total) for donor, total in per_viewer.items() if not donor.startswith("anon")),
        key=lambda pair: (-pair[1], pair[0]),
    )
    minutes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, amount in zip(rows, coins, strict=True):
        entry = minutes[row.at.strftime("%Y-%m-%dT%H:%MZ")]
        entry[0] += amount
        entry[1] += 1
    chapters = []
    for run in runs:
        inside = [
            amount
            for row, amount in zip(rows, coins, strict=True)
            if run["start"] <= row.at < run["end"]
        ]
        chapters.append(
            {
                "name": run["name"],
                "start": run["start"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": run["end"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                "coins": sum(inside),
                "donations": len(inside),
            }
        )
    diamonds = Fraction(sum(coins) * share_bps, 10_000)
    return {
        "coins_total": sum(coins),
        "donations": len(rows),
        "gifters_unique": len({v for v, amount in per_viewer.items() if amount > 0}),
        "diamonds_total": diamonds,
        "peak_coins_per_minute": max(entry[0] for entry in minutes.values()),
        "top_supporters": [{"viewer": donor, "coins": total} for donor, total in named[:10]],
        "chapters": chapters,
        "per_minute": [
            {"minute": minute, "coins": entry[0], "donations": entry[1]}
            for minute, entry in sorted(minutes.items())
        ],
    }


@pytest.mark.parametrize(("event", "coins_per_usd", "share_bps"), EVENTS)
def test_every_figure_of_the_replay_report_equals_the_raw_log(
    event: str, coins_per_usd: int, share_bps: int, tmp_path: Path
) -> None:
    donations = log_file(f"{event}_donations.csv")
    runs = log_file(f"{event}_runs.csv")
    arguments = ["replay", "--format", "gdq", str(donations)]
    if runs.exists():
        arguments += ["--runs", str(runs)]
    arguments += [
        "--coins-per-usd",
        str(coins_per_usd),
        "--share-bps",
        str(share_bps),
        "--report-json",
        str(tmp_path / "report.json"),
        "--report-html",
        str(tmp_path / "report.html"),
        "--database",
        str(tmp_path / "replay.db"),
    ]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    expected = expected_report(
        read_rows(donations), read_runs(runs) if runs.exists() else [], coins_per_usd, share_bps
    )
    assert Fraction(str(report["diamonds_total"])) == expected.pop("diamonds_total")
    for key, value in expected.items():
        assert report[key] == value, key
    assert report["refused"] == {}
    assert report["reconciled"] is True
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert html.count('data-series="coins"') == len(expected["per_minute"])
    shutil.rmtree(tmp_path / "payouts", ignore_errors=True)


def test_rows_out_of_time_order_replay_in_time_order(tmp_path: Path) -> None:
    """sgdq2016's file is not sorted; the same rows reversed give the same report."""
    source = GDQ / "cgdq_donations.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    shuffled = tmp_path / "cgdq_donations.csv"
    shuffled.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    reports = []
    for name, path in (("sorted", source), ("reversed", shuffled)):
        out = tmp_path / f"{name}.json"
        arguments = ["replay", str(path), "--report-json", str(out)]
        arguments += ["--database", str(tmp_path / f"{name}.db")]
        assert CliRunner().invoke(app, arguments).exit_code == 0
        report = json.loads(out.read_text(encoding="utf-8"))
        reports.append({k: v for k, v in report.items() if k not in {"database", "session_report"}})
    # Anonymous viewers are named by their line, so only their order differs.
    assert reports[0] == reports[1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("event,donor_id,time_utc\nx,d_1,2015-01-01T00:00:00Z\n", "no column amount_usd_cents"),
        ("donor_id,time_utc,amount_usd_cents\nd_1,yesterday,100\n", "line 2"),
        ("donor_id,time_utc,amount_usd_cents\nd_1,2015-01-01T00:00:00Z,-5\n", "negative"),
        ("donor_id,time_utc,amount_usd_cents\nd_1,2015-01-01T00:00:00,5\n", "time zone"),
    ],
)
def test_a_bad_log_is_refused_with_its_line_and_writes_nothing(
    content: str, message: str, tmp_path: Path
) -> None:
    log = tmp_path / "bad.csv"
    log.write_text(content, encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["replay", str(log), "--report-json", str(out)])
    assert result.exit_code == 2
    assert "replay_input_invalid" in result.output
    assert message in " ".join(result.output.split())  # Rich wraps long lines
    assert not out.exists()


def test_a_missing_log_and_a_used_database_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    missing = CliRunner().invoke(
        app, ["replay", str(tmp_path / "nope.csv"), "--report-json", str(out)]
    )
    assert missing.exit_code == 2
    used = tmp_path / "used.db"
    used.write_bytes(b"")
    source = str(GDQ / "cgdq_donations.csv")
    again = CliRunner().invoke(
        app, ["replay", source, "--report-json", str(out), "--database", str(used)]
    )
    assert again.exit_code == 2
    assert "replay_database_exists" in again.output
    assert not out.exists()
