"""``giftflow reconcile``: prove the books from the transfer log."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from giftflow.cli.options import DatabaseUrl
from giftflow.errors import GiftflowError
from giftflow.ledger.reconcile import ReconcileReport
from giftflow.settings import DEFAULT_DATABASE_URL
from giftflow.store import open_store

console = Console()
MISMATCHES_SHOWN = 20


def reconcile_command(database_url: DatabaseUrl = DEFAULT_DATABASE_URL) -> None:
    """Recompute every balance from the transfer log; exit 1 on any mismatch."""
    try:
        store = open_store(database_url)
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    try:
        report = store.reconcile()
    finally:
        store.close()
    print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def print_report(report: ReconcileReport) -> None:
    table = Table(title=f"{report.accounts} accounts, {report.transfers} transfers")
    for column in ("unit", "accounts", "debits posted", "credits posted", "pending", "sums to 0"):
        table.add_column(column, justify="right")
    for totals in report.units:
        table.add_row(
            totals.unit,
            str(totals.accounts),
            str(totals.debits_posted),
            str(totals.credits_posted),
            f"{totals.debits_pending} / {totals.credits_pending}",
            "[green]yes[/green]" if totals.balanced else "[red]NO[/red]",
        )
    console.print(table)
    for mismatch in report.mismatches[:MISMATCHES_SHOWN]:
        console.print(
            f"[red]mismatch[/red] account {mismatch.account_id} {mismatch.field}:"
            f" stored {mismatch.stored}, recomputed {mismatch.recomputed}"
        )
    for problem in report.problems[:MISMATCHES_SHOWN]:
        console.print(f"[red]problem[/red] {problem}")
    hidden = len(report.mismatches) + len(report.problems) - 2 * MISMATCHES_SHOWN
    if hidden > 0:
        console.print(f"… and {hidden} more")
    verdict = "[green]reconciled[/green]" if report.ok else "[red]NOT reconciled[/red]"
    console.print(verdict)
