"""The app of one server process, for uvicorn's factory mode.

``giftflow serve`` hands uvicorn ``giftflow.api.server:app_from_environment`` with
``factory=True``: every worker process calls it, so each opens its own economy and
event bus from ``GIFTFLOW_*`` and closes them when its server stops (after the app's
own lifespan, whose LIVE sweep still needs them). Nothing is shared between processes
but the database and, with ``GIFTFLOW_REDIS_URL``, the event bus.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI

from giftflow.api.app import create_app
from giftflow.service.economy import Economy
from giftflow.service.events import EventBus, open_bus
from giftflow.settings import Settings

FACTORY: Final = "giftflow.api.server:app_from_environment"
"""What uvicorn imports in each worker process."""

SWITCH_INTERVAL_S: Final = 0.0005
"""How long a thread holds the GIL while another wants it. The event loop and the
engine's writer share one interpreter; Python's 5 ms default let the writer's record
code keep the loop from its next request for a whole slice after each database call.
A tenth of it gave about 10% more single gifts per second (docs/benchmarks.md)."""


def app_from_environment() -> FastAPI:
    """The app over an economy and a bus of its own, opened from ``GIFTFLOW_*``."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)  # a server process: the loop and the writer
    return serving_app(Settings())


def serving_app(settings: Settings) -> FastAPI:
    """``create_app`` over an economy and a bus opened here and closed at shutdown."""
    economy = Economy.open(settings)
    bus = open_bus(settings)
    try:
        app = create_app(economy, settings, bus)
    except BaseException:
        bus.close()
        economy.close()
        raise
    _close_on_shutdown(app, economy, bus)
    return app


def _close_on_shutdown(app: FastAPI, economy: Economy, bus: EventBus) -> None:
    serve = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Any) -> AsyncIterator[Any]:
        try:
            async with serve(served) as state:
                yield state
        finally:
            bus.close()
            economy.close()

    app.router.lifespan_context = lifespan
