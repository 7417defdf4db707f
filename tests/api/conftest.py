"""The HTTP API under test: ``create_app`` served by uvicorn on a free loopback port
(in a thread), an httpx client against it, an economy on a real database (SQLite file
or the session PostgreSQL), a manual clock and the sandbox provider with a known secret.

``tests/api`` is a package so that mypy names this module ``api.conftest``; tests import
``World`` and the helpers from it.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from giftflow.http.keys import create_api_key
from giftflow.http.rate_limits import Kind
from giftflow.ids import UserId
from giftflow.ledger.clock import ManualClock
from giftflow.payments import Checkout, PaymentProvider
from giftflow.payments.sandbox import SandboxProvider
from giftflow.server import create_app
from giftflow.service.economy import Economy
from giftflow.service.events import EventBus, InProcessBus
from giftflow.settings import Settings
from giftflow.store import credentials, open_store
from giftflow.store.tx import Row, Tx
from tests.api.receiver import Receiver, receiving
from tests.tables import (
    ALL_TABLES,
    BUMP_WEBHOOK_STATE,
    RESET_LEDGER_CLOCK,
    RESET_TEST_CLOCK,
    empty_tables,
)

TOKEN_SECRET = "api-test-token-secret-0123456789abcdef"
SANDBOX_SECRET = b"api-test-sandbox-secret-0123456789abcdef"
START = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
START_NS = int(START.timestamp()) * 1_000_000_000
DAY_S = 86_400
ADULT = "1990-05-17"
MINOR = "2010-01-01"
IBAN = "DE89 3704 0044 0532 0130 00"
"""The IBAN standard's own example (valid, nobody's)."""
ROSE = 5655
"""1 coin, streakable."""
DOUGHNUT = 5879
"""30 coins, streakable."""
LION = 6369
"""29,999 coins, not streakable."""
SERVER_START_TIMEOUT_S = 10
RATE_LIMITS_OFF: dict[str, Any] = {f"rate_limit_{kind}_burst": 10**9 for kind in Kind}
"""Settings that no test's requests reach (tests of the limits set their own)."""
PROBLEM = "application/problem+json"
Json = dict[str, Any]
HOOKS: Json = {"webhooks_worker": False, "webhooks_allow_private": True}
"""Webhooks out to a loopback receiver, kept in the outbox: no worker delivers them, the
tests run the delivery passes themselves."""


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 and a free port, in a thread; its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, ws="websockets-sansio", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(SERVER_START_TIMEOUT_S)
        sock.close()


def wipe_postgres(url: str) -> None:
    """Empty every table of the session database (ledger and economy alike)."""
    empty_tables(url, ALL_TABLES, RESET_LEDGER_CLOCK, BUMP_WEBHOOK_STATE, RESET_TEST_CLOCK)


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def checkout_of(payment: Json) -> Checkout:
    return Checkout(
        provider="sandbox", provider_payment_id=payment["provider_payment_id"], url=None
    )


def assert_problem(response: httpx.Response, status: int, code: str) -> Json:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: Json = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["type"] == f"urn:giftflow:problem:{code}"
    assert body["title"] and body["detail"]
    return body


@dataclass
class World:
    """A served economy and the hands that play it over HTTP."""

    economy: Economy
    clock: ManualClock
    sandbox: SandboxProvider
    client: httpx.Client
    admin_key: str
    """A platform key with the ``admin`` scope (every scope)."""
    bus: EventBus = field(default_factory=InProcessBus)
    """The app's event bus."""
    _ids: Iterator[int] = field(default_factory=itertools.count)

    # --- credentials ----------------------------------------------------------------

    def key(self, *scopes: str) -> str:
        return create_api_key(self.economy.ledger, name="test key", scopes=scopes).key

    def token(self, user_id: int, role: str = "viewer") -> str:
        """A user token from ``POST /v1/tokens``; for ``admin`` the user is made staff
        first (only staff users hold admin tokens)."""
        if role == "admin":
            self.make_staff(user_id)
        response = self.post("/v1/tokens", {"user_id": user_id, "role": role}, self.admin_key)
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def make_staff(self, user_id: int, *, staff: bool = True) -> None:
        """What ``giftflow users staff`` does."""
        now_ns = self.clock.now_ns()
        self.economy.ledger.write(
            credentials.set_staff(UserId(user_id), staff=staff, now_ns=now_ns)
        )

    # --- requests -------------------------------------------------------------------

    def get(self, path: str, credential: str | None = None, **params: Any) -> httpx.Response:
        headers = bearer(credential) if credential else {}
        return self.client.get(path, headers=headers, params=params)

    def post(
        self,
        path: str,
        body: Json | None,
        credential: str | None = None,
        *,
        key: str | None = None,
    ) -> httpx.Response:
        """POST ``body`` as JSON; ``key`` is the Idempotency-Key (none when None)."""
        headers = bearer(credential) if credential else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(path, json=body, headers=headers)

    def put_json(self, path: str, body: Json, credential: str | None = None) -> httpx.Response:
        return self.send_json("PUT", path, body, credential)

    def patch_json(self, path: str, body: Json, credential: str | None = None) -> httpx.Response:
        return self.send_json("PATCH", path, body, credential)

    def send_json(
        self, method: str, path: str, body: Json, credential: str | None = None
    ) -> httpx.Response:
        headers = bearer(credential) if credential else {}
        return self.client.request(method, path, json=body, headers=headers)

    def upload(self, creator_id: int, content: bytes, **params: str) -> httpx.Response:
        """``POST /v1/creators/{id}/files`` with the admin key: ``content`` as text,
        ``params`` the query (its ``filename``)."""
        headers = {**bearer(self.admin_key), "Content-Type": "text/plain"}
        path = f"/v1/creators/{creator_id}/files"
        return self.client.post(path, content=content, params=params, headers=headers)

    def new_key(self) -> str:
        return str(uuid.uuid4())

    def ok(self, response: httpx.Response, status: int = 200) -> Json:
        assert response.status_code == status, response.text
        body: Json = response.json()
        return body

    # --- the moves every scenario makes --------------------------------------------------

    def user(self, name: str, *, creator: bool = False, birth_date: str = ADULT) -> Json:
        body = {
            "external_id": name,
            "display_name": name.title(),
            "birth_date": birth_date,
            "region": "US",
            "is_creator": creator,
            "identity_verified": creator,
        }
        user = self.ok(self.post("/v1/users", body, self.admin_key), 201)
        if creator:  # where their payouts go, as a platform sets it at sign-up
            payee = {"kind": "iban", "destination": IBAN, "holder_name": name.title()}
            path = f"/v1/creators/{user['id']}/payee-destination"
            self.ok(self.put_json(path, payee, self.admin_key))
        return user

    def purchase(self, user_id: int, coins: int) -> Json:
        body = {"user_id": user_id, "channel": "web", "provider": "sandbox", "coins": coins}
        return self.ok(self.post("/v1/purchases", body, self.admin_key, key=self.new_key()), 201)

    def webhook(self, event: tuple[bytes, dict[str, str]]) -> httpx.Response:
        payload, headers = event
        headers = {**headers, "Content-Type": "application/json"}
        return self.client.post("/v1/webhooks/sandbox", content=payload, headers=headers)

    def pay(self, payment: Json) -> Json:
        event = self.sandbox.event_paid(
            checkout_of(payment), payment["amount_minor"], payment["currency"]
        )
        return self.ok(self.webhook(event))

    def buy(self, user_id: int, coins: int) -> Json:
        """``coins`` bought on the web as a custom amount and paid: the payment."""
        payment = self.purchase(user_id, coins)
        return self.ok(self.webhook_paid(payment))["payment"]  # type: ignore[no-any-return]

    def webhook_paid(self, payment: Json) -> httpx.Response:
        return self.webhook(
            self.sandbox.event_paid(
                checkout_of(payment), payment["amount_minor"], payment["currency"]
            )
        )

    def gift_body(self, sender: int, creator: int, gift_id: int = ROSE, **fields: Any) -> Json:
        body: Json = {"sender_id": sender, "creator_id": creator, "gift_id": gift_id}
        if "streak" not in fields:
            body["event_id"] = f"event-{next(self._ids)}"
        return body | fields

    def gift(self, sender: int, creator: int, gift_id: int = ROSE, **fields: Any) -> Json:
        body = self.gift_body(sender, creator, gift_id, **fields)
        return self.ok(self.post("/v1/gifts", body, self.admin_key, key=self.new_key()), 201)

    # --- books ----------------------------------------------------------------------

    def coins(self, user_id: int) -> int:
        return self.economy.wallet(UserId(user_id)).coins

    def count(self, table: str) -> int:
        return int(self.economy.ledger.read(lambda tx: tx.scalar(f"SELECT COUNT(*) FROM {table}")))

    def snapshot(self) -> Json:
        """Everything a refused request must leave as it was: the books (reconciled),
        every account's balances, and the rows of every economy table."""
        report = self.economy.reconcile()
        assert report.ok, (report.mismatches, report.problems)

        def balances(tx: Tx) -> list[Row]:
            return tx.execute(
                "SELECT id, debits_pending, debits_posted, credits_pending, credits_posted,"
                " flags FROM accounts ORDER BY id"
            ).fetchall()

        def battles(tx: Tx) -> list[Row]:
            return tx.execute(
                "SELECT i.id, i.state, e.session_id, e.answer FROM battle_invitations i"
                " JOIN battle_invitees e ON e.invitation_id = i.id ORDER BY i.id, e.session_id"
            ).fetchall()

        tables = (
            "users", "payments", "payment_events", "gifts", "streaks", "payouts",
            "fraud_decisions", "battles", "promotions", "promotion_impressions", "campaigns",
            "scheduled_lives", "schedule_registrations", "schedule_offsets", "milestone_channels",
            "milestone_rules", "milestone_posts", "subathons", "subathon_controls",
            "subathon_gifts", "gift_rules", "gift_rule_firings", "bio_pages", "bio_links",
            "bio_consents", "bio_leads", "bio_visits", "creator_files", "products",
            "delivering_perks", "product_purchases", "questions",
        )  # fmt: skip
        return {
            "transfers": report.transfers,
            "accounts": self.economy.ledger.read(balances),
            "invitations": self.economy.ledger.read(battles),
            "rows": {table: self.count(table) for table in tables},
            "payouts": [(p.id, p.state) for p in self.economy.payouts()],
            "promotions": self.economy.ledger.read(
                lambda tx: tx.execute("SELECT id, state FROM promotions ORDER BY id").fetchall()
            ),
        }


@contextmanager
def open_world(
    url: str,
    payout_dir: Path,
    *,
    bus: EventBus | None = None,
    providers: Mapping[str, PaymentProvider] | None = None,
    **settings: Any,
) -> Iterator[World]:
    """An economy on ``url`` (emptied first on PostgreSQL) served over HTTP, its events
    on ``bus`` (a fresh in-process bus when None), with the sandbox and ``providers``."""
    postgres = url.startswith("postgresql")
    if postgres:
        open_store(url).close()  # the schema first, on a database never opened before
        wipe_postgres(url)
    clock = ManualClock(START_NS)
    tokens = itertools.count(1)
    sandbox = SandboxProvider(SANDBOX_SECRET, clock, new_token=lambda: f"{next(tokens):06d}")
    # The fraud rule and the rate limits out of the way, unless a test sets them.
    defaults: Json = {"velocity_limit": 100_000, "payout_dir": payout_dir} | RATE_LIMITS_OFF
    options = defaults | {"environment": "development"} | settings  # the sandbox: play money
    config = Settings(database_url=url, token_secret=SecretStr(TOKEN_SECRET), **options)
    chosen = {"sandbox": sandbox, **(providers or {})}
    economy = Economy.open(config, clock=clock, providers=chosen)
    try:
        events = InProcessBus() if bus is None else bus
        # The expiry sweep deletes by the economy's clock, which tests move by days: a test
        # of it calls Economy.delete_expired itself.
        app = create_app(economy, config, events, expiry_interval_s=None)
        admin = create_api_key(economy.ledger, name="admin", scopes=["admin"]).key
        with served(app) as url_, httpx.Client(base_url=url_, timeout=30) as client:
            yield World(economy, clock, sandbox, client, admin, bus=events)
    finally:
        economy.close()
        if postgres:
            wipe_postgres(url)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    """A fresh economy served over HTTP, on each backend."""
    with open_world(database_url, tmp_path / "payouts") as opened:
        yield opened


@pytest.fixture
def hook_settings() -> Json:
    """The settings of ``hooked``'s world: ``HOOKS``; a module overrides this fixture
    for more (its retry schedule)."""
    return HOOKS


@pytest.fixture
def hooked(database_url: str, tmp_path: Path, hook_settings: Json) -> Iterator[World]:
    """A fresh economy served over HTTP whose webhooks wait in the outbox."""
    with open_world(database_url, tmp_path / "payouts", **hook_settings) as opened:
        yield opened


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback, answering 204 until told otherwise."""
    with receiving() as opened:
        yield opened


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    ids=["sqlite", "postgres"],
)
def module_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database for a whole module's world, on each backend."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('api') / 'economy.db'}"


@dataclass
class Scene:
    """A world with a little of everything, for tests that must change nothing: users of
    each role, a paid purchase, gifts, matured diamonds, a held payout, an exported
    batch, an open fraud decision, and carol and dave live in a battle (started by the
    platform) beside carol's pending invitation of dave."""

    world: World
    ids: dict[str, Any]


def build_scene(world: World) -> Scene:
    alice, bob = world.user("alice")["id"], world.user("bob")["id"]
    carol = world.user("carol", creator=True)["id"]
    dave = world.user("dave", creator=True)["id"]
    ops = world.user("ops")["id"]
    minnie = world.user("minnie", birth_date=MINOR)["id"]
    payment = world.buy(alice, 70_000)
    for _ in range(2):
        world.gift(alice, carol, LION)
    world.gift(alice, carol, ROSE, streak={"id": "combo", "repeat_count": 2})
    world.clock.advance(seconds=8 * DAY_S)
    held, exported = (
        world.ok(
            world.post(
                "/v1/payouts",
                {"creator_id": carol, "diamonds": 10_000},
                world.admin_key,
                key=world.new_key(),
            ),
            201,
        )["id"]
        for _ in range(2)
    )
    world.economy.approve_payout(exported)
    batch = world.economy.export_payouts()
    assert batch is not None
    refused = world.post("/v1/gifts", world.gift_body(dave, dave), world.admin_key, key="self")
    assert refused.status_code == 422
    decision = world.economy.fraud_decisions(open_only=True)[0].id
    session, dave_session = (
        world.ok(world.post(f"/v1/rooms/{room}/sessions", {}, world.admin_key), 201)["id"]
        for room in (carol, dave)
    )
    invite = {"session_id": session, "invitee_session_ids": [dave_session], "expires_in_s": 600}
    invitation = world.ok(world.post("/v1/battle-invitations", invite, world.admin_key), 201)
    # The platform starts this battle at once; the invitation stays pending beside it.
    battle = world.post("/v1/battles", {"session_ids": [session, dave_session]}, world.admin_key)
    # A platform's webhook endpoint on a loopback port nobody listens on (deliveries
    # fail and wait for their retry), and one delivery of a gift to it.
    hook = {"url": "http://127.0.0.1:9/hooks", "event_types": ["gift.sent"]}
    endpoint = world.ok(world.post("/v1/webhook-endpoints", hook, world.admin_key), 201)["id"]
    world.gift(alice, carol, ROSE)
    deliveries = world.ok(
        world.get(f"/v1/webhook-endpoints/{endpoint}/deliveries", world.admin_key)
    )
    promotion, campaign = _promotion(world, carol)
    schedule = _schedule(world, carol, alice)
    milestones = {"format": "json", "url": "http://127.0.0.1:9/milestones"}
    channel = world.post(f"/v1/rooms/{carol}/milestone-channels", milestones, world.admin_key)
    subathon, gift_rule = _subathon(world, carol)
    goods = _products(world, carol, alice, session)
    ids = goods | {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "ops": ops,
        "minnie": minnie,
        "payment": payment["id"],
        "payment_json": payment,
        "payout": held,
        "exported": exported,
        "batch": batch[0],
        "decision": decision,
        "session": session,
        "dave_session": dave_session,
        "battle": world.ok(battle, 201)["id"],
        "invitation": invitation["id"],
        "endpoint": endpoint,
        "delivery": deliveries["deliveries"][0]["id"],
        "promotion": promotion,
        "campaign": campaign,
        "schedule": schedule,
        "milestone_channel": world.ok(channel, 201)["id"],
        "subathon": subathon,
        "gift_rule": gift_rule,
    }
    return Scene(world, ids)


def _subathon(world: World, creator: int) -> tuple[str, int]:
    """Carol's subathon, running for a year, and a gift rule of her room."""
    body = {"initial_s": 366 * DAY_S, "cap_s": 366 * DAY_S}
    started = world.ok(world.post(f"/v1/rooms/{creator}/subathons", body, world.admin_key), 201)
    rule = {"action": "confetti", "min_coins": 30_000}
    created = world.ok(world.post(f"/v1/rooms/{creator}/gift-rules", rule, world.admin_key), 201)
    return str(started["id"]), int(created["id"])


def _products(world: World, creator: int, buyer: int, session: int) -> dict[str, str]:
    """Carol's file, a file perk of it, a product that delivers it and alice's purchase
    of it; alice a supporter asking in carol's priority Q&A queue."""
    file_id = world.ok(world.upload(creator, b"preset", filename="p.txt"), 201)["id"]
    body = {"kind": "file", "level": 1, "file_id": file_id}
    perk = world.ok(world.post(f"/v1/rooms/{creator}/delivering-perks", body, world.admin_key), 201)
    body = {"title": "Presets", "price_coins": 10, "file_ids": [file_id]}
    product = world.ok(world.post(f"/v1/rooms/{creator}/products", body, world.admin_key), 201)
    path = f"/v1/products/{product['id']}/purchases"
    purchase = world.ok(world.post(path, {"buyer_id": buyer}, world.admin_key, key="buy"), 201)
    world.gift(buyer, creator, ROSE, session_id=session)
    perks = {"perks": [{"level": 1, "kind": "qa_priority"}]}
    world.ok(world.put_json(f"/v1/rooms/{creator}/perks", perks, world.admin_key))
    ask = {"user_id": buyer, "text": "Which lens?"}
    question = world.post(f"/v1/sessions/{session}/questions", ask, world.admin_key)
    return {
        "file": file_id,
        "perk": perk["id"],
        "product": product["id"],
        "purchase": purchase["id"],
        "question": world.ok(question, 201)["id"],
    }


def _schedule(world: World, creator: int, viewer: int) -> str:
    """Carol's LIVE scheduled for next month, with alice registered."""
    starts = datetime.fromtimestamp(world.clock.now_ns() // 1_000_000_000, UTC) + timedelta(days=30)
    body = {"title": "Next month", "starts_at": starts.isoformat()}
    scheduled = world.ok(world.post(f"/v1/rooms/{creator}/schedules", body, world.admin_key), 201)
    registration = {"user_id": viewer}
    path = f"/v1/schedules/{scheduled['id']}/registrations"
    world.ok(world.post(path, registration, world.admin_key), 201)
    return str(scheduled["id"])


def _promotion(world: World, creator: int) -> tuple[str, str]:
    """Carol's campaign and a promotion of it in review (its budget reserved)."""
    world.buy(creator, 5_000)
    key = world.admin_key
    body = {"creator_id": creator, "name": "Launch"}
    campaign = world.ok(world.post("/v1/campaigns", body, key, key=world.new_key()), 201)["id"]
    now = datetime.fromtimestamp(world.clock.now_ns() / 1e9, UTC)
    promotion = {
        "creator_id": creator,
        "content_kind": "video",
        "content_id": "clip-1",
        "goal": "views",
        "budget_coins": 1_000,
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=60)).isoformat(),
        "campaign_id": campaign,
    }
    created = world.ok(world.post("/v1/promotions", promotion, key, key=world.new_key()), 201)
    world.ok(world.post(f"/v1/promotions/{created['id']}/submit", None, key, key=world.new_key()))
    return created["id"], campaign


@pytest.fixture(scope="module")
def scene(module_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    """One scene per module and backend (its tests change nothing, by design)."""
    payouts = tmp_path_factory.mktemp("payouts")
    with open_world(module_url, payouts, webhooks_allow_private=True) as world:
        yield build_scene(world)
