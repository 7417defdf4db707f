"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

DatabaseUrl = Annotated[
    str,
    typer.Option(
        "--database-url",
        envvar="GIFTFLOW_DATABASE_URL",
        help="sqlite:///PATH (the default, embedded) or postgresql://USER@HOST:PORT/DB.",
    ),
]
