"""``giftflow db``: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from giftflow.cli.options import DatabaseUrl
from giftflow.errors import GiftflowError
from giftflow.settings import DEFAULT_DATABASE_URL
from giftflow.store import open_store

app = typer.Typer(help="Database schema: migrate to the latest version.", no_args_is_help=True)
console = Console()


@app.command("upgrade")
def upgrade(database_url: DatabaseUrl = DEFAULT_DATABASE_URL) -> None:
    """Create the database's tables or migrate them to the latest schema."""
    try:
        open_store(database_url).close()
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    console.print(f"[green]up to date[/green] {database_url}")
