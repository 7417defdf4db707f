"""``giftflow keys``: platform API keys for the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from giftflow.cli.options import DEFAULT_DATABASE_URL, DatabaseUrl
from giftflow.errors import GiftflowError

app = typer.Typer(help="Platform API keys for the HTTP API.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who the key is for (a gateway, a dashboard).")],
    scope: Annotated[
        list[str],
        typer.Option(help="A scope to grant; repeat for more (users:write, gifts:write …)."),
    ],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """Create a key and print it, the only time it is shown (only its hash is stored)."""
    from giftflow.api.auth import check_scopes, create_api_key  # noqa: PLC0415
    from giftflow.service.ledger import Ledger  # noqa: PLC0415

    try:
        scopes = check_scopes(scope)
        if not 1 <= len(name) <= 128:
            raise GiftflowError("a key's name is 1 to 128 characters", code="name_invalid")
        with Ledger.open(database_url) as ledger:
            key = create_api_key(ledger, name=name, scopes=scopes)
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    console.print(f"key {key.id} for {name!r}: {' '.join(sorted(key.scopes))}")
    print(key.key)


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (gf_<id>_…).")],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """Revoke a key: requests with it are refused from now on."""
    from giftflow.api.auth import revoke_api_key  # noqa: PLC0415
    from giftflow.service.ledger import Ledger  # noqa: PLC0415

    try:
        with Ledger.open(database_url) as ledger:
            revoked = revoke_api_key(ledger, key_id)
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    if not revoked:
        console.print(f"[red]error[/red] no key {key_id} in force")
        raise typer.Exit(2)
    console.print(f"revoked {key_id}")
