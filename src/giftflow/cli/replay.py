"""``giftflow replay``: a recorded donation log replayed as a LIVE, and its report.

    giftflow replay --format gdq DONATIONS.csv [--runs RUNS.csv] [--coins-per-usd 100]
        [--share-bps 5000] --report-json OUT.json [--report-html OUT.html]

The economy lives in a SQLite file (``--database``, default a new temporary folder);
see docs/replay.md for how donations become viewers, coins and gifts.
"""

from __future__ import annotations

import json
import tempfile
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from giftflow.errors import GiftflowError
from giftflow.render.report_page import render_report
from giftflow.replay.report import replay_report
from giftflow.replay.run import Replay, ReplayOptions, ReplayProgress, open_world
from giftflow.replay.source import event_name, read_donations, read_runs
from giftflow.service.analytics import Analytics
from giftflow.service.events import InProcessBus
from giftflow.service.live import Live

console = Console()
DATABASE_NAME = "giftflow-replay.db"


class ReplayDatabaseError(GiftflowError):
    """The replay's database file exists: a replay starts from an empty economy."""

    code = "replay_database_exists"


class LogFormat(StrEnum):
    GDQ = "gdq"


DonationsFile = Annotated[
    Path, typer.Argument(dir_okay=False, help="The donation log (CSV).", show_default=False)
]
Format = Annotated[LogFormat, typer.Option("--format", help="The log's format.")]
RunsFile = Annotated[
    Path | None,
    typer.Option("--runs", dir_okay=False, help="The schedule: each run becomes a chapter."),
]
CoinsPerUsd = Annotated[
    int, typer.Option("--coins-per-usd", min=1, help="Coins one donated US dollar buys.")
]
ShareBps = Annotated[
    int,
    typer.Option("--share-bps", min=1, max=10_000, help="The creator's share, as diamonds."),
]
ReportJson = Annotated[
    Path, typer.Option("--report-json", dir_okay=False, help="Where to write the JSON report.")
]
ReportHtml = Annotated[
    Path | None,
    typer.Option("--report-html", dir_okay=False, help="Where to write the HTML report."),
]
Database = Annotated[
    Path | None,
    typer.Option(
        "--database",
        dir_okay=False,
        help="The SQLite file to replay into (new; default: in a new temporary folder).",
    ),
]


def replay_command(
    donations_file: DonationsFile,
    report_json: ReportJson,
    log_format: Format = LogFormat.GDQ,
    runs_file: RunsFile = None,
    coins_per_usd: CoinsPerUsd = 100,
    share_bps: ShareBps = 5_000,
    report_html: ReportHtml = None,
    database: Database = None,
) -> None:
    """Replay a real donation log as one creator's LIVE and write its report."""
    started = time.perf_counter()
    options = ReplayOptions(coins_per_usd=coins_per_usd, share_bps=share_bps)
    try:
        report, page = _replay(donations_file, runs_file, options, database)
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    _write(report_json, json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    if report_html is not None:
        _write(report_html, render_report(page))
    _print_summary(report, report_json, report_html)
    console.print(f"replay finished in {time.perf_counter() - started:.1f} s")
    if report["refused"] or not report["reconciled"]:
        raise typer.Exit(1)


def _replay(
    donations_file: Path, runs_file: Path | None, options: ReplayOptions, database: Path | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    donations = read_donations(donations_file)
    runs = read_runs(runs_file) if runs_file is not None else []
    event = event_name(donations_file)
    path = database or Path(tempfile.mkdtemp(prefix="giftflow-replay-")) / DATABASE_NAME
    if path.exists():
        raise ReplayDatabaseError(f"{path} exists: replay into a new database file")
    path.parent.mkdir(parents=True, exist_ok=True)
    console.print(f"Replaying {len(donations):,} donations of {event} into {path}")
    first = min([d.at_ns for d in donations[:1]] + [r.start_ns for r in runs[:1]], default=0)
    with open_world(path, options, first) as world, _progress() as progress:
        tasks: dict[str, Any] = {}

        def advance(step: ReplayProgress) -> None:
            if step.stage not in tasks:
                tasks[step.stage] = progress.add_task(step.stage, total=step.total)
            progress.update(tasks[step.stage], completed=step.done)

        live = Live.open(world.economy, InProcessBus())
        result = Replay(world, options, advance).run(donations, runs, name=event, live=live)
        report, page = replay_report(Analytics.of(live), result, options, event=event)
        report["reconciled"] = world.economy.reconcile().ok
        report["database"] = str(path)
    return report, page


def _progress() -> Progress:
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    return Progress(*columns, console=console)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        console.print(f"[red]error[/red] cannot write {path}: {error.strerror}")
        raise typer.Exit(2) from error


def _print_summary(report: dict[str, Any], json_path: Path, html_path: Path | None) -> None:
    table = Table(title=f"{report['event']}: the LIVE's report")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in ("donations", "coins_total", "gifters_unique", "diamonds_total"):
        table.add_row(key, f"{report[key]:,}")
    table.add_row("peak_coins_per_minute", f"{report['peak_coins_per_minute']:,}")
    table.add_row("chapters", f"{len(report['chapters']):,}")
    table.add_row("refused gift events", f"{sum(report['refused'].values()):,}")
    table.add_row("reconciled", "yes" if report["reconciled"] else "[red]NO[/red]")
    console.print(table)
    if report["top_supporters"]:
        top = report["top_supporters"][0]
        console.print(f"top supporter: {top['viewer']} with {top['coins']:,} coins")
    console.print(f"JSON report: {json_path}")
    if html_path is not None:
        console.print(f"HTML report: {html_path}")
