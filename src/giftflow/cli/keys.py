"""``giftflow keys``: platform API keys for the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from giftflow.cli.options import DatabaseUrl
from giftflow.errors import GiftflowError
from giftflow.settings import DEFAULT_DATABASE_URL

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
    from giftflow.http.keys import check_scopes, create_api_key  # noqa: PLC0415
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


@app.command("list")
def list_keys(database_url: DatabaseUrl = DEFAULT_DATABASE_URL) -> None:
    """Every key: id, name, scopes, when made, whether in force (never a secret)."""
    from giftflow.http.keys import api_keys  # noqa: PLC0415
    from giftflow.service.ledger import Ledger  # noqa: PLC0415

    try:
        with Ledger.open(database_url) as ledger:
            keys, now_ns = api_keys(ledger), ledger.clock.now_ns()
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    table = Table(title=f"{len(keys)} API keys")
    for column in ("id", "name", "scopes", "created", "state"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            key.id,
            key.name,
            " ".join(sorted(key.scopes)),
            _when(key.created_at_ns),
            _state(key.revoked_at_ns, now_ns),
        )
    Console().print(table)


def _when(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _state(revoked_at_ns: int, now_ns: int) -> str:
    if revoked_at_ns == 0:
        return "in force"
    if revoked_at_ns > now_ns:
        return f"in force until {_when(revoked_at_ns)}"
    return f"revoked {_when(revoked_at_ns)}"


@app.command("rotate")
def rotate(
    key_id: Annotated[str, typer.Argument(help="The key's id (gf_<id>_…).")],
    grace_s: Annotated[
        int,
        typer.Option(
            min=0,
            max=30 * 86_400,
            help="How long the old key (and the user tokens it issued) keeps working.",
        ),
    ] = 86_400,
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """A new key with the old one's name and scopes, printed once; the old one is
    revoked after the grace period (deploy the new key meanwhile)."""
    from giftflow.http.keys import rotate_api_key  # noqa: PLC0415
    from giftflow.service.ledger import Ledger  # noqa: PLC0415

    try:
        with Ledger.open(database_url) as ledger:
            key = rotate_api_key(ledger, key_id, grace_s=grace_s)
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    console.print(f"key {key.id} replaces {key_id} (in force {grace_s} s more)")
    print(key.key)


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (gf_<id>_…).")],
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """Revoke a key: requests with it, and the user tokens it issued, are refused from
    now on."""
    from giftflow.http.keys import revoke_api_key  # noqa: PLC0415
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
