"""``giftflow bench bio``: the link-in-bio page's req/s against ``GET /health``'s, on one
real server, with the views it counted checked against the page's answers."""

from __future__ import annotations

from typing import Annotated

import typer

from giftflow.bench.bio import TARGET, BioBenchOptions, BioBenchResult, bench_bio
from giftflow.bench.wrk import Measure
from giftflow.cli.bench_options import (
    DEFAULT_POSTGRES_URL,
    Backend,
    BackendOption,
    DurationOption,
    JsonOption,
    PostgresUrl,
    WorkersOption,
    print_measures,
    run_served_bench,
    yes_no,
)


def bio_command(
    backend: BackendOption = Backend.SQLITE,
    workers: WorkersOption = 1,
    duration_s: DurationOption = 10.0,
    connections: Annotated[int, typer.Option(min=1, max=10_000, help="wrk connections.")] = 64,
    postgres_url: PostgresUrl = DEFAULT_POSTGRES_URL,
    as_json: JsonOption = False,
) -> None:
    """GET /health, the bio page, /health again, then the page drawn on every view:
    req/s and the ratios; exit 1 if a view answered is not stored (or more are stored than sent)."""
    options = BioBenchOptions(
        backend=backend.value,
        workers=workers,
        duration_s=duration_s,
        connections=connections,
        postgres_url=postgres_url,
    )
    run_served_bench(
        f"[bold]giftflow bench bio[/bold]: {backend}, {workers} worker(s) …",
        lambda: bench_bio(options),
        show=_print,
        backend=backend,
        workers=workers,
        as_json=as_json,
    )


def _rate(measure: Measure) -> str:
    return f"{measure.requests_per_s:,.0f} (p99 {measure.p99_ms:.1f} ms)"


def _print(result: BioBenchResult) -> None:
    rows = [
        ("GET /health, req/s", _rate(result.health_before)),
        ("GET /b/<slug>, req/s", _rate(result.page)),
        ("GET /health again, req/s", _rate(result.health_after)),
        ("GET /b/<slug> drawn every view, req/s", _rate(result.page_uncached)),
        ("page / health", f"{result.page_vs_health:.2f}"),
        ("page drawn every view / health", f"{result.uncached_vs_health:.2f}"),
        (f"target page / health >= {TARGET:.2f}", yes_no(result.meets_target)),
        (
            "views answered / stored / sent",
            f"{result.views_answered:,} / {result.views_stored:,} / {result.views_sent:,}",
        ),
        ("every view counted", yes_no(result.counted)),
    ]
    print_measures(f"bio bench, {result.backend}", rows)
