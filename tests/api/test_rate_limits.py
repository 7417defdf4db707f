"""Rate limits per caller: a viewer's likes, bad keys from one address, webhooks, and a
key's bucket shared by two servers through Redis (or kept per server while Redis is
away). Each limit is set low here; the defaults are in docs/security.md#limits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, cast

import httpx
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from giftflow.http.deps import ApiState
from giftflow.http.keys import create_api_key
from giftflow.http.rate_limits import Buckets, LocalBuckets, Rate, RedisBuckets
from giftflow.server import create_app
from giftflow.service.economy import Economy
from giftflow.settings import Settings
from tests.api.conftest import TOKEN_SECRET, World, assert_problem, bearer, open_world, served

SLOW = 0.01
"""A refill no test waits for: 100 s a token."""
ONE_IN_100_S = "100"
"""The Retry-After of an empty bucket refilling at ``SLOW``."""
NO_REDIS = "redis://127.0.0.1:1/0"
"""Nothing listens there."""


@contextmanager
def _world(tmp_path: Path, **settings: Any) -> Iterator[World]:
    with open_world(f"sqlite:///{tmp_path / 'economy.db'}", tmp_path / "payouts", **settings) as w:
        yield w


def test_a_viewer_liking_past_their_burst_is_answered_429_with_retry_after(
    tmp_path: Path,
) -> None:
    limits = {"rate_limit_user_write_burst": 5, "rate_limit_user_write_per_s": SLOW}
    with _world(tmp_path, **limits) as world:
        creator = world.user("carol", creator=True)["id"]
        alice, bob = world.user("alice")["id"], world.user("bob")["id"]
        session = world.ok(world.post(f"/v1/rooms/{creator}/sessions", {}, world.admin_key), 201)
        alice_token, bob_token = world.token(alice), world.token(bob)
        path = f"/v1/sessions/{session['id']}/interactions"

        def like(user_id: int, token: str) -> httpx.Response:
            return world.post(path, {"user_id": user_id, "kind": "like"}, token)

        answers = [like(alice, alice_token) for _ in range(8)]
        assert [a.status_code for a in answers] == [201] * 5 + [429] * 3
        refused = assert_problem(answers[-1], 429, "rate_limited")
        assert answers[-1].headers["Retry-After"] == ONE_IN_100_S
        assert "user_write" in refused["detail"]
        assert world.count("interactions") == 5
        assert like(bob, bob_token).status_code == 201  # another viewer: their own bucket
        assert world.get(f"/v1/wallets/{alice}", alice_token).status_code == 200  # reads
        assert like(alice, world.admin_key).status_code == 201  # the platform's key


def test_bad_keys_from_one_address_are_answered_429_after_the_burst(tmp_path: Path) -> None:
    limits = {"rate_limit_auth_failure_burst": 5, "rate_limit_auth_failure_per_s": SLOW}
    with _world(tmp_path, **limits) as world:
        bad = [f"gf_{n:016x}_{'x' * 43}" for n in range(8)]
        answers = [world.get("/v1/catalog/gifts", key) for key in bad]
        assert [a.status_code for a in answers] == [401] * 5 + [429] * 3
        assert_problem(answers[-1], 429, "rate_limited")
        assert answers[-1].headers["Retry-After"] == ONE_IN_100_S
        assert world.get("/v1/catalog/gifts").status_code == 429  # no credentials: a failure
        assert world.get("/v1/catalog/gifts", world.admin_key).status_code == 200


def test_webhooks_past_the_address_burst_are_answered_429_and_change_nothing(
    tmp_path: Path,
) -> None:
    limits = {"rate_limit_webhook_burst": 3, "rate_limit_webhook_per_s": SLOW}
    with _world(tmp_path, **limits) as world:
        viewer = world.user("alice")["id"]
        payments = [world.purchase(viewer, 100) for _ in range(4)]
        answers = [world.webhook_paid(payment) for payment in payments]
        assert [a.status_code for a in answers] == [200] * 3 + [429]
        assert_problem(answers[-1], 429, "rate_limited")
        assert answers[-1].headers["Retry-After"] == ONE_IN_100_S
        assert world.coins(viewer) == 300


@contextmanager
def _servers(
    tmp_path: Path, buckets: list[Buckets], **limits: float
) -> Iterator[tuple[str, list[httpx.Client]]]:
    """One economy served by one app per ``buckets`` (each, as far as limits go,
    another server process), and a key that reads."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'economy.db'}",
        token_secret=SecretStr(TOKEN_SECRET),
        payout_dir=tmp_path / "payouts",
        **limits,  # type: ignore[arg-type]
    )
    with Economy.open(settings) as economy, ExitStack() as stack:
        apps = [create_app(economy, settings, buckets=buckets[0])]
        live = cast(ApiState, apps[0].state.giftflow).live
        apps += [create_app(economy, settings, live=live, buckets=b) for b in buckets[1:]]
        clients = [
            stack.enter_context(httpx.Client(base_url=stack.enter_context(served(app))))
            for app in apps
        ]
        yield create_api_key(economy.ledger, name="reader", scopes=["live:read"]).key, clients


def _catalog(client: httpx.Client, key: str) -> int:
    return client.get("/v1/catalog/gifts", headers=bearer(key)).status_code


def test_a_key_bucket_is_shared_by_two_servers_through_redis(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    limits = {"rate_limit_key_read_burst": 6, "rate_limit_key_read_per_s": SLOW}
    buckets: list[Buckets] = [RedisBuckets(redis_url, prefix=redis_prefix) for _ in range(2)]
    with _servers(tmp_path, buckets, **limits) as (key, servers):
        statuses = [_catalog(server, key) for server in servers * 6]
    assert statuses.count(200) == 6, statuses  # each server alone would have let 6 through
    assert statuses.count(429) == 6, statuses


def test_while_redis_is_away_each_server_limits_on_its_own(tmp_path: Path) -> None:
    limits = {"rate_limit_key_read_burst": 3, "rate_limit_key_read_per_s": SLOW}
    with _servers(tmp_path, [RedisBuckets(NO_REDIS)], **limits) as (key, [server]):
        statuses = [_catalog(server, key) for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]  # open, but not unlimited


def test_the_redis_bucket_refuses_with_the_wait_for_the_next_token(
    redis_url: str, redis_prefix: str
) -> None:
    async def takes() -> list[float]:
        buckets = RedisBuckets(redis_url, prefix=redis_prefix)
        try:
            return [await buckets.take("b", Rate(per_s=0.5, burst=2)) for _ in range(3)]
        finally:
            await buckets.aclose()

    first, second, third = asyncio.run(takes())
    assert first == second == 0
    assert 1.9 < third <= 2.0


@given(
    st.floats(min_value=0.1, max_value=1_000),
    st.integers(min_value=1, max_value=50),
    st.lists(st.floats(min_value=0, max_value=2), min_size=1, max_size=200),
)
def test_a_bucket_never_admits_more_than_its_burst_and_its_refill(
    per_s: float, burst: int, gaps_s: list[float]
) -> None:
    now = [0.0]
    buckets = LocalBuckets(lambda: now[0])
    rate = Rate(per_s, burst)
    admitted = 0
    for gap_s in gaps_s:
        now[0] += gap_s
        wait_s = buckets.take_now("b", rate)
        admitted += wait_s == 0
        assert wait_s == 0 or 0 < wait_s <= 1 / per_s + 1e-9
    assert admitted <= burst + now[0] * per_s + 1e-6
    if all(gap_s >= 1 / per_s for gap_s in gaps_s):
        assert admitted == len(gaps_s)  # one a refill apart: never refused


def test_a_key_known_to_be_over_its_rate_is_refused_before_its_body_is_read(
    tmp_path: Path,
) -> None:
    limits = {"rate_limit_key_write_burst": 2, "rate_limit_key_write_per_s": SLOW}
    with _world(tmp_path, **limits) as world:
        key = world.key("gifts:write")
        statuses = [world.post("/v1/gifts", {}, key, key=world.new_key()) for _ in range(3)]
        assert [s.status_code for s in statuses] == [422, 422, 429]
        huge = world.client.post(
            "/v1/gifts", content=b"{" * (1024 * 1024), headers=bearer(key)
        )  # over the body limit, but refused for its rate first: nothing was read
        assert_problem(huge, 429, "rate_limited")
        assert huge.headers["Retry-After"] == ONE_IN_100_S
        forged = key[: len("gf_") + 16] + "_" + "x" * 43  # the key's id, another secret
        assert world.post("/v1/gifts", {}, forged, key="k").status_code == 429
        other = world.key("gifts:write")
        assert world.post("/v1/gifts", {}, other, key="k").status_code == 422  # its own bucket
