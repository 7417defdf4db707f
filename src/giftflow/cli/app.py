"""The ``giftflow`` command: its commands gathered (``main`` is the installed entry
point). Here, not in ``giftflow.cli``, so that a command's module imports alone."""

from __future__ import annotations

import os

import typer

from giftflow import i18n
from giftflow.cli import bench, database, demo, keys, reconcile, replay, serve, users, webhooks

app = typer.Typer(
    name="giftflow",
    help="The virtual-gift economy of live streaming, on an exact double-entry ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _locale() -> None:
    """Money and numbers in GIFTFLOW_LOCALE (en by default)."""
    locale = os.environ.get("GIFTFLOW_LOCALE") or i18n.DEFAULT_LOCALE
    if locale not in i18n.LOCALES:
        raise typer.BadParameter(f"GIFTFLOW_LOCALE={locale!r}: one of {', '.join(i18n.LOCALES)}")
    i18n.use(locale)


app.add_typer(bench.app, name="bench")
app.add_typer(database.app, name="db")
app.command("reconcile")(reconcile.reconcile_command)
app.add_typer(keys.app, name="keys")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve_command)
app.command("openapi")(serve.openapi_command)
app.command("demo")(demo.demo_command)
app.command("replay")(replay.replay_command)
app.add_typer(webhooks.app, name="webhooks")


def main() -> None:
    app()
