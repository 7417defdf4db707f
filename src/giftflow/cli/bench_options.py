"""What the ``giftflow bench`` commands share: options, one way to run a bench and
report it (a table, or one JSON object), and the table printer."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Protocol, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from giftflow.errors import GiftflowError
from giftflow.service.runtime import tune_gc

console = Console()


class Backend(StrEnum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"


BackendOption = Annotated[Backend, typer.Option(help="Store to measure.")]
PostgresUrl = Annotated[
    str,
    typer.Option(
        envvar="GIFTFLOW_BENCH_POSTGRES_URL",
        help="Server to create the bench databases on (postgres backend).",
    ),
]
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
WorkersOption = Annotated[
    int, typer.Option(min=1, max=64, help="Server processes (giftflow serve --workers).")
]
DurationOption = Annotated[
    float, typer.Option("--duration", min=1, help="Seconds of load, per measurement.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


class BenchResult(Protocol):
    def as_dict(self) -> dict[str, object]: ...


R = TypeVar("R", bound=BenchResult)


def run_bench(
    heading: str,
    measure: Callable[[], R],
    *,
    show: Callable[[R], None],
    passed: Callable[[R], bool],
    as_json: bool,
) -> None:
    """Measure, print the result (``show`` or JSON); exit 1 when it did not pass (its
    books), 2 on a ``GiftflowError`` (a server that would not start, no wrk …)."""
    tune_gc()
    if not as_json:
        console.print(heading)
    try:
        result = measure()
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    if as_json:
        print(json.dumps(result.as_dict()))
    else:
        show(result)
    if not passed(result):
        raise typer.Exit(1)


class ServedResult(BenchResult, Protocol):
    @property
    def ok(self) -> bool: ...


S = TypeVar("S", bound=ServedResult)


def run_served_bench(
    heading: str,
    measure: Callable[[], S],
    *,
    show: Callable[[S], None],
    backend: Backend,
    workers: int,
    as_json: bool,
) -> None:
    """``run_bench`` for a bench of a real server: refused on SQLite with more than one
    worker, passed when the result is ``ok``."""
    refuse_sqlite_workers(backend, workers)
    run_bench(heading, measure, show=show, passed=lambda result: result.ok, as_json=as_json)


def refuse_sqlite_workers(backend: Backend, workers: int) -> None:
    if backend is Backend.SQLITE and workers > 1:
        console.print(
            "[red]error[/red] --workers above 1 needs --backend postgres: SQLite allows one"
            " writer process (docs/scaling.md#server-processes)"
        )
        raise typer.Exit(2)


def print_measures(title: str, rows: list[tuple[str, str]]) -> None:
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def yes_no(value: bool) -> str:
    return "yes" if value else "NO"
