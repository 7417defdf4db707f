"""Who may reach what: every caller against every endpoint it must not reach gets a
401 or 403 problem, and nothing changes.

Callers: no credentials or bad ones (401); the tokens of two viewers, two creators and
an administrator; and a platform key for each scope on its own. Each endpoint lists
who may call it; everyone else is tried.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest

from giftflow.http.keys import create_api_key, revoke_api_key
from giftflow.http.principals import SCOPES
from tests.api.conftest import DAY_S, PROBLEM, TOKEN_SECRET, Scene, World, bearer

UNAUTHENTICATED = ("anonymous", "garbage", "expired", "foreign", "revoked", "not_a_key")
TOKENS = ("alice", "bob", "carol", "dave", "admin")
KEYS = tuple(f"key {scope}" for scope in sorted(SCOPES))
ADMINS = frozenset({"admin", "key admin"})
EVERYONE = frozenset(TOKENS + KEYS)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    allowed: frozenset[str]
    body: dict[str, Any] | None = None
    query: dict[str, Any] = field(default_factory=dict)
    multipart: bool = False


def allow(*names: str) -> frozenset[str]:
    return frozenset(names) | {"key admin"}


LIVE_WRITE = allow("carol", "admin", "key live:write")
LIVE_READ = allow("carol", "admin", "key live:read")
WEBHOOKS = allow("admin", "key webhooks:write")
NO_ENDPOINT = "/v1/webhook-endpoints/we_0000000000000000"
PROMOTIONS = allow("carol", "admin", "key promotions:write")
PROMOTION = "/v1/promotions/{promotion}"
FEED = allow("key promote:write")
SCHEDULE = "/v1/schedules/{schedule}"
MILESTONE_CHANNEL = "/v1/milestone-channels/{milestone_channel}"
SUBATHON = "/v1/subathons/{subathon}"
GIFT_RULE = "/v1/gift-rules/{gift_rule}"
BIO = "/v1/creators/{carol}/bio"
A_SCHEDULE = {"title": "Later", "starts_at": "2024-08-01T18:00:00Z"}
A_PROMOTION = {
    "creator_id": "{carol}",
    "content_kind": "live",
    "content_id": "live-1",
    "goal": "live_viewers",
    "budget_coins": 10,
    "starts_at": "2024-06-20T12:00:00Z",
    "ends_at": "2024-06-21T12:00:00Z",
}

ENDPOINTS = [
    Endpoint("read a user", "GET", "/v1/users/{alice}", allow("alice", "admin", "key users:read")),
    Endpoint(
        "register a user",
        "POST",
        "/v1/users",
        allow("key users:write"),
        {"external_id": "eve", "display_name": "Eve", "birth_date": "1990-01-01", "region": "US"},
    ),
    Endpoint(
        "register a verified user",
        "POST",
        "/v1/users",
        allow(),  # users:write and users:verify together (no single scope but admin)
        {
            "external_id": "vera",
            "display_name": "Vera",
            "birth_date": "1990-01-01",
            "region": "US",
            "identity_verified": True,
        },
    ),
    Endpoint(
        "update a user",
        "PATCH",
        "/v1/users/{alice}",
        allow("admin", "key users:write"),
        {"is_creator": True},
    ),
    Endpoint("update nothing", "PATCH", "/v1/users/{alice}", allow("admin", "key users:write"), {}),
    Endpoint(
        "verify alice's identity",
        "PATCH",
        "/v1/users/{alice}",
        allow("admin", "key users:verify"),
        {"identity_verified": True},
    ),
    Endpoint(
        "withdraw carol's verification",
        "PATCH",
        "/v1/users/{carol}",
        allow("admin", "key users:verify"),
        {"identity_verified": False},
    ),
    Endpoint(
        "make alice a verified creator",
        "PATCH",
        "/v1/users/{alice}",
        allow("admin"),
        {"is_creator": True, "identity_verified": True},
    ),
    Endpoint(
        "issue a token",
        "POST",
        "/v1/tokens",
        allow("key tokens:write"),
        {"user_id": "{alice}", "role": "viewer"},
    ),
    Endpoint(
        "issue an admin token", "POST", "/v1/tokens", allow(), {"user_id": "{ops}", "role": "admin"}
    ),
    Endpoint(
        "revoke another token by its id",
        "POST",
        "/v1/tokens/revoke",
        allow("admin", "key tokens:write"),
        {"token_id": "0" * 32},
    ),
    Endpoint(
        "revoke every token of alice",
        "POST",
        "/v1/users/{alice}/tokens/revoke",
        allow("alice", "admin", "key tokens:write"),
    ),
    Endpoint(
        "a sign-in link for carol",
        "POST",
        "/v1/tokens/sign-in-links",
        allow("key tokens:write"),
        {"user_id": "{carol}", "role": "creator"},
    ),
    Endpoint(
        "an admin sign-in link",
        "POST",
        "/v1/tokens/sign-in-links",
        allow(),
        {"user_id": "{ops}", "role": "admin"},
    ),
    Endpoint("list regions", "GET", "/v1/catalog/regions", EVERYONE),
    Endpoint("list gifts", "GET", "/v1/catalog/gifts", EVERYONE),
    Endpoint("list packs", "GET", "/v1/catalog/packs", EVERYONE, query={"region": "US"}),
    Endpoint(
        "buy coins for alice",
        "POST",
        "/v1/purchases",
        allow("alice", "key purchases:write"),
        {"user_id": "{alice}", "channel": "web", "provider": "sandbox", "coins": 100},
    ),
    Endpoint(
        "read alice's payment",
        "GET",
        "/v1/payments/{payment}",
        allow("alice", "admin", "key purchases:write"),
    ),
    Endpoint(
        "send a gift as alice",
        "POST",
        "/v1/gifts",
        allow("alice", "key gifts:write"),
        {"sender_id": "{alice}", "creator_id": "{carol}", "gift_id": 5655, "event_id": "authz"},
    ),
    Endpoint(
        "send a batch",
        "POST",
        "/v1/gifts/batch",
        allow("key gifts:write"),
        {
            "gifts": [
                {"sender_id": "{alice}", "creator_id": "{carol}", "gift_id": 5655, "event_id": "b"}
            ]
        },
    ),
    Endpoint(
        "end alice's streak",
        "POST",
        "/v1/streaks/combo/end",
        allow("alice", "key gifts:write"),
        {"sender_id": "{alice}"},
    ),
    Endpoint(
        "read alice's wallet",
        "GET",
        "/v1/wallets/{alice}",
        allow("alice", "admin", "key wallets:read"),
    ),
    Endpoint(
        "read carol's earnings",
        "GET",
        "/v1/earnings/{carol}",
        allow("carol", "admin", "key earnings:read"),
    ),
    Endpoint(
        "read a viewer's earnings with her viewer token",
        "GET",
        "/v1/earnings/{alice}",
        allow("admin", "key earnings:read"),
    ),
    Endpoint(
        "read carol's statement",
        "GET",
        "/v1/earnings/{carol}/statement",
        allow("carol", "admin", "key earnings:read"),
    ),
    Endpoint(
        "request a payout for carol",
        "POST",
        "/v1/payouts",
        allow("carol", "key payouts:write"),
        {"creator_id": "{carol}", "diamonds": 1_000},
    ),
    Endpoint(
        "list payouts", "GET", "/v1/payouts", allow("carol", "dave", "admin", "key payouts:write")
    ),
    Endpoint(
        "list carol's payouts",
        "GET",
        "/v1/payouts",
        allow("carol", "admin", "key payouts:write"),
        query={"creator_id": "{carol}"},
    ),
    Endpoint(
        "read carol's payout",
        "GET",
        "/v1/payouts/{payout}",
        allow("carol", "admin", "key payouts:write"),
    ),
    Endpoint("hold a payout", "POST", "/v1/payouts/{payout}/hold", ADMINS),
    Endpoint("approve a payout", "POST", "/v1/payouts/{payout}/approve", ADMINS),
    Endpoint("reject a payout", "POST", "/v1/payouts/{payout}/reject", ADMINS, {"reason": "no"}),
    Endpoint("export a batch", "POST", "/v1/admin/payout-batches", ADMINS, {"partner": "manual"}),
    Endpoint("download a batch", "GET", "/v1/admin/payout-batches/{batch}/file", ADMINS),
    Endpoint("upload results", "POST", "/v1/admin/payout-batches/results", ADMINS, multipart=True),
    Endpoint("list fraud decisions", "GET", "/v1/admin/fraud-decisions", ADMINS),
    Endpoint(
        "review a fraud decision",
        "POST",
        "/v1/admin/fraud-decisions/{decision}/review",
        ADMINS,
        {"upheld": True},
    ),
    Endpoint("freeze a wallet", "POST", "/v1/admin/users/{alice}/freeze", ADMINS),
    Endpoint("unfreeze a wallet", "POST", "/v1/admin/users/{alice}/unfreeze", ADMINS),
    Endpoint("reconcile", "GET", "/v1/admin/reconcile", ADMINS),
    Endpoint(
        "issue a room token for carol",
        "POST",
        "/v1/rooms/{carol}/tokens",
        allow("carol", "admin", "key rooms:write"),
    ),
    Endpoint(
        "revoke carol's room tokens",
        "POST",
        "/v1/rooms/{carol}/tokens/revoke",
        allow("carol", "admin", "key rooms:write"),
    ),
    Endpoint("start carol's LIVE", "POST", "/v1/rooms/{carol}/sessions", LIVE_WRITE, {}),
    Endpoint("end carol's LIVE", "POST", "/v1/sessions/{session}/end", LIVE_WRITE),
    Endpoint("read carol's LIVE", "GET", "/v1/sessions/{session}", LIVE_READ),
    Endpoint(
        "let bob join carol's LIVE",
        "POST",
        "/v1/sessions/{session}/viewers/{bob}/join",
        LIVE_WRITE | {"bob"},
    ),
    Endpoint(
        "let bob leave carol's LIVE",
        "POST",
        "/v1/sessions/{session}/viewers/{bob}/leave",
        LIVE_WRITE | {"bob"},
    ),
    Endpoint(
        "a like from bob",
        "POST",
        "/v1/sessions/{session}/interactions",
        LIVE_WRITE | {"bob"},
        {"user_id": "{bob}", "kind": "like"},
    ),
    Endpoint(
        "plan chapters",
        "POST",
        "/v1/sessions/{session}/chapters",
        LIVE_WRITE,
        {"chapters": [{"kind": "hook", "planned_s": 60}]},
    ),
    Endpoint("advance a chapter", "POST", "/v1/sessions/{session}/chapters/advance", LIVE_WRITE),
    Endpoint(
        "create a goal", "POST", "/v1/sessions/{session}/goals", LIVE_WRITE, {"target_coins": 10}
    ),
    Endpoint("list goals", "GET", "/v1/sessions/{session}/goals", LIVE_READ),
    Endpoint(
        "start a battle at once",
        "POST",
        "/v1/battles",
        allow("admin", "key live:write"),  # creators invite; nobody is pulled in unasked
        {"session_ids": ["{session}", "{dave_session}"]},
    ),
    Endpoint(
        "carol invites dave to a battle",
        "POST",
        "/v1/battle-invitations",
        LIVE_WRITE,
        {"session_id": "{session}", "invitee_session_ids": ["{dave_session}"]},
    ),
    Endpoint(
        "dave invites carol to a battle",
        "POST",
        "/v1/battle-invitations",
        allow("dave", "admin", "key live:write"),
        {"session_id": "{dave_session}", "invitee_session_ids": ["{session}"]},
    ),
    Endpoint(
        "read an invitation", "GET", "/v1/battle-invitations/{invitation}", LIVE_READ | {"dave"}
    ),
    Endpoint(
        "dave accepts carol's invitation",
        "POST",
        "/v1/battle-invitations/{invitation}/accept",
        allow("dave", "admin", "key live:write"),  # never carol, who sent it
        {"session_id": "{dave_session}"},
    ),
    Endpoint(
        "dave declines carol's invitation",
        "POST",
        "/v1/battle-invitations/{invitation}/decline",
        allow("dave", "admin", "key live:write"),
        {"session_id": "{dave_session}"},
    ),
    Endpoint(
        "carol withdraws her invitation",
        "POST",
        "/v1/battle-invitations/{invitation}/withdraw",
        LIVE_WRITE,
    ),
    Endpoint(
        "carol's pending invitations", "GET", "/v1/rooms/{carol}/battle-invitations", LIVE_READ
    ),
    Endpoint(
        "boost carol's side",
        "POST",
        "/v1/battles/{battle}/booster",
        LIVE_WRITE,
        {"session_id": "{session}"},
    ),
    Endpoint("end a battle", "POST", "/v1/battles/{battle}/end", LIVE_WRITE | {"dave"}),
    Endpoint("read a battle", "GET", "/v1/battles/{battle}", LIVE_READ | {"dave"}),
    Endpoint("session leaderboard", "GET", "/v1/sessions/{session}/leaderboard", LIVE_READ),
    Endpoint("room leaderboard", "GET", "/v1/rooms/{carol}/leaderboard", LIVE_READ),
    Endpoint("read perks", "GET", "/v1/rooms/{carol}/perks", LIVE_READ),
    Endpoint("replace perks", "PUT", "/v1/rooms/{carol}/perks", LIVE_WRITE, {"perks": []}),
    Endpoint("carol's LIVE series", "GET", "/v1/sessions/{session}/series", LIVE_READ),
    Endpoint("carol's LIVE report", "GET", "/v1/sessions/{session}/report", LIVE_READ),
    Endpoint("carol's report page", "GET", "/v1/sessions/{session}/report.html", LIVE_READ),
    Endpoint(
        "a link to carol's report page",
        "POST",
        "/v1/sessions/{session}/report-links",
        LIVE_READ,
        {"expires_in_s": 600},
    ),
    Endpoint(
        "revoke a link to carol's report page",
        "POST",
        "/v1/sessions/{session}/report-links/rl_" + "0" * 28 + "/revoke",
        LIVE_READ,
    ),
    Endpoint("carol's LIVEs", "GET", "/v1/creators/{carol}/sessions", LIVE_READ),
    Endpoint("carol's cohorts", "GET", "/v1/creators/{carol}/cohorts", LIVE_READ),
    Endpoint(
        "carol's coin flows",
        "GET",
        "/v1/creators/{carol}/coin-flows",
        LIVE_READ,
        query={"from": "2024-06-01", "to": "2024-07-01"},
    ),
    Endpoint(
        "the platform's coin flows",
        "GET",
        "/v1/coin-flows",
        ADMINS,
        query={"from": "2024-06-01", "to": "2024-07-01"},
    ),
    Endpoint(
        "bob follows carol",
        "POST",
        "/v1/creators/{carol}/followers",
        allow("bob", "admin", "key live:write"),
        {"user_id": "{bob}"},
    ),
    Endpoint(
        "register a webhook endpoint",
        "POST",
        "/v1/webhook-endpoints",
        WEBHOOKS,
        {"url": "https://example.com/hooks"},
    ),
    Endpoint("list webhook endpoints", "GET", "/v1/webhook-endpoints", WEBHOOKS),
    Endpoint("read a webhook endpoint", "GET", NO_ENDPOINT, WEBHOOKS),
    Endpoint("change a webhook endpoint", "PATCH", NO_ENDPOINT, WEBHOOKS, {"enabled": False}),
    Endpoint("delete a webhook endpoint", "DELETE", NO_ENDPOINT, WEBHOOKS),
    Endpoint("rotate a webhook secret", "POST", f"{NO_ENDPOINT}/rotate-secret", WEBHOOKS),
    Endpoint("list webhook deliveries", "GET", f"{NO_ENDPOINT}/deliveries", WEBHOOKS),
    Endpoint("redeliver a webhook", "POST", f"{NO_ENDPOINT}/deliveries/1/redeliver", WEBHOOKS),
    Endpoint("create a promotion", "POST", "/v1/promotions", PROMOTIONS, A_PROMOTION),
    Endpoint(
        "list promotions",
        "GET",
        "/v1/promotions",
        allow("carol", "dave", "admin", "key promotions:write"),
    ),
    Endpoint("read a promotion", "GET", PROMOTION, PROMOTIONS),
    Endpoint("submit a promotion", "POST", f"{PROMOTION}/submit", PROMOTIONS),
    Endpoint("cancel a promotion", "POST", f"{PROMOTION}/cancel", PROMOTIONS),
    Endpoint("pause a promotion", "POST", f"{PROMOTION}/pause", PROMOTIONS),
    Endpoint("resume a promotion", "POST", f"{PROMOTION}/resume", PROMOTIONS),
    Endpoint("approve a promotion", "POST", f"{PROMOTION}/approve", ADMINS | {"key admin"}),
    Endpoint("reject a promotion", "POST", f"{PROMOTION}/reject", ADMINS, {"reason": "no"}),
    Endpoint("a promotion's report", "GET", f"{PROMOTION}/report", PROMOTIONS),
    Endpoint(
        "create a campaign",
        "POST",
        "/v1/campaigns",
        PROMOTIONS,
        {"creator_id": "{carol}", "name": "x"},
    ),
    Endpoint(
        "list campaigns",
        "GET",
        "/v1/campaigns",
        allow("carol", "dave", "admin", "key promotions:write"),
    ),
    Endpoint("read a campaign", "GET", "/v1/campaigns/{campaign}", PROMOTIONS),
    Endpoint("a campaign's report", "GET", "/v1/campaigns/{campaign}/report", PROMOTIONS),
    Endpoint("fill a feed request", "POST", "/v1/promote/fill", FEED, {"viewer_id": 5, "slots": 1}),
    Endpoint(
        "report impression events",
        "POST",
        "/v1/promote/events",
        FEED,
        {"events": [{"impression_id": "im_x", "kind": "click"}]},
    ),
    Endpoint("a creator's planning", "GET", "/v1/creators/{carol}/promote-planning", PROMOTIONS),
    Endpoint(
        "schedule carol's LIVE", "POST", "/v1/rooms/{carol}/schedules", LIVE_WRITE, A_SCHEDULE
    ),
    Endpoint("carol's scheduled LIVEs", "GET", "/v1/rooms/{carol}/schedules", LIVE_READ),
    Endpoint("read a scheduled LIVE", "GET", SCHEDULE, LIVE_READ | {"alice"}),  # alice registered
    Endpoint("change a scheduled LIVE", "PATCH", SCHEDULE, LIVE_WRITE, {"title": "Moved"}),
    Endpoint("cancel a scheduled LIVE", "POST", f"{SCHEDULE}/cancel", LIVE_WRITE),
    Endpoint(
        "register bob",
        "POST",
        f"{SCHEDULE}/registrations",
        allow("bob", "admin", "key live:write"),
        {"user_id": "{bob}"},
    ),
    Endpoint(
        "unregister alice",
        "DELETE",
        f"{SCHEDULE}/registrations/{{alice}}",
        allow("alice", "admin", "key live:write"),
    ),
    Endpoint("list registrations", "GET", f"{SCHEDULE}/registrations", LIVE_READ),
    Endpoint("a scheduled LIVE's report", "GET", f"{SCHEDULE}/report", LIVE_READ),
    Endpoint(
        "a scheduled LIVE's calendar", "GET", f"{SCHEDULE}/calendar.ics", LIVE_READ | {"alice"}
    ),
    Endpoint("a LIVE's highlights", "GET", "/v1/sessions/{session}/highlights", PROMOTIONS),
    Endpoint(
        "add carol's milestone channel",
        "POST",
        "/v1/rooms/{carol}/milestone-channels",
        LIVE_WRITE,
        {"format": "discord", "url": "http://127.0.0.1:9/discord"},
    ),
    Endpoint(
        "carol's milestone channels", "GET", "/v1/rooms/{carol}/milestone-channels", LIVE_READ
    ),
    Endpoint("read a milestone channel", "GET", MILESTONE_CHANNEL, LIVE_READ),
    Endpoint("change a milestone channel", "PATCH", MILESTONE_CHANNEL, LIVE_WRITE, {"name": "x"}),
    Endpoint("delete a milestone channel", "DELETE", MILESTONE_CHANNEL, LIVE_WRITE),
    Endpoint("send a test post", "POST", f"{MILESTONE_CHANNEL}/test", LIVE_WRITE, {}),
    Endpoint("a milestone channel's posts", "GET", f"{MILESTONE_CHANNEL}/posts", LIVE_READ),
    Endpoint(
        "start carol's subathon",
        "POST",
        "/v1/rooms/{carol}/subathons",
        LIVE_WRITE,
        {"initial_s": 60, "cap_s": 60},
    ),
    Endpoint("carol's subathons", "GET", "/v1/rooms/{carol}/subathons", LIVE_READ),
    Endpoint("read a subathon", "GET", SUBATHON, LIVE_READ),
    Endpoint("change a subathon's rules", "PATCH", SUBATHON, LIVE_WRITE, {"tiers": []}),
    Endpoint("pause a subathon", "POST", f"{SUBATHON}/pause", LIVE_WRITE),
    Endpoint("resume a subathon", "POST", f"{SUBATHON}/resume", LIVE_WRITE),
    Endpoint("end a subathon", "POST", f"{SUBATHON}/end", LIVE_WRITE),
    Endpoint(
        "a gift rule for carol's room",
        "POST",
        "/v1/rooms/{carol}/gift-rules",
        LIVE_WRITE,
        {"action": "wave", "min_coins": 1},
    ),
    Endpoint("carol's gift rules", "GET", "/v1/rooms/{carol}/gift-rules", LIVE_READ),
    Endpoint("read a gift rule", "GET", GIFT_RULE, LIVE_READ),
    Endpoint("delete a gift rule", "DELETE", GIFT_RULE, LIVE_WRITE),
    Endpoint("a gift rule's firings", "GET", f"{GIFT_RULE}/firings", LIVE_READ),
    Endpoint("set carol's bio page", "PUT", BIO, LIVE_WRITE, {"slug": "carol", "title": "Carol"}),
    Endpoint("carol's bio page", "GET", BIO, LIVE_READ),
    Endpoint("set carol's bio links", "PUT", f"{BIO}/links", LIVE_WRITE, {"links": []}),
    Endpoint("carol's bio links", "GET", f"{BIO}/links", LIVE_READ),
    Endpoint("carol's bio figures", "GET", f"{BIO}/analytics", LIVE_READ),
    Endpoint("carol's leads", "GET", "/v1/creators/{carol}/leads", LIVE_READ),
    Endpoint("carol's leads as CSV", "GET", "/v1/creators/{carol}/leads.csv", LIVE_READ),
    Endpoint("delete a lead", "DELETE", "/v1/creators/{carol}/leads/ld_x", LIVE_WRITE),
    Endpoint(
        "upload a file",
        "POST",
        "/v1/creators/{carol}/files",
        LIVE_WRITE,
        query={"filename": "a.txt"},
    ),
    Endpoint("carol's files", "GET", "/v1/creators/{carol}/files", LIVE_READ),
    Endpoint(
        "add a file perk",
        "POST",
        "/v1/rooms/{carol}/delivering-perks",
        LIVE_WRITE,
        {"kind": "file", "level": 1, "file_id": "{file}"},
    ),
    Endpoint("carol's delivering perks", "GET", "/v1/rooms/{carol}/delivering-perks", EVERYONE),
    Endpoint("remove a perk", "DELETE", "/v1/delivering-perks/{perk}", LIVE_WRITE),
    Endpoint(
        "a perk's link for alice",
        "POST",
        "/v1/delivering-perks/{perk}/links",
        allow("alice", "admin", "key live:write"),
        {"user_id": "{alice}", "file_id": "{file}"},
    ),
    Endpoint(
        "create a product",
        "POST",
        "/v1/rooms/{carol}/products",
        LIVE_WRITE,
        {"title": "Pack", "price_coins": 5, "file_ids": ["{file}"]},
    ),
    Endpoint("carol's products", "GET", "/v1/rooms/{carol}/products", LIVE_READ),
    Endpoint("read a product", "GET", "/v1/products/{product}", EVERYONE),
    Endpoint("change a product", "PATCH", "/v1/products/{product}", LIVE_WRITE, {"title": "New"}),
    Endpoint(
        "bob buys a product",
        "POST",
        "/v1/products/{product}/purchases",
        allow("bob", "key purchases:write"),
        {"buyer_id": "{bob}"},
    ),
    Endpoint("a product's purchases", "GET", "/v1/products/{product}/purchases", LIVE_READ),
    Endpoint(
        "alice's products",
        "GET",
        "/v1/users/{alice}/product-purchases",
        allow("alice", "admin", "key wallets:read"),
    ),
    Endpoint(
        "read a product purchase", "GET", "/v1/product-purchases/{purchase}", LIVE_READ | {"alice"}
    ),
    Endpoint("refund a product", "POST", "/v1/product-purchases/{purchase}/refund", LIVE_WRITE),
    Endpoint(
        "a purchase's link",
        "POST",
        "/v1/product-purchases/{purchase}/links",
        allow("alice", "admin", "key purchases:write"),
        {"file_id": "{file}"},
    ),
    Endpoint(
        "ask in the queue",
        "POST",
        "/v1/sessions/{session}/questions",
        allow("alice", "admin", "key live:write"),
        {"user_id": "{alice}", "text": "Hi?"},
    ),
    Endpoint("the question queue", "GET", "/v1/sessions/{session}/questions", LIVE_READ),
    Endpoint("answer a question", "POST", "/v1/questions/{question}/answer", LIVE_WRITE),
    Endpoint("skip a question", "POST", "/v1/questions/{question}/skip", LIVE_WRITE),
]


@dataclass
class Callers:
    credentials: dict[str, str | None]


@pytest.fixture(scope="module")
def callers(scene: Scene) -> Callers:
    world, ids = scene.world, scene.ids
    # What has expired goes now, not when the app's minutely expiry happens to run in
    # the middle of a test (the scene's first keys are past their retention).
    world.economy.delete_expired()
    credentials: dict[str, str | None] = {
        "anonymous": None,
        "garbage": "not-a-credential",
        "not_a_key": "gf_0000000000000000_" + "x" * 43,
        "expired": _token(ids["alice"], "admin", expires_in_s=-1, world=world),
        "foreign": _token(ids["alice"], "admin", expires_in_s=600, world=world, secret="f" * 40),
    }
    revoked = create_api_key(world.economy.ledger, name="revoked", scopes=["admin"])
    revoke_api_key(world.economy.ledger, revoked.id)
    credentials["revoked"] = revoked.key
    for name in ("alice", "bob"):
        credentials[name] = world.token(ids[name], "viewer")
    for name in ("carol", "dave"):
        credentials[name] = world.token(ids[name], "creator")
    credentials["admin"] = world.token(ids["ops"], "admin")
    for name in KEYS:
        credentials[name] = world.key(name.removeprefix("key "))
    return Callers(credentials)


def _token(user_id: int, role: str, *, expires_in_s: int, world: World, secret: str = "") -> str:
    now_s = world.clock.now_ns() // 1_000_000_000
    claims = {
        "iss": "giftflow",
        "sub": str(user_id),
        "role": role,
        "key": world.admin_key[3:19],
        "jti": secrets.token_hex(16),
        "iat": now_s - 1,
        "exp": now_s + expires_in_s,
    }
    return jwt.encode(claims, secret or TOKEN_SECRET, algorithm="HS256")


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


def _refused(endpoint: Endpoint) -> Iterator[str]:
    yield from UNAUTHENTICATED
    yield from sorted(EVERYONE - endpoint.allowed)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_every_caller_not_allowed_is_refused_and_nothing_changes(
    scene: Scene, callers: Callers, endpoint: Endpoint
) -> None:
    world = scene.world
    before = world.snapshot(), world.count("idempotency_keys"), world.count("api_keys")
    wrong = []
    for caller in _refused(endpoint):
        response = _call(world, endpoint, scene.ids, callers.credentials[caller])
        expected = 401 if caller in UNAUTHENTICATED else 403
        body = response.json() if response.headers.get("content-type") == PROBLEM else {}
        codes = (
            {"unauthenticated", "token_invalid", "token_expired"}
            if expected == 401
            else {"forbidden", "scope_missing"}
        )
        if response.status_code != expected or body.get("code") not in codes:
            wrong.append((caller, response.status_code, response.text[:200]))
    assert wrong == []
    assert (world.snapshot(), world.count("idempotency_keys"), world.count("api_keys")) == before


def _call(world: World, endpoint: Endpoint, ids: dict[str, Any], credential: str | None) -> Any:
    headers = bearer(credential) if credential else {}
    if endpoint.method == "POST":
        headers["Idempotency-Key"] = world.new_key()
    request: dict[str, Any] = {"headers": headers, "params": _fill(endpoint.query, ids)}
    if endpoint.multipart:
        request["files"] = {"file": ("results.csv", b"payout_id,status\n", "text/csv")}
    elif endpoint.body is not None:
        request["json"] = _fill(endpoint.body, ids)
    return world.client.request(endpoint.method, _fill(endpoint.path, ids), **request)


def test_a_token_for_an_allowed_caller_works(scene: Scene, callers: Callers) -> None:
    """The matrix's other half, in brief: the owners reach their own data."""
    world, ids, credentials = scene.world, scene.ids, callers.credentials
    alice, carol = credentials["alice"], credentials["carol"]
    assert world.ok(world.get(f"/v1/wallets/{ids['alice']}", alice))["user_id"] == ids["alice"]
    assert world.ok(world.get(f"/v1/earnings/{ids['carol']}", carol))["user_id"] == ids["carol"]
    own = world.ok(world.get("/v1/payouts", carol))["payouts"]
    assert {payout["creator_id"] for payout in own} == {ids["carol"]}
    assert world.ok(world.get("/v1/payouts", credentials["dave"]))["payouts"] == []
    assert world.ok(world.get("/v1/admin/reconcile", credentials["admin"]))["ok"]


def test_tokens_expire_on_the_economy_clock(scene: Scene, callers: Callers) -> None:
    world = scene.world
    token = world.token(scene.ids["alice"])
    world.clock.advance(seconds=DAY_S)
    try:
        expired = world.get(f"/v1/wallets/{scene.ids['alice']}", token)
        assert expired.status_code == 401 and expired.json()["code"] == "token_expired"
        assert expired.headers["www-authenticate"] == "Bearer"
    finally:
        world.clock.advance(seconds=-DAY_S)
    assert callers.credentials["alice"]
