"""``giftflow bench http`` and ``giftflow bench ws``: a real server, driven from other
processes, its books checked after the run."""

from __future__ import annotations

from typing import Annotated

import typer

from giftflow.bench.abuse import AbuseOptions, AbuseResult, bench_abuse
from giftflow.bench.books import BooksCheck
from giftflow.bench.http import HttpBenchOptions, HttpBenchResult, bench_http
from giftflow.bench.kill import KillReport
from giftflow.bench.wrk import Measure
from giftflow.bench.ws import DEFAULT_REDIS_URL, WsBenchOptions, WsBenchResult, bench_ws
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

Rows = list[tuple[str, str]]


def http_command(
    backend: BackendOption = Backend.SQLITE,
    workers: WorkersOption = 1,
    duration_s: DurationOption = 10.0,
    connections: Annotated[
        int, typer.Option(min=1, max=10_000, help="wrk connections: /health and single gifts.")
    ] = 64,
    batch_size: Annotated[int, typer.Option(min=1, max=1_000, help="Gifts per batch.")] = 500,
    batch_connections: Annotated[
        int, typer.Option(min=1, max=1_000, help="wrk connections for batches.")
    ] = 8,
    ledger_gifts: Annotated[
        int, typer.Option(min=1_000, help="Gifts for the same run's bench ledger.")
    ] = 50_000,
    kill: Annotated[
        int, typer.Option("--kill", min=0, max=100, help="SIGKILL the server K times mid-burst.")
    ] = 0,
    webhook: Annotated[
        bool,
        typer.Option(
            "--webhook", help="Single gifts again with a webhook endpoint subscribed (loopback)."
        ),
    ] = False,
    abuse: Annotated[
        bool,
        typer.Option(
            "--abuse",
            help="Instead: one key sends 10x its rate limit while others send at half"
            " theirs; their p99 against an idle server's.",
        ),
    ] = False,
    rate_limit: Annotated[
        float, typer.Option(min=1, help="--abuse: every key's writes a second.")
    ] = 20.0,
    postgres_url: PostgresUrl = DEFAULT_POSTGRES_URL,
    as_json: JsonOption = False,
) -> None:
    """A real giftflow serve driven by wrk: /health, single gifts, batches; books checked.
    With --abuse: the rate limits against one abusive key."""
    if abuse:
        _abuse(backend, workers, duration_s, rate_limit, postgres_url, as_json=as_json)
        return
    options = HttpBenchOptions(
        backend=backend.value,
        workers=workers,
        duration_s=duration_s,
        connections=connections,
        batch_size=batch_size,
        batch_connections=batch_connections,
        ledger_gifts=ledger_gifts,
        kills=kill,
        webhook=webhook,
        postgres_url=postgres_url,
    )
    run_served_bench(
        f"[bold]giftflow bench http[/bold]: {backend}, {workers} worker(s) …",
        lambda: bench_http(options),
        show=_print_http,
        backend=backend,
        workers=workers,
        as_json=as_json,
    )


def _abuse(
    backend: Backend,
    workers: int,
    duration_s: float,
    rate_limit: float,
    postgres_url: str,
    *,
    as_json: bool,
) -> None:
    options = AbuseOptions(
        backend=backend.value,
        workers=workers,
        duration_s=duration_s,
        rate_limit_per_s=rate_limit,
        postgres_url=postgres_url,
    )
    run_served_bench(
        f"[bold]giftflow bench http --abuse[/bold]: {backend}, {rate_limit:g} writes/s a key …",
        lambda: bench_abuse(options),
        show=_print_abuse,
        backend=backend,
        workers=workers,
        as_json=as_json,
    )


def _print_abuse(result: AbuseResult) -> None:
    def answers(statuses: dict[str, int]) -> str:
        return ", ".join(f"{n:,} x {status}" for status, n in statuses.items())

    rows = [
        ("server", f"{result.backend}, {result.workers} worker(s)"),
        ("every key's limit, writes/s", f"{result.rate_limit_per_s:g} (burst: 1 s of it)"),
        ("normal keys x gifts/s each", f"{result.normal_keys} x {result.normal_rate_per_s:g}"),
        ("abuser, gifts/s asked", f"{result.abuser_rate_per_s:g}"),
        ("normal keys alone, p50 / p99", f"{result.idle.p50_ms:.1f} / {result.idle.p99_ms:.1f} ms"),
        ("normal keys alone, answers", answers(result.idle.statuses)),
        (
            "normal keys beside the abuser, p50 / p99",
            f"{result.abused.p50_ms:.1f} / {result.abused.p99_ms:.1f} ms",
        ),
        ("normal keys beside the abuser, answers", answers(result.abused.statuses)),
        ("abuser's answers", answers(result.abuser_statuses)),
        ("p99 beside the abuser / alone", f"{result.p99_ratio:.2f} (target <= 2)"),
        ("verdict", "met" if result.ok else "NOT met"),
    ]
    print_measures(f"abuse bench, {result.duration_s:g} s per phase", rows)


def ws_command(
    backend: BackendOption = Backend.SQLITE,
    workers: WorkersOption = 1,
    subscribers: Annotated[
        int, typer.Option(min=1, max=20_000, help="WebSockets listening to the room.")
    ] = 1_000,
    rate: Annotated[float, typer.Option(min=1, help="Gift events a second, asked.")] = 100.0,
    duration_s: DurationOption = 10.0,
    redis_url: Annotated[
        str,
        typer.Option(
            envvar="GIFTFLOW_BENCH_REDIS_URL",
            help="The event bus when --workers is above 1 (a Redis database of its own).",
        ),
    ] = DEFAULT_REDIS_URL,
    postgres_url: PostgresUrl = DEFAULT_POSTGRES_URL,
    as_json: JsonOption = False,
) -> None:
    """One room's WebSockets while gifts are sent at a rate: frames, order, latency."""
    options = WsBenchOptions(
        backend=backend.value,
        workers=workers,
        subscribers=subscribers,
        rate_per_s=rate,
        duration_s=duration_s,
        redis_url=redis_url,
        postgres_url=postgres_url,
    )
    run_served_bench(
        f"[bold]giftflow bench ws[/bold]: {subscribers} subscribers, {rate:g} gifts/s …",
        lambda: bench_ws(options),
        show=_print_ws,
        backend=backend,
        workers=workers,
        as_json=as_json,
    )


def _print_http(result: HttpBenchResult) -> None:
    single, batch = f"{result.connections} conn.", f"{result.batch_connections} conn."
    rows = [
        ("server", f"{result.backend}, {result.workers} worker(s)"),
        *_measure_rows("GET /health", result.health, single),
        *_measure_rows("POST /v1/gifts", result.gift, single),
        ("single gift / health", f"{result.gift_vs_health:.1%}"),
        *_webhook_rows(result, single),
        *_measure_rows(f"POST /v1/gifts/batch x{result.batch_size}", result.batch, batch),
        ("batch, gifts/s", f"{result.batch.gifts_per_s:,.0f}"),
        ("bench ledger, gifts/s (same run)", f"{result.ledger_gifts_per_s:,.0f}"),
        ("batch / ledger", f"{result.batch_vs_ledger:.1%}"),
        *_books_rows(result.books),
    ]
    print_measures(f"http bench, {result.duration_s:g} s per measurement", rows)
    if result.kill is not None:
        _print_kill(result.kill)


def _webhook_rows(result: HttpBenchResult, load: str) -> Rows:
    hooked = result.webhook
    if hooked is None:
        return []
    return [
        *_measure_rows("POST /v1/gifts, webhook outbox only", hooked.outbox, load),
        ("outbox only / without (runs either side)", f"{hooked.outbox_vs_without:.1%}"),
        ("outbox only, server CPU a gift / without", f"{hooked.outbox_cpu_vs_without:.1%}"),
        *_measure_rows("POST /v1/gifts, the server's delivery child", hooked.delivering, load),
        ("server's child / without (runs either side)", f"{hooked.delivering_vs_without:.1%}"),
        ("server's child, server CPU a gift / without", f"{hooked.delivering_cpu_vs_without:.1%}"),
        ("server's child: its CPU a delivery", f"{hooked.child_cpu_us_per_delivery:,.0f} us"),
        ("server's child: webhooks delivered", f"{hooked.delivered:,}"),
        *_measure_rows("POST /v1/gifts, worker in its own process", hooked.separate, load),
        ("own process / without (runs either side)", f"{hooked.separate_vs_without:.1%}"),
        ("own process, server CPU a gift / without", f"{hooked.separate_cpu_vs_without:.1%}"),
        ("own process: its CPU a delivery", f"{hooked.worker_cpu_us_per_delivery:,.0f} us"),
        ("own process: webhooks delivered", f"{hooked.delivered_separate:,}"),
        *_measure_rows("POST /v1/gifts, endpoint disabled (1)", hooked.between[0], load),
        *_measure_rows("POST /v1/gifts, endpoint disabled (2)", hooked.between[1], load),
        *_measure_rows("POST /v1/gifts, endpoint disabled (3)", hooked.gift_after, load),
    ]


def _measure_rows(name: str, measure: Measure, load: str) -> Rows:
    answers = ", ".join(f"{n:,} x {status}" for status, n in sorted(measure.statuses.items()))
    errors = sum(measure.errors.values())
    return [
        (f"{name}, req/s ({load})", f"{measure.requests_per_s:,.0f}"),
        (f"{name}, p50 / p99", f"{measure.p50_ms:.1f} / {measure.p99_ms:.1f} ms"),
        (f"{name}, answers", answers + (f"; {errors} socket errors" if errors else "")),
        (f"{name}, server CPU a request", f"{measure.server_cpu_us_per_request:,.0f} us"),
    ]


def _books_rows(books: BooksCheck) -> Rows:
    in_flight = f"{books.in_flight_coins:,} (at most {books.in_flight_coins_max:,})"
    return [
        ("coins spent by the viewers", f"{books.coins_spent:,}"),
        ("= acknowledged gifts' coins", f"{books.acknowledged_coins:,}"),
        ("+ booked, unanswered (in flight)", in_flight),
        ("gifts charged twice", f"{books.doubled}"),
        ("keys left in use (status 0)", f"{books.stuck_keys}"),
        ("reconciled (giftflow reconcile)", yes_no(books.reconciled)),
        ("books check", "passed" if books.ok else "FAILED"),
    ]


def _print_kill(report: KillReport) -> None:
    rows = [
        ("requests (single gifts)", f"{report.requests:,}"),
        ("acknowledged during the burst", f"{report.acknowledged:,}"),
        ("unanswered, retried with their own key", f"{report.unanswered:,}"),
        ("  retry booked it now", f"{report.retried_done:,}"),
        ("  retry got the first answer", f"{report.retried_first_answer:,}"),
        ("  retry found the key in use (409)", f"{report.retried_in_use:,}"),
        ("    of which the gift had been booked", f"{report.in_use_booked:,}"),
        ("  retry got something else", f"{report.retried_other:,}"),
        ("answered, replay not the first answer", f"{report.replays_differ:,}"),
        ("acknowledged-lost", f"{report.acknowledged_lost}"),
        ("doubled", f"{report.doubled}"),
        ("stuck keys (status 0 after the restart)", f"{report.stuck_keys}"),
        ("wallets paid exactly the booked gifts", yes_no(report.coins_consistent)),
        ("reconciled (giftflow reconcile)", yes_no(report.reconciled)),
        ("verdict", "clean" if report.ok else "NOT clean"),
    ]
    print_measures(f"SIGKILL x{report.kills} mid-burst, then retries", rows)


def _print_ws(result: WsBenchResult) -> None:
    driven, frames = result.driven, result.frames
    rows = [
        ("server", f"{result.backend}, {result.workers} worker(s), {result.bus} bus"),
        ("gifts/s asked", f"{result.rate_asked_per_s:,.0f} for {result.duration_s:g} s"),
        ("gifts/s booked", f"{driven.booked_per_s:,.1f} ({result.booked_vs_asked:.1%})"),
        ("gift answer p50 / p99", f"{driven.answer_p50_ms:.1f} / {driven.answer_p99_ms:.1f} ms"),
        ("subscribers", f"{frames.subscribers:,} ({frames.caught_up:,} got the last event)"),
        ("frames expected", f"{frames.expected:,}"),
        ("frames delivered", f"{frames.delivered:,}"),
        ("frames in order", f"{frames.in_order:,}"),
        ("resyncs / closed early", f"{frames.resyncs} / {sum(frames.close_codes.values())}"),
        ("delivery p50 / p99", f"{frames.latency_p50_ms:.1f} / {frames.latency_p99_ms:.1f} ms"),
        ("delivery max", f"{frames.latency_max_ms:.1f} ms"),
        *_books_rows(result.books),
    ]
    print_measures("ws bench, one room", rows)
