"""The HTTP API as an ASGI app: ``create_app(economy, settings)``.

The app serves an economy that its caller opened, and closes nothing: whoever opened
the economy closes it (``giftflow serve`` does, after the server stops).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

import giftflow
from giftflow.api import problems
from giftflow.api.auth import Authenticator
from giftflow.api.deps import ApiState
from giftflow.api.idempotency import IdempotencyStore
from giftflow.api.metrics import ApiMetrics, MetricsMiddleware
from giftflow.api.room_tokens import RoomTokens
from giftflow.api.routes import ROUTERS
from giftflow.errors import ConfigurationError
from giftflow.service.economy import Economy
from giftflow.service.events import EventBus, InProcessBus
from giftflow.settings import Settings

TITLE = "giftflow"
DESCRIPTION = """The virtual-gift economy of live streaming over HTTP: coins in, gifts
live, diamonds out, on an exact double-entry ledger.

Authenticate with `Authorization: Bearer <credential>`: a platform API key
(`gf_<id>_<secret>`, scoped) or a user token from `POST /v1/tokens`. Every
money-moving POST needs an `Idempotency-Key`. Errors are RFC 9457 problem details
(`application/problem+json`) with a stable `code`. Amounts are JSON integers: coins,
diamond units (10,000 per diamond), fiat in minor units with its currency.
See docs/api.md."""


def create_app(economy: Economy, settings: Settings, bus: EventBus | None = None) -> FastAPI:
    """Raises ``ConfigurationError`` without a usable ``settings.token_secret``. Events go
    through ``bus`` (``app.state.giftflow.bus``), an ``InProcessBus`` when none is given;
    like the economy, the caller closes it."""
    if settings.token_secret is None:
        raise ConfigurationError("set GIFTFLOW_TOKEN_SECRET to sign users' tokens")
    clock = economy.context.clock
    secret = settings.token_secret.get_secret_value().encode()
    state = ApiState(
        economy=economy,
        settings=settings,
        authenticator=Authenticator(
            economy.ledger,
            clock,
            secret=secret,
            ttl_s=settings.token_ttl_s,
        ),
        idempotency=IdempotencyStore(economy.ledger, clock),
        metrics=ApiMetrics(),
        room_tokens=RoomTokens(clock, secret=secret, ttl_s=settings.room_token_ttl_s),
        bus=InProcessBus() if bus is None else bus,
    )
    app = FastAPI(
        title=TITLE,
        version=giftflow.__version__,
        description=DESCRIPTION,
        redoc_url=None,
    )
    app.state.giftflow = state
    problems.install(app)  # first: the metrics middleware wraps it and counts its 500s
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    for router in ROUTERS:
        app.include_router(router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with problems filed under ``application/problem+json``."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for operations in document["paths"].values():
            for operation in operations.values():
                _problem_media_type(operation.get("responses", {}))
        app.openapi_schema = document
    return app.openapi_schema


def _problem_media_type(responses: dict[str, Any]) -> None:
    for status, answer in responses.items():
        content = answer.get("content", {})
        if status[0] in "45" and "application/json" in content:
            content[problems.MEDIA_TYPE] = content.pop("application/json")
