"""The overlays under test: the app served by uvicorn on loopback (as in ``tests/api``),
LIVE over its economy, and Debian's headless Chromium driven by Playwright.

``tests/web`` is a package so that mypy names this module ``web.conftest``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
import jwt
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from pydantic import SecretStr

from giftflow.http.deps import ApiState
from giftflow.http.keys import create_api_key
from giftflow.i18n import LocaleCode
from giftflow.ids import UserId
from giftflow.ledger.clock import ManualClock
from giftflow.payments.sandbox import SandboxProvider
from giftflow.server import create_app
from giftflow.service.economy import Economy
from giftflow.service.events import InProcessBus
from giftflow.service.events.bus import REPLAY_BUFFER_EVENTS
from giftflow.service.live import Live
from giftflow.settings import Settings
from giftflow.web.dashboard.session import COOKIE
from tests.api.conftest import (
    DOUGHNUT,
    LION,
    RATE_LIMITS_OFF,
    ROSE,
    SANDBOX_SECRET,
    START_NS,
    TOKEN_SECRET,
    Json,
    World,
    served,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "overlays"
VIEWPORT: ViewportSize = {"width": 960, "height": 240}
BURST_PATH = "/test/burst"


@dataclass
class Studio:
    """A served economy with LIVE, its HTTP hands (``world``), and a browser."""

    world: World
    live: Live
    browser: Browser
    _names: Iterator[int]

    @property
    def base_url(self) -> str:
        return str(self.world.client.base_url)

    def creator(self) -> UserId:
        user_id: int = self.world.user(f"creator-{next(self._names)}", creator=True)["id"]
        return UserId(user_id)

    def viewer(self, coins: int = 10_000) -> UserId:
        user_id: int = self.world.user(f"viewer-{next(self._names)}")["id"]
        self.world.buy(user_id, coins)
        return UserId(user_id)

    def room_token(self, room_id: int) -> str:
        response = self.world.post(f"/v1/rooms/{room_id}/tokens", None, self.world.admin_key)
        token: str = self.world.ok(response, 201)["token"]
        return token

    def gift(self, sender: int, creator: int, gift_id: int, session_id: int, **fields: Any) -> Json:
        """Through the API, as a platform's gateway sends it."""
        return self.world.gift(sender, creator, gift_id, session_id=session_id, **fields)

    def burst(self, room_id: int, count: int) -> str:
        """Publishes ``count`` filler events to the room at once; the newest one's id."""
        response = self.world.client.post(BURST_PATH, params={"room_id": room_id, "count": count})
        last_event_id: str = self.world.ok(response, 200)["last_event_id"]
        return last_event_id

    def open(self, name: str, query: str) -> Page:
        page = self.browser.new_page(viewport=VIEWPORT)
        page.goto(f"{self.base_url}/overlays/{name}.html?{query}")
        return page


def _add_burst_route(app: FastAPI, bus: InProcessBus) -> None:
    """A test-only route that publishes on the server's own event loop, where the
    room's WebSocket listeners run: none drains its queue before the burst is over, so
    a burst longer than the replay buffer puts every listener behind (a resync)."""

    async def burst(room_id: int, count: int) -> dict[str, str | None]:
        for _ in range(count):
            bus.publish(UserId(room_id), "test.filler", {}, at=START_NS)
        return {"last_event_id": bus.last_id(UserId(room_id))}

    app.add_api_route(BURST_PATH, burst, methods=["POST"])


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is absent (apt-get install chromium; scripts/packages does)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; one per test module. Playwright's sync API holds an
    event loop in the thread while it runs: stopped with the module, it does not stand
    in the way of another module's ``asyncio.run`` on the same test worker."""
    _chromium_or_skip()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def open_studio(
    browser: Browser, tmp_path: Path, *, buffer: int, locale: LocaleCode = "en"
) -> Iterator[Studio]:
    """A fresh economy on SQLite (the overlays do not depend on the backend), served,
    its events on an in-process bus replaying the last ``buffer`` events of a room,
    its pages in ``locale`` (``GIFTFLOW_LOCALE``)."""
    url = f"sqlite:///{tmp_path / 'economy.db'}"
    clock = ManualClock(START_NS)
    sandbox = SandboxProvider(SANDBOX_SECRET, clock)
    config = Settings(
        database_url=url,
        token_secret=SecretStr(TOKEN_SECRET),
        velocity_limit=1_000_000,
        payout_dir=tmp_path / "payouts",
        environment="development",
        locale=locale,
        **RATE_LIMITS_OFF,
    )
    economy = Economy.open(config, clock=clock, providers={"sandbox": sandbox})
    bus = InProcessBus(buffer)
    try:
        app = create_app(economy, config, bus, expiry_interval_s=None)
        _add_burst_route(app, bus)
        live = cast(ApiState, app.state.giftflow).live
        admin = create_api_key(economy.ledger, name="admin", scopes=["admin"]).key
        with served(app) as base, httpx.Client(base_url=base, timeout=30) as client:
            world = World(economy, clock, sandbox, client, admin, bus=bus)
            yield Studio(world, live, browser, itertools.count())
    finally:
        bus.close()
        economy.close()


@pytest.fixture
def studio(browser: Browser, tmp_path: Path) -> Iterator[Studio]:
    with open_studio(browser, tmp_path, buffer=REPLAY_BUFFER_EVENTS) as opened:
        yield opened


def screenshot(page: Page, name: str) -> None:
    """Kept under test-artifacts/overlays/, with the page's transparency."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", omit_background=True, animations="disabled")


# --- the dashboard ---------------------------------------------------------------------

DASHBOARD_ARTIFACTS = ARTIFACTS.parent / "dashboard"
DASHBOARD_VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
WEEK_S = 7 * 86_400


@dataclass
class Showcase:
    """A served economy with two creators' LIVEs, their gifters in two weeks, payouts
    of creator A, a fraud decision about creator B, and a token for each person."""

    studio: Studio
    ids: dict[str, Any]
    tokens: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.studio.base_url

    def api(self, path: str, who: str = "a", **params: Any) -> Json:
        """What the JSON API answers the same person."""
        return self.studio.world.ok(self.studio.world.get(path, self.tokens[who], **params))

    def sign_in_link(self, who: str) -> str:
        """A one-time sign-in link for the person (a creator or an admin), as their
        platform would make one."""
        claims = jwt.decode(self.tokens[who], options={"verify_signature": False})
        world = self.studio.world
        body = {"user_id": int(claims["sub"]), "role": claims["role"]}
        answer = world.ok(world.post("/v1/tokens/sign-in-links", body, world.admin_key), 201)
        # The link names GIFTFLOW_PUBLIC_URL; this test server listens elsewhere.
        return f"{self.base_url}{urlsplit(answer['url']).path}"

    def signed_in(self, who: str, path: str = "/dashboard") -> Page:
        """A fresh browser context, signed in as a person is: the platform's sign-in
        link opened, its button clicked; then ``path``."""
        page = self.studio.browser.new_page(viewport=DASHBOARD_VIEWPORT)
        page.goto(self.sign_in_link(who))
        page.click("form button")
        if path != "/dashboard":
            page.goto(f"{self.base_url}{path}")
        return page

    def with_cookie(self, who: str) -> Page:
        """A fresh browser context whose session cookie holds the person's token (a
        viewer's, which no sign-in link gives)."""
        page = self.studio.browser.new_page(viewport=DASHBOARD_VIEWPORT)
        page.context.add_cookies(
            [{"name": COOKIE, "value": self.tokens[who], "url": self.base_url}]
        )
        return page


def _live(studio: Studio, creator: int, title: str, gifts: list[tuple[int, int]]) -> int:
    """A LIVE of a few minutes: the gifters join and send ``(sender, gift_id)`` a minute
    apart, then it ends."""
    session_id = studio.live.start_session(UserId(creator), title=title).id
    for sender, gift_id in gifts:
        studio.live.join(session_id, UserId(sender))
        studio.gift(sender, creator, gift_id, session_id)
        studio.world.clock.advance(seconds=60)
    studio.live.end_session(session_id)
    return session_id


def build_showcase(studio: Studio) -> Showcase:
    world, live = studio.world, studio.live
    a, b = studio.creator(), studio.creator()
    fan, regular, newcomer = studio.viewer(70_000), studio.viewer(40_000), studio.viewer(1_000)
    ops = world.user("ops")["id"]
    first = _live(studio, a, "Friday LIVE", [(fan, LION), (regular, DOUGHNUT), (fan, LION)])
    live.follow(a, newcomer)
    b_session = _live(studio, b, "B's secret LIVE", [(newcomer, ROSE)])
    refused = world.post("/v1/gifts", world.gift_body(b, b), world.admin_key, key="self-gift")
    assert refused.status_code == 422  # logged by the fraud rules for review
    world.clock.advance(seconds=WEEK_S)
    second = _live(studio, a, "Next week", [(regular, LION)])
    world.clock.advance(seconds=86_400)  # the first week's diamonds have matured
    tokens = {"a": world.token(a, "creator"), "b": world.token(b, "creator")}
    tokens |= {"viewer": world.token(fan), "admin": world.token(ops, "admin")}
    payouts = [
        world.ok(
            world.post("/v1/payouts", {"creator_id": a, "diamonds": 10_000}, tokens["a"], key=key),
            201,
        )["id"]
        for key in ("payout-1", "payout-2")
    ]
    decision = world.economy.fraud_decisions(open_only=True)[0].id
    ids = {"a": a, "b": b, "fan": fan, "regular": regular, "newcomer": newcomer, "ops": ops}
    ids |= {"first": first, "second": second, "b_session": b_session}
    ids |= {"payouts": payouts, "decision": decision}
    return Showcase(studio, ids, tokens)


@pytest.fixture(scope="module")
def showcase(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Showcase]:
    """One showcase per test module (the dashboard's tests read it; the admin's decide)."""
    folder = tmp_path_factory.mktemp("dashboard")
    with open_studio(browser, folder, buffer=REPLAY_BUFFER_EVENTS) as studio:
        yield build_showcase(studio)


def full_screenshot(page: Page, name: str) -> None:
    """Kept under test-artifacts/dashboard/, the whole page."""
    DASHBOARD_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=DASHBOARD_ARTIFACTS / f"{name}.png", full_page=True)
