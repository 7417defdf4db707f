"""``giftflow serve`` and ``giftflow openapi``: the HTTP API."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from pydantic import SecretStr
from rich.console import Console

from giftflow.errors import GiftflowError
from giftflow.settings import Settings

console = Console(stderr=True)
OPENAPI_SECRET = "openapi-document-only-" + "x" * 32
"""Signs nothing: ``giftflow openapi`` builds the app only to describe it."""


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the HTTP API and the rooms' WebSockets (settings from GIFTFLOW_*;
    GIFTFLOW_TOKEN_SECRET is required; GIFTFLOW_REDIS_URL shares events across servers)."""
    import uvicorn  # noqa: PLC0415 (only this command needs the server)

    from giftflow.api import create_app  # noqa: PLC0415
    from giftflow.api.auth import TOKEN_SECRET_MIN_BYTES  # noqa: PLC0415
    from giftflow.service.economy import Economy  # noqa: PLC0415
    from giftflow.service.events import open_bus  # noqa: PLC0415

    settings = Settings()
    secret = settings.token_secret.get_secret_value() if settings.token_secret else ""
    if len(secret.encode()) < TOKEN_SECRET_MIN_BYTES:
        console.print(
            f"[red]error[/red] set GIFTFLOW_TOKEN_SECRET ({TOKEN_SECRET_MIN_BYTES} bytes or"
            " more) to sign users' tokens; giftflow serve does not start without it"
        )
        raise typer.Exit(2)
    try:
        economy = Economy.open(settings)
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error
    bus = open_bus(settings)
    with economy:
        try:
            app = create_app(economy, settings, bus)
        except GiftflowError as error:
            console.print(f"[red]error[/red] {error.code}: {error}")
            raise typer.Exit(2) from error
        try:
            uvicorn.run(app, host=host, port=port, ws="websockets-sansio", proxy_headers=False)
        finally:
            bus.close()


def openapi_command() -> None:
    """Print the API's OpenAPI document (JSON), as committed in docs/openapi.json."""
    print(json.dumps(openapi_document(), indent=2, ensure_ascii=False))


def openapi_document() -> dict[str, object]:
    from giftflow.api import create_app  # noqa: PLC0415
    from giftflow.service.economy import Economy  # noqa: PLC0415

    settings = Settings(database_url="sqlite:///:memory:", token_secret=SecretStr(OPENAPI_SECRET))
    with Economy.open(settings) as economy:
        return create_app(economy, settings).openapi()
