"""``giftflow webhooks``: webhooks out from the command line."""

from __future__ import annotations

import asyncio
import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from giftflow.cli.options import DatabaseUrl
from giftflow.errors import GiftflowError
from giftflow.settings import DEFAULT_DATABASE_URL

if TYPE_CHECKING:
    from giftflow.service.ledger import Ledger
    from giftflow.settings import Settings

app = typer.Typer(help="Webhooks out: deliver the outbox.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("deliver")
def deliver(
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
    passes: Annotated[
        int, typer.Option(min=1, help="Delivery passes at most (each sends what is due).")
    ] = 1_000,
    follow: Annotated[
        bool,
        typer.Option("--follow", help="Keep delivering until stopped (Ctrl-C, SIGTERM): a worker."),
    ] = False,
    parent_pid: Annotated[
        int | None,
        typer.Option(
            "--parent-pid",
            hidden=True,  # giftflow serve's own child: it stops when that process dies
            help="With --follow: stop when the process of this pid is no longer the parent.",
        ),
    ] = None,
) -> None:
    """Deliver what is due now, pass after pass until nothing is (or ``--passes``), and
    say how many attempts were made; with ``--follow``, run as a delivery worker until
    stopped (beside servers started with GIFTFLOW_WEBHOOKS_WORKER=false). Safe beside
    running servers and other workers: claims are leases. The GIFTFLOW_WEBHOOKS_*
    settings apply (docs/webhooks.md)."""
    from giftflow.service.ledger import Ledger  # noqa: PLC0415
    from giftflow.service.webhooks.worker import deliver_due  # noqa: PLC0415
    from giftflow.settings import Settings  # noqa: PLC0415

    try:
        settings = Settings(database_url=database_url)
        with Ledger.open(database_url) as ledger:
            if follow:
                _follow(ledger, settings, parent_pid)
                return
            sent = asyncio.run(deliver_due(ledger, settings, passes=passes))
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    console.print(f"{sent} delivery attempts made")


def _follow(ledger: Ledger, settings: Settings, parent_pid: int | None) -> None:
    from giftflow.service.webhooks.child import bind_to_parent  # noqa: PLC0415
    from giftflow.service.webhooks.worker import work_until  # noqa: PLC0415

    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    if parent_pid is not None:
        bind_to_parent(parent_pid, stop)  # after the handlers: the parent's death is a stop
    console.print("delivering webhooks until stopped")
    asyncio.run(work_until(ledger, settings, stop))
