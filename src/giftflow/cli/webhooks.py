"""``giftflow webhooks``: webhooks out from the command line."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from giftflow.cli.options import DEFAULT_DATABASE_URL, DatabaseUrl
from giftflow.errors import GiftflowError

app = typer.Typer(help="Webhooks out: deliver the outbox.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("deliver")
def deliver(
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    passes: Annotated[
        int, typer.Option(min=1, help="Delivery passes at most (each sends what is due).")
    ] = 1_000,
) -> None:
    """Deliver what is due now, pass after pass until nothing is (or ``--passes``), and
    say how many attempts were made. Safe beside running servers: claims are leases.
    The GIFTFLOW_WEBHOOKS_* settings apply (docs/webhooks.md)."""
    from giftflow.service.ledger import Ledger  # noqa: PLC0415
    from giftflow.service.webhooks.worker import deliver_due  # noqa: PLC0415
    from giftflow.settings import Settings  # noqa: PLC0415

    try:
        settings = Settings(database_url=database_url)
        with Ledger.open(database_url) as ledger:
            sent = asyncio.run(deliver_due(ledger, settings, passes=passes))
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    console.print(f"{sent} delivery attempts made")
