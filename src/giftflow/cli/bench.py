"""``giftflow bench``: throughput and latency, as ratios against a same-run baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from giftflow.bench.ledger import LedgerBenchResult, bench_ledger
from giftflow.bench.milestones import MilestoneBenchResult, bench_milestones
from giftflow.bench.promote import PRICE_PER_1000, PromoteBenchResult, bench_promote
from giftflow.bench.promote_door import DoorResult
from giftflow.bench.replay import ReplayBenchResult, bench_replay
from giftflow.cli import bench_bio, bench_serving
from giftflow.cli.bench_options import (
    DEFAULT_POSTGRES_URL,
    Backend,
    BackendOption,
    JsonOption,
    PostgresUrl,
    print_measures,
    run_bench,
    yes_no,
)

app = typer.Typer(help="Benchmarks (figures and ratios against a baseline).", no_args_is_help=True)
app.command("http")(bench_serving.http_command)
app.command("ws")(bench_serving.ws_command)
app.command("bio")(bench_bio.bio_command)


@app.command("ledger")
def ledger(
    backend: BackendOption = Backend.SQLITE,
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
    postgres_url: PostgresUrl = DEFAULT_POSTGRES_URL,
    as_json: JsonOption = False,
) -> None:
    """N gifts from 10,000 funded wallets into ONE creator: engine vs naive baseline."""
    run_bench(
        f"[bold]giftflow bench ledger[/bold]: {gifts} gifts on {backend} …",
        lambda: bench_ledger(
            backend=backend.value,
            gifts=gifts,
            clients=clients,
            per_request=gifts_per_request,
            naive_gifts=min(naive_gifts, gifts),
            postgres_url=postgres_url,
        ),
        show=_print,
        passed=lambda result: result.reconciled,
        as_json=as_json,
    )


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
        ("reconciled", yes_no(result.reconciled)),
    ]
    print_measures(f"ledger bench, {result.backend}", rows)


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
    as_json: JsonOption = False,
) -> None:
    """A donation log replayed batched, against the same donations one call at a time."""
    run_bench(
        f"[bold]giftflow bench replay[/bold]: {donations} …",
        lambda: bench_replay(donations, runs, baseline_donations=baseline_donations),
        show=_print_replay,
        passed=lambda result: result.reconciled,
        as_json=as_json,
    )


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
        ("reconciled", yes_no(result.reconciled)),
    ]
    print_measures(f"replay bench, {result.event}", rows)


@app.command("promote")
def promote(
    promotions: Annotated[
        int, typer.Option(min=1, max=100_000, help="Concurrent promotions to pace.")
    ] = 1_000,
    viewers: Annotated[int, typer.Option(min=100, help="Simulated viewers.")] = 20_000,
    price: Annotated[
        int,
        typer.Option(
            min=1,
            max=1_000_000,
            help="Coins per 1,000 billed impressions (the default: 10 coins an impression,"
            " 50 to 300 impressions a promotion).",
        ),
    ] = PRICE_PER_1000,
    door: Annotated[
        int,
        typer.Option(
            min=0,
            max=1_000_000,
            help="Then this many fills through the door (POST /v1/promote/fill to a real"
            " server over as many promotions), timed by the client's wall clock.",
        ),
    ] = 0,
    as_json: JsonOption = False,
) -> None:
    """N promotions paced against a simulated feed (a real diurnal curve), money through
    the ledger: pacing error, hourly RMSE (and its whole-impression floor), overspend,
    delivery, cap violations, the fill decision's p50/p99 in process (CPU time and wall
    clock), and with --door the fill's p50/p99 through HTTP."""
    run_bench(
        f"[bold]giftflow bench promote[/bold]: {promotions} promotions …",
        lambda: bench_promote(
            promotions=promotions, viewers=viewers, price_per_1000_coins=price, door_fills=door
        ),
        show=_print_promote,
        passed=lambda result: result.reconciled and result.overspent_coins == 0,
        as_json=as_json,
    )


def _print_promote(result: PromoteBenchResult) -> None:
    print_measures(
        "promote",
        [
            ("promotions", f"{result.promotions:,}"),
            ("feed requests", f"{result.requests:,} ({result.bot_requests:,} bots, filtered)"),
            ("impressions served / billed", f"{result.served:,} / {result.billed:,}"),
            ("pacing error, worst (% of budget)", f"{result.pacing_error_max_pct}"),
            ("hourly RMSE, worst (% of slot budget)", f"{result.slot_rmse_max_pct}"),
            (
                "hourly RMSE of an ideal whole-impression pacer, worst (%)",
                f"{result.slot_rmse_floor_max_pct}",
            ),
            ("impressions a slot buys, fewest", f"{result.impressions_per_slot_min}"),
            ("overspent coins", f"{result.overspent_coins}"),
            ("budget delivered (%)", f"{result.delivered_pct}"),
            ("frequency-cap violations", f"{result.cap_violations}"),
            (
                "fill decision p50 / p99, in process, CPU time (ms)",
                f"{result.fill_cpu_p50_ms} / {result.fill_cpu_p99_ms}",
            ),
            (
                "fill decision p50 / p99, in process, wall clock (ms)",
                f"{result.fill_p50_ms} / {result.fill_p99_ms}",
            ),
            *_door_rows(result.door),
            ("reconciled", yes_no(result.reconciled)),
            ("seconds", f"{result.seconds}"),
        ],
    )


@app.command("milestones")
def milestones(
    gifts: Annotated[int, typer.Option(min=1, help="Single gifts per arm and round.")] = 3_000,
    viewers: Annotated[int, typer.Option(min=1, help="Viewers sending them.")] = 10,
    rounds: Annotated[int, typer.Option(min=1, help="Rounds; each arm's best counts.")] = 2,
    as_json: JsonOption = False,
) -> None:
    """Single gifts in a LIVE: LIVE alone, with the milestone watcher and no channel,
    and with a channel posting supporter levels; ratios against LIVE alone."""
    run_bench(
        f"[bold]giftflow bench milestones[/bold]: {gifts} gifts per arm …",
        lambda: bench_milestones(gifts=gifts, viewers=viewers, rounds=rounds),
        show=_print_milestones,
        passed=lambda result: result.exact,
        as_json=as_json,
    )


def _print_milestones(result: MilestoneBenchResult) -> None:
    print_measures(
        "milestones",
        [
            ("gifts per arm (single calls)", f"{result.gifts:,} from {result.viewers} viewers"),
            ("LIVE alone, gifts/s", f"{result.baseline_gifts_per_s:,.0f}"),
            ("watcher, no channel, gifts/s", f"{result.watching_gifts_per_s:,.0f}"),
            ("watcher, a channel posting, gifts/s", f"{result.posting_gifts_per_s:,.0f}"),
            ("ratio watcher / alone", f"{result.watching_ratio:.2f}"),
            ("ratio posting / alone", f"{result.posting_ratio:.2f}"),
            ("posts (expected)", f"{result.posts} ({result.posts_expected})"),
        ],
    )


def _door_rows(door: DoorResult | None) -> list[tuple[str, str]]:
    if door is None:
        return []
    return [
        (
            f"fill through the door p50 / p99, wall clock (ms; {door.fills:,} fills)",
            f"{door.fill_door_p50_ms} / {door.fill_door_p99_ms}",
        ),
        ("  placements served through the door", f"{door.served:,}"),
    ]
