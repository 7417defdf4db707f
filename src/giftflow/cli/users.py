"""``giftflow users``: what only the operator on the box decides about users."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from giftflow.cli.options import DatabaseUrl
from giftflow.errors import GiftflowError
from giftflow.ids import UserId
from giftflow.settings import DEFAULT_DATABASE_URL

app = typer.Typer(help="Users: who is staff.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("staff")
def staff(
    user_id: Annotated[int | None, typer.Argument(min=1, help="The user's id.")] = None,
    remove: Annotated[bool, typer.Option(help="No longer staff.")] = False,
    database_url: DatabaseUrl = DEFAULT_DATABASE_URL,
) -> None:
    """Make a user staff (only staff users hold admin tokens), with --remove no longer
    (their admin tokens stop working at once); without a user, list the staff."""
    from giftflow.service.ledger import Ledger  # noqa: PLC0415
    from giftflow.store import credentials  # noqa: PLC0415

    try:
        with Ledger.open(database_url) as ledger:
            if user_id is None:
                for staff_id in ledger.read(credentials.staff_ids):
                    print(staff_id)
                return
            user = UserId(user_id)
            if not ledger.read(credentials.user_exists(user)):
                raise GiftflowError(f"there is no user {user}", code="user_not_found")
            now_ns = ledger.clock.now_ns()
            changed = ledger.write(credentials.set_staff(user, staff=not remove, now_ns=now_ns))
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    verb = (
        ("is no longer staff" if remove else "is staff")
        if changed
        else ("was not staff" if remove else "was staff already")
    )
    console.print(f"user {user_id} {verb}")
