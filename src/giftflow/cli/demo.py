"""``giftflow demo``: a real live stream replayed on the embedded default, end to end.

Nothing to install: a SQLite file in a fresh temporary folder (or ``--folder``); with
``--serve`` the replay runs live behind the overlays (``giftflow.cli.demo_live``). The
replay is the one pipeline of ``giftflow.replay``, the story ``giftflow.demo``; this
module only drives them and prints figures read back from the store.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from giftflow.cli.reconcile import print_report
from giftflow.demo import (
    EVENT,
    EVENT_TITLE,
    LIVE_SESSION,
    Chapters,
    ChargebackStory,
    DemoWorld,
    PayoutStory,
    charge_back,
    live_session,
    load_donations,
    load_runs,
    pass_holding_period,
    pay_out,
)
from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.errors import GiftflowError
from giftflow.i18n import money_code, number
from giftflow.ids import GiftId
from giftflow.ledger.clock import NS_PER_S
from giftflow.render.report_page import render_report
from giftflow.replay.report import BookedFigures, booked_figures
from giftflow.replay.run import BookedDonation, ReplayProgress
from giftflow.replay.source import Donation
from giftflow.service.analytics import Analytics
from giftflow.service.events import InProcessBus
from giftflow.service.live import Live

if TYPE_CHECKING:
    from giftflow.cli.demo_live import ShowOptions, Stage

console = Console()
STATEMENT_LINES: Final = 8
CHAPTERS_SHOWN: Final = 5
CHAPTER_WIDTH: Final = 28
REPORT_JSON: Final = "report.json"
REPORT_HTML: Final = "report.html"

Folder = Annotated[
    Path | None,
    typer.Option(
        file_okay=False,
        help="Where to put the SQLite file and payout files (default: a new temporary folder).",
    ),
]
Donations = Annotated[
    int | None,
    typer.Option(min=1, help="Replay only the first N donations (default: all of them)."),
]
Seed = Annotated[
    int, typer.Option(help="Seeds the viewers' details, anonymous donors and the chargeback.")
]
Serve = Annotated[
    bool,
    typer.Option(
        "--serve",
        help="Serve the overlays and replay live, in real time scaled by --speed (docs/demo.md).",
    ),
]
Host = Annotated[str, typer.Option(help="With --serve: the interface to listen on.")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="With --serve: the port to listen on.")]
Speed = Annotated[
    float,
    typer.Option(min=0.001, help="With --serve: seconds of the recording per second of the show."),
]
Stay = Annotated[
    bool, typer.Option("--stay", help="With --serve: keep serving after the demo, until Ctrl-C.")
]
LeadIn = Annotated[
    float,
    typer.Option(
        "--lead-in", min=0, help="With --serve: seconds between the URLs and the first donation."
    ),
]


def demo_command(
    folder: Folder = None,
    donations: Donations = None,
    seed: Seed = 2012,
    serve: Serve = False,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    speed: Speed = 60.0,
    stay: Stay = False,
    lead_in_s: LeadIn = 5.0,
) -> None:
    """Replay a real live stream (SGDQ 2012) as gifts, then payout, chargeback, reconcile."""
    started = time.perf_counter()
    stream = load_donations(donations)
    chosen = folder or Path(tempfile.mkdtemp(prefix="giftflow-demo-"))
    try:
        world = DemoWorld.open(chosen, seed=seed, start_ns=stream[0].at_ns - NS_PER_S * 3600)
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    with world:
        try:
            if serve:
                from giftflow.cli.demo_live import ShowOptions  # noqa: PLC0415 (--serve only)

                options = ShowOptions(host, port, speed, stay=stay, lead_in_s=lead_in_s)
                reconciled = _run_live(world, stream, options)
            else:
                reconciled = _run(world, stream)
        except GiftflowError as error:
            console.print(f"[red]error[/red] {error.code}: {error}")
            raise typer.Exit(2) from error
    console.print(f"demo finished in {time.perf_counter() - started:.1f} s")
    if not reconciled:
        raise typer.Exit(1)


def _run_live(world: DemoWorld, stream: list[Donation], options: ShowOptions) -> bool:
    from giftflow.cli.demo_live import Stage  # noqa: PLC0415 (the server: --serve only)

    with Stage(world, stream, options, console) as stage:
        reconciled = _run(world, stream, stage)
        stage.stay()
    return reconciled


def _run(world: DemoWorld, stream: list[Donation], stage: Stage | None = None) -> bool:
    _intro(world, stream)
    world.register_creator(external_id=f"gdq:{EVENT}", display_name=EVENT_TITLE)
    if stage is None:
        live = Live.open(world.economy, InProcessBus())
        world.clock.set_ns(stream[0].at_ns)
        live.start_session(world.creator.id, title=EVENT_TITLE)
        booked = _replay(world, stream)
        world.clock.set_ns(stream[-1].at_ns + NS_PER_S)
        live.end_session(LIVE_SESSION)
        live.record_chapters(LIVE_SESSION, [(r.game, r.start_ns, r.end_ns) for r in load_runs()])
    else:
        live = stage.live
        stage.open_show(world.creator, stream)
        booked = _replay(world, stream, pace=stage.pace)
        stage.close_show()
    _print_replay(booked_figures(world.economy, booked, session_id=LIVE_SESSION))
    _print_report(world, write_report(Analytics.of(live), LIVE_SESSION, world.paths.folder))
    matured = pass_holding_period(world)
    console.rule(f"{matured.days_passed} days later: the holding period is over")
    console.print(f"{_diamonds(matured.units_matured)} diamonds matured")
    _print_earnings(world, "the creator's earnings")
    _print_statement(world)
    _print_payout(pay_out(world))
    encore = partial(live_session, live, world.creator.id)
    _print_chargeback(world, charge_back(world, encore_session=encore))
    _print_earnings(world, "the creator's earnings, in the end")
    console.rule("reconcile: every balance recomputed from the transfer log")
    report = world.economy.reconcile()
    print_report(report)
    return report.ok


def write_report(analytics: Analytics, session_id: int, folder: Path) -> ReportFiles:
    """The LIVE's post-LIVE report, as JSON and as its self-contained HTML page."""
    report = analytics.session_report(session_id)
    files = ReportFiles(report, folder / REPORT_JSON, folder / REPORT_HTML)
    files.json_path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    files.html_path.write_text(render_report(report), encoding="utf-8")
    return files


@dataclass(frozen=True, slots=True)
class ReportFiles:
    report: dict[str, Any]
    json_path: Path
    html_path: Path


def _print_report(world: DemoWorld, files: ReportFiles) -> None:
    report = files.report
    totals, velocity = report["totals"], report["velocity"]
    table = Table(title="the post-LIVE report (read back from the stored gifts)", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("coins", f"{totals['coins']:,}"),
        ("gifts", f"{totals['gifts']:,}"),
        ("gifters", f"{totals['gifters_unique']:,}"),
        ("diamonds", _diamonds(totals["diamond_units"])),
        ("peak coins in a minute", f"{velocity['peak_coins_per_minute']:,}"),
        ("mean gifts per minute", velocity["mean_gifts_per_minute"]),
    ]
    if report["top_supporters"]:
        top = report["top_supporters"][0]
        rows.append(("top supporter", f"{top['name']} ({top['coins']:,} coins)"))
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    chapters = sorted(report["chapters"], key=lambda chapter: -chapter["coins"])
    best = Table(title=f"top {CHAPTERS_SHOWN} chapters (runs) by coins gifted during the run")
    best.add_column("run")
    best.add_column("coins", justify="right")
    for chapter in chapters[:CHAPTERS_SHOWN]:
        best.add_row(chapter["title"], f"{chapter['coins']:,}")
    console.print(best)
    console.print(f"report: {files.html_path} (and {files.json_path.name})")
    del world


def _intro(world: DemoWorld, stream: list[Donation]) -> None:
    console.rule("[bold]giftflow demo[/bold]")
    cents = sum(donation.amount_usd_cents for donation in stream)
    console.print(
        f"Replaying {EVENT_TITLE} ({len(stream):,} donations, {money_code(cents, 'USD')},"
        f" {_when(stream[0].at_ns)} to {_when(stream[-1].at_ns)} UTC) as one creator's LIVE."
    )
    console.print(f"SQLite database: {world.paths.database}")
    console.print(f"Payout files:    {world.paths.payouts}")


def _replay(
    world: DemoWorld, stream: list[Donation], pace: Callable[[Donation], bool] | None = None
) -> list[BookedDonation]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[coins]:>12,} coins"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(_chapter(""), total=len(stream), coins=0)
        chapters = Chapters(load_runs())

        def advance(step: ReplayProgress) -> None:
            if step.stage != "donations":
                return
            progress.update(
                task,
                completed=step.done,
                description=_chapter(chapters.at(step.at_ns)),
                coins=step.coins_booked,
            )

        return world.book(stream, on_progress=advance, pace=pace)


def _chapter(name: str) -> str:
    return name[:CHAPTER_WIDTH].ljust(CHAPTER_WIDTH)


def _print_replay(figures: BookedFigures) -> None:
    gifts = figures.gifts
    table = Table(title="the LIVE, replayed", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("donations replayed", f"{figures.donations:,}"),
        ("viewers", f"{figures.viewers:,}"),
        *_purchase_rows(figures),
        ("coins minted (signed sandbox webhooks only)", f"{figures.coins_minted:,}"),
        ("coins the donations were worth", f"{figures.coins_donated:,}"),
        ("coins gifted", f"{gifts.coins:,}"),
        ("gift events sent", f"{gifts.events:,}"),
        ("gifts counted (a streak once)", f"{gifts.gifts:,}"),
        ("streaks", f"{gifts.streaks:,}"),
        ("events refused", _refused(figures)),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def _purchase_rows(figures: BookedFigures) -> list[tuple[str, str]]:
    return [
        (
            f"coin packs bought, {channel.channel}",
            f"{number(channel.count)} for {money_code(channel.amount_minor, 'USD')}",
        )
        for channel in figures.purchases
    ]


def _refused(figures: BookedFigures) -> str:
    if not figures.refused:
        return "none"
    return ", ".join(f"{code} x{count}" for code, count in figures.refused.most_common())


def _print_earnings(world: DemoWorld, title: str) -> None:
    view = world.economy.earnings(world.creator.id)
    table = Table(title=f"{title} (diamonds)")
    for column in ("pending", "available", "in payout", "withdrawn", "earned in all"):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            _diamonds(units)
            for units in (
                view.pending_units,
                view.available_units,
                view.in_payout_units,
                view.withdrawn_units,
                view.earned_units,
            )
        )
    )
    console.print(table)


def _print_statement(world: DemoWorld) -> None:
    lines = world.economy.statement(world.creator.id, limit=STATEMENT_LINES)
    table = Table(title=f"the statement's last {len(lines)} lines (newest first)")
    for column in ("time (UTC)", "kind", "gift", "account", "diamonds"):
        table.add_column(column, justify="right" if column == "diamonds" else "left")
    catalog = world.economy.catalog
    for line in lines:
        gift = catalog.gift(GiftId(line.reference)).display_name if line.kind == "gift" else ""
        table.add_row(_when(line.timestamp), line.kind, gift, line.account, _diamonds(line.units))
    console.print(table)


def _print_payout(story: PayoutStory) -> None:
    console.rule("payout through the manual partner")
    payout = story.payout
    if payout is None or story.skipped:
        console.print(f"[yellow]no payout[/yellow]: {story.skipped}")
        return
    console.print("identity verified; payout requested, held, approved")
    console.print(f"batch file exported:  {story.batch_file}")
    console.print(f"results file (paid):  {story.results_file}")
    table = Table()
    for column in ("payout", "diamonds", "gross", "fee", "net", "state"):
        table.add_column(column, justify="left" if column in ("payout", "state") else "right")
    table.add_row(
        payout.id,
        f"{payout.diamonds:,}",
        money_code(payout.gross_minor, payout.currency),
        money_code(payout.fee_minor, payout.currency),
        money_code(payout.net_minor, payout.currency),
        f"[green]{payout.state}[/green]" if payout.state == "paid" else payout.state,
    )
    console.print(table)


def _print_chargeback(world: DemoWorld, story: ChargebackStory) -> None:
    console.rule("a chargeback, after the coins were spent")
    viewer, payment, outcome = story.viewer.user, story.payment, story.outcome
    gifts = ", ".join(
        f"{line.gift.display_name} x{line.count}{' (streak)' if line.is_streak else ''}"
        for line in story.encore.lines
    )
    bought = f" (after buying {story.encore_packs} coin pack)" if story.encore_packs else ""
    console.print(
        f"encore LIVE, a week on: {viewer.display_name} sends {story.encore.coins_booked} coins"
        f" of gifts{bought}: {gifts}"
    )
    console.print(
        f"the bank disputes payment {payment.id}: {payment.coins:,} coins for"
        f" {payment.price} ({payment.channel}), paid {_when(payment.paid_at)} UTC"
    )
    table = Table(show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("coins clawed back from the wallet", f"{outcome.coins_from_wallet:,}")
    table.add_row("creator's pending diamonds reversed", _diamonds(outcome.reversed_units))
    table.add_row("coins booked as chargeback loss", f"{outcome.loss_coins:,}")
    table.add_row("payment status", outcome.payment.status)
    table.add_row("viewer's wallet", "frozen" if story.wallet.frozen else "open")
    console.print(table)


def _diamonds(units: int) -> str:
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), UNITS_PER_DIAMOND)
    return f"{sign}{whole:,}.{fraction:04d}"


def _when(timestamp_ns: int) -> str:
    moment = datetime.fromtimestamp(timestamp_ns // NS_PER_S, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M")
