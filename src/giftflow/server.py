"""The one place the server is assembled: ``create_app(economy, settings)`` builds the
FastAPI app (its lifespan, its middleware, the API's routers from ``giftflow.api`` and
the pages from ``giftflow.web``), and ``app_from_environment`` is what uvicorn's
factory mode runs in each worker process.

The layers below know nothing of each other: ``giftflow.api`` and ``giftflow.web`` both
stand on ``giftflow.http`` (authentication, dependencies, errors, problems, schemas)
and only this module puts them side by side (decision 0115).

``create_app``'s app serves an economy that its caller opened, and closes nothing:
whoever opened the economy closes it (``giftflow serve`` does, after the server stops).
``app_from_environment`` is the exception: every worker process calls it, so each opens
its own economy and event bus from ``GIFTFLOW_*`` and closes them when its server stops
(after the app's own lifespan, whose LIVE sweep still needs them). Nothing is shared
between processes but the database and, with ``GIFTFLOW_REDIS_URL``, the event bus.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

import giftflow
from giftflow.api.body_limits import BodyLimitMiddleware, BodyLimits
from giftflow.api.early_limits import EarlyLimitMiddleware
from giftflow.api.headers import SecurityHeadersMiddleware
from giftflow.api.routers import ROUTERS
from giftflow.errors import ConfigurationError
from giftflow.http import problems
from giftflow.http.auth import Authenticator
from giftflow.http.deps import ApiState
from giftflow.http.idempotency import InFlight
from giftflow.http.logs import redact_credentials_in_logs
from giftflow.http.metrics import ApiMetrics, MetricsMiddleware
from giftflow.http.rate_limits import Buckets, RateLimiter, open_buckets, rates_of
from giftflow.http.report_links import ReportLinks
from giftflow.http.room_tokens import RoomTokens
from giftflow.http.sockets import SocketCaps
from giftflow.service.creator import milestones, subathon
from giftflow.service.creator.bio import Bio, BioSettings
from giftflow.service.economy import Economy
from giftflow.service.events import EventBus, InProcessBus, open_bus
from giftflow.service.live import Live
from giftflow.service.promote import Promote
from giftflow.settings import Settings
from giftflow.web.bio_page import router as bio_pages
from giftflow.web.dashboard import router as dashboard
from giftflow.web.pages import overlays
from giftflow.web.sandbox_checkout import router as sandbox_checkout

SWEEP_INTERVAL_S: Final = 1.0
"""How often the app ends battles whose time is up and streaks that went quiet."""
EXPIRY_INTERVAL_S: Final = 60.0
"""How often the app deletes what expired (old idempotency records, revoked tokens past
their expiry, used sign-in links): a bounded step each time, so a backlog drains over
a few minutes without a long lock."""
log = logging.getLogger("giftflow.api")

TITLE = "giftflow"
DESCRIPTION = """The virtual-gift economy of live streaming over HTTP: coins in, gifts
live, diamonds out, on an exact double-entry ledger.

Authenticate with `Authorization: Bearer <credential>`: a platform API key
(`gf_<id>_<secret>`, scoped) or a user token from `POST /v1/tokens`. Every
money-moving POST needs an `Idempotency-Key`. Errors are RFC 9457 problem details
(`application/problem+json`) with a stable `code`. Amounts are JSON integers: coins,
diamond units (10,000 per diamond), fiat in minor units with its currency.
See docs/api.md."""


def create_app(
    economy: Economy,
    settings: Settings,
    bus: EventBus | None = None,
    *,
    live: Live | None = None,
    sweep_interval_s: float | None = SWEEP_INTERVAL_S,
    expiry_interval_s: float | None = EXPIRY_INTERVAL_S,
    buckets: Buckets | None = None,
) -> FastAPI:
    """Raises ``ConfigurationError`` without a usable ``settings.token_secret``. Events go
    through ``bus`` (``app.state.giftflow.bus``), an ``InProcessBus`` when none is given;
    like the economy, the caller closes it. LIVE is ``live``, or opened over the economy
    and the bus (gifts in a session then publish to their room). While the app runs
    (its lifespan), a task ends due battles and quiet streaks every
    ``sweep_interval_s`` (never when None), and every ``expiry_interval_s`` it deletes
    what expired (``Economy.delete_expired``; never when None), and Promote's fills
    find their candidates refreshed in the background (``Promote.refreshing``). Rate
    limits take from ``buckets`` (by default Redis's with ``settings.redis_url``, else
    the process's); the app closes them when it stops."""
    if settings.token_secret is None:
        raise ConfigurationError("set GIFTFLOW_TOKEN_SECRET to sign users' tokens")
    redact_credentials_in_logs()
    clock = economy.context.clock
    events = InProcessBus(queue_max=settings.ws_queue_max) if bus is None else bus
    if live is None:
        live = Live.open(economy, events)
    milestones.watch(economy, live.context.settings.level_thresholds_coins)
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
        in_flight=InFlight(),
        sockets=SocketCaps(
            total=settings.ws_connections_max, per_token=settings.ws_connections_per_token_max
        ),
        metrics=ApiMetrics(),
        room_tokens=RoomTokens(
            economy.ledger, clock, secret=secret, ttl_s=settings.room_token_ttl_s
        ),
        report_links=ReportLinks(economy.ledger, clock, secret=secret),
        bus=events,
        live=live,
        limiter=RateLimiter(
            rates_of(settings), open_buckets(settings) if buckets is None else buckets
        ),
        promote=Promote.open(economy),
        bio=Bio(
            live.context,
            BioSettings(
                secret=secret,
                public_url=settings.public_url,
                confirm_ttl_s=settings.bio_confirm_ttl_s,
                page_cache_s=settings.bio_page_cache_s,
            ),
        ),
    )
    app = FastAPI(
        title=TITLE,
        version=giftflow.__version__,
        description=DESCRIPTION,
        redoc_url=None,
        # Swagger UI comes from a CDN: in development only, never on the origin of a
        # production dashboard's cookie. /openapi.json (and docs/openapi.json) stay.
        docs_url="/docs" if settings.environment == "development" else None,
        lifespan=_sweeping(state, sweep_interval_s, expiry_interval_s),
        # giftflow counts requests itself (GET /metrics); FastAPI's own OpenTelemetry
        # looked up the global providers on every request (4% of a gift's time).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.giftflow = state
    problems.install(app)  # first: the metrics middleware wraps it and counts its 500s
    # Before anything reads a body; inside the metrics, which count its 413s.
    app.add_middleware(BodyLimitMiddleware, limits=BodyLimits.of(settings))
    # Outside the body limits: a caller known to be over its rate is not even read.
    app.add_middleware(EarlyLimitMiddleware, limiter=state.limiter)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    # outermost: every answer, 500s too
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    # First: routes are matched in order, and the bio page is the one every viewer opens
    # (five routes, all under /b/ and /bio-leads/, that nothing else is matched behind).
    app.include_router(bio_pages)
    for router in ROUTERS:
        app.include_router(router)
    # /overlays: pages for OBS browser sources
    app.router.routes.append(overlays(economy, locale=settings.locale))
    app.include_router(dashboard)  # /dashboard, /admin: server-rendered pages
    app.include_router(sandbox_checkout)  # /sandbox/checkout: development only
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _sweeping(
    state: ApiState, interval_s: float | None, expiry_s: float | None
) -> Any:  # FastAPI types it loosely
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            async with state.promote.refreshing():
                if interval_s is None:
                    yield
                    return
                stop = asyncio.Event()
                task = asyncio.create_task(_sweep_until(stop, state, interval_s, expiry_s))
                try:
                    yield
                finally:
                    # Not cancelled: a sweep under way finishes before the economy closes.
                    stop.set()
                    await task
        finally:
            try:  # the views and clicks this process still holds
                await asyncio.to_thread(state.bio.flush)
            except Exception:
                log.exception("the link-in-bio visits could not be written")
            await state.limiter.buckets.aclose()

    return lifespan


async def _sweep_until(
    stop: asyncio.Event, state: ApiState, interval_s: float, expiry_s: float | None
) -> None:
    expired_at = time.monotonic()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), interval_s)
        except TimeoutError:
            try:
                await asyncio.to_thread(sweep, state)
                if expiry_s is not None and time.monotonic() - expired_at >= expiry_s:
                    expired_at = time.monotonic()
                    await asyncio.to_thread(state.economy.delete_expired)
            except Exception:
                # The next tick tries again: a database away for a while stops nothing.
                log.exception("the LIVE sweep failed")


def sweep(state: ApiState) -> None:
    """Catch up with the test clock (development: another process may have moved it),
    then end the battles whose time is up and the streaks that went quiet (their
    events go to the rooms), mark missed scheduled LIVEs and send the reminders due,
    and end the promotions whose end has come (the rest released); record the end of
    subathons whose time ran out; write the link-in-bio views and clicks counted since
    the last sweep."""
    state.economy.sync_test_clock()
    state.live.end_due_battles()
    state.live.sweep_schedules()
    subathon.expire_due(state.economy.context)
    state.economy.end_stale_streaks()
    state.promote.sweep()
    state.bio.flush()


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


FACTORY: Final = "giftflow.server:app_from_environment"
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
