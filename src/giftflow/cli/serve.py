"""``giftflow serve`` and ``giftflow openapi``: the HTTP API."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from typing import Annotated, Final

import typer
from pydantic import SecretStr
from rich.console import Console

from giftflow.errors import GiftflowError
from giftflow.settings import Settings

console = Console(stderr=True)
OPENAPI_SECRET = "openapi-document-only-" + "x" * 32
"""Signs nothing: ``giftflow openapi`` builds the app only to describe it."""
WORKERS_MAX: Final = 64
WORKER_HEALTHCHECK_S: Final = 30


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=WORKERS_MAX,
            help="Server processes sharing the port, each with its own economy and event"
            " bus (PostgreSQL only beyond 1; GIFTFLOW_REDIS_URL shares rooms' events).",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API and the rooms' WebSockets (settings from GIFTFLOW_*;
    GIFTFLOW_TOKEN_SECRET is required; GIFTFLOW_REDIS_URL shares events and rate limits
    across servers; GIFTFLOW_CONNECTIONS_MAX, GIFTFLOW_HEADER_TIMEOUT_S and
    GIFTFLOW_KEEP_ALIVE_TIMEOUT_S bound connections)."""
    import uvicorn  # noqa: PLC0415 (only this command needs the server)

    from giftflow.api.protocol import PROTOCOL  # noqa: PLC0415
    from giftflow.server import FACTORY  # noqa: PLC0415

    settings = Settings()
    _check_token_secret(settings)
    _check_workers(settings, workers)
    _open_once(settings)
    with _delivering(settings):
        uvicorn.run(
            FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            ws="websockets-sansio",
            # Compression would deflate each event once per listener, with each one's own
            # context (a fifth of the loop's time at 1,000 listeners); the frames are small.
            ws_per_message_deflate=False,
            http=PROTOCOL,  # httptools, with a header timeout and a header size limit
            limit_concurrency=settings.connections_max,
            # A worker opening its economy on a busy host can miss uvicorn's 5 s ping and be
            # killed as hung, again and again; 30 s still replaces a stuck worker.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            timeout_keep_alive=settings.keep_alive_timeout_s,
            # Proxy headers only from the proxies named: otherwise any client could claim
            # another address (its rate limits) or HTTPS.
            proxy_headers=settings.forwarded_allow_ips is not None,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )


@contextlib.contextmanager
def _delivering(settings: Settings) -> Iterator[None]:
    """The webhook delivery worker as a child process for as long as the block runs
    (``GIFTFLOW_WEBHOOKS_WORKER``, the default): one per ``giftflow serve`` whatever its
    ``--workers``, off the serving processes (decisions/0112). A SIGTERM that uvicorn
    hands back once it has stopped (one server process) stops the child first."""
    if not settings.webhooks_worker:
        yield
        return
    from giftflow.service.webhooks.child import DeliveryChild  # noqa: PLC0415

    environment = os.environ | {"GIFTFLOW_DATABASE_URL": settings.database_url}
    child = DeliveryChild(environment, stop_timeout_s=2 * settings.webhooks_timeout_s + 5)

    def stop_then_die(number: int, _: object) -> None:
        child.stop()
        signal.signal(number, signal.SIG_DFL)
        signal.raise_signal(number)

    previous = signal.signal(signal.SIGTERM, stop_then_die)
    child.start()
    try:
        yield
    finally:
        child.stop()
        signal.signal(signal.SIGTERM, previous)


def _check_token_secret(settings: Settings) -> None:
    from giftflow.http.auth import TOKEN_SECRET_MIN_BYTES  # noqa: PLC0415

    secret = settings.token_secret.get_secret_value() if settings.token_secret else ""
    if len(secret.encode()) < TOKEN_SECRET_MIN_BYTES:
        console.print(
            f"[red]error[/red] set GIFTFLOW_TOKEN_SECRET ({TOKEN_SECRET_MIN_BYTES} bytes or"
            " more) to sign users' tokens; giftflow serve does not start without it"
        )
        raise typer.Exit(2)


def _check_workers(settings: Settings, workers: int) -> None:
    """SQLite has one writer process: each worker's engine caches the accounts it
    writes and commits groups on the assumption that no other process writes
    (docs/scaling.md#server-processes)."""
    if workers > 1 and settings.database_url.startswith("sqlite:"):
        console.print(
            f"[red]error[/red] --workers {workers} needs PostgreSQL: SQLite allows one writer"
            " process (set GIFTFLOW_DATABASE_URL=postgresql://…, or serve with --workers 1)"
        )
        raise typer.Exit(2)
    if workers > 1 and settings.redis_url is None:
        console.print(
            "[yellow]warning[/yellow] without GIFTFLOW_REDIS_URL a room's WebSocket gets"
            " only the events of the worker process it is connected to, and each worker"
            f" keeps its own rate limits (a caller gets up to {workers}x its limit)"
        )


def _open_once(settings: Settings) -> None:
    """Open the economy here first: its errors are said once and plainly, and the
    schema is migrated before the workers open it together."""
    from giftflow.service.economy import Economy  # noqa: PLC0415

    try:
        Economy.open(settings).close()
    except GiftflowError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(2) from error


def openapi_command() -> None:
    """Print the API's OpenAPI document (JSON), as committed in docs/openapi.json."""
    print(json.dumps(openapi_document(), indent=2, ensure_ascii=False))


def openapi_document() -> dict[str, object]:
    from giftflow.server import create_app  # noqa: PLC0415
    from giftflow.service.economy import Economy  # noqa: PLC0415

    settings = Settings(database_url="sqlite:///:memory:", token_secret=SecretStr(OPENAPI_SECRET))
    with Economy.open(settings) as economy:
        return create_app(economy, settings).openapi()
