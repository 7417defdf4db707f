"""``giftflow bench``: throughput and latency, as ratios against a same-run baseline."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from giftflow.bench.ledger import LedgerBenchResult, bench_ledger
from giftflow.bench.replay import ReplayBenchResult, bench_replay
from giftflow.errors import GiftflowError
from giftflow.service.runtime import tune_gc

app = typer.Typer(help="Benchmarks (figures and ratios against a baseline).", no_args_is_help=True)
console = Console()


class Backend(StrEnum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"


@app.command("ledger")
def ledger(
    backend: Annotated[Backend, typer.Option(help="Store to measure.")] = Backend.SQLITE,
    gifts: Annotated[int, typer.Option(min=1, help="Gifts (linked pairs) to send.")] = 200_000,
    clients: Annotated[
        int, typer.Option(min=1, help="Concurrent callers, each awaiting its answer.")
    ] = 1024,
    gifts_per_request: Annotated[
        int, typer.Option(min=1, max=4095, help="Gifts per request (1 = single gifts).")
    ] = 1,
    naive_gifts: Annotated[
        int, typer.Option(min=1, help="Gifts for the one-transaction-per-gift baseline.")
    ] = 2_000,
    postgres_url: Annotated[
        str,
        typer.Option(
            envvar="GIFTFLOW_BENCH_POSTGRES_URL",
            help="Server to create the bench databases on (postgres backend).",
        ),
    ] = "postgresql://postgres@127.0.0.1:5432/postgres",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """N gifts from 10,000 funded wallets into ONE creator: engine vs naive baseline."""
    tune_gc()
    if not as_json:
        console.print(f"[bold]giftflow bench ledger[/bold]: {gifts} gifts on {backend} …")
    result = bench_ledger(
        backend=backend.value,
        gifts=gifts,
        clients=clients,
        per_request=gifts_per_request,
        naive_gifts=min(naive_gifts, gifts),
        postgres_url=postgres_url,
    )
    if as_json:
        print(json.dumps(result.as_dict()))
    else:
        _print(result)
    if not result.reconciled:
        raise typer.Exit(1)


def _print(result: LedgerBenchResult) -> None:
    rows = [
        ("gifts", f"{result.gifts:,}"),
        ("callers x gifts per request", f"{result.clients} x {result.gifts_per_request}"),
        ("engine, gifts/s (durable)", f"{result.engine_gifts_per_s:,.0f}"),
        ("engine batches", f"{result.engine_batches:,}"),
        ("naive baseline, gifts/s", f"{result.naive_gifts_per_s:,.0f}"),
        ("ratio engine / naive", f"{result.ratio:.1f}x"),
        ("submit to durable answer p50", f"{result.p50_ms:.2f} ms"),
        ("submit to durable answer p99", f"{result.p99_ms:.2f} ms"),
        ("peak RSS", f"{result.peak_rss_mb:.0f} MB"),
        ("reconciled", "yes" if result.reconciled else "NO"),
    ]
    _print_measures(f"ledger bench, {result.backend}", rows)


def _print_measures(title: str, rows: list[tuple[str, str]]) -> None:
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


@app.command("replay")
def replay(
    donations: Annotated[
        Path, typer.Argument(dir_okay=False, help="A GDQ donation log (CSV).", show_default=False)
    ],
    runs: Annotated[
        Path | None, typer.Option("--runs", dir_okay=False, help="Its schedule (chapters).")
    ] = None,
    baseline_donations: Annotated[
        int, typer.Option(min=1, help="Donations for the one-call-each baseline.")
    ] = 2_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """A donation log replayed batched, against the same donations one call at a time."""
    tune_gc()
    if not as_json:
        console.print(f"[bold]giftflow bench replay[/bold]: {donations} …")
    try:
        result = bench_replay(donations, runs, baseline_donations=baseline_donations)
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    if as_json:
        print(json.dumps(result.as_dict()))
    else:
        _print_replay(result)
    if not result.reconciled:
        raise typer.Exit(1)


def _print_replay(result: ReplayBenchResult) -> None:
    rows = [
        ("donations", f"{result.donations:,}"),
        ("viewers (each registered and funded)", f"{result.viewers:,}"),
        ("batched replay", f"{result.batched_s:.1f} s"),
        ("batched, donations/s", f"{result.batched_donations_per_s:,.0f}"),
        ("baseline (one call each), donations", f"{result.baseline_donations:,}"),
        ("baseline, donations/s", f"{result.baseline_donations_per_s:,.0f}"),
        ("ratio batched / baseline", f"{result.ratio:.1f}x"),
        ("peak RSS", f"{result.peak_rss_mb:.0f} MB"),
        ("reconciled", "yes" if result.reconciled else "NO"),
    ]
    _print_measures(f"replay bench, {result.event}", rows)
