"""What every answer of a real server says to caches and browsers, and what stays
closed to the public: metrics without a key, Swagger UI (a CDN's script) in production."""

from __future__ import annotations

from pathlib import Path

import httpx
from pydantic import SecretStr

from giftflow.http.keys import create_api_key
from giftflow.server import create_app
from giftflow.service.economy import Economy
from giftflow.settings import Settings
from tests.api.conftest import TOKEN_SECRET, World, assert_problem, served


def test_json_answers_are_kept_by_no_cache_and_sniffed_by_no_browser(world: World) -> None:
    alice = world.user("alice")["id"]
    for answer in (
        world.post(f"/v1/users/{alice}/tokens", {"role": "viewer"}, world.admin_key),
        world.get(f"/v1/wallets/{alice}", world.admin_key),
        world.get("/v1/wallets/999999", world.admin_key),  # a problem too
        world.client.get("/health"),
    ):
        assert answer.headers["cache-control"] == "no-store", answer.request.url
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"


def test_metrics_are_for_a_key_with_metrics_read(world: World) -> None:
    assert_problem(world.client.get("/metrics"), 401, "unauthenticated")
    reader = create_api_key(world.economy.ledger, name="crm", scopes=["users:read"]).key
    assert_problem(world.get("/metrics", reader), 403, "scope_missing")
    scraper = create_api_key(world.economy.ledger, name="scraper", scopes=["metrics:read"]).key
    answer = world.get("/metrics", scraper)
    assert answer.status_code == 200 and "giftflow_" in answer.text


def test_swagger_ui_is_served_in_development_only(world: World, tmp_path: Path) -> None:
    assert world.client.get("/docs").status_code == 200  # the test world: development
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'production.db'}",
        token_secret=SecretStr(TOKEN_SECRET),
        environment="production",
    )
    with Economy.open(settings) as economy, served(create_app(economy, settings)) as url:
        assert httpx.get(f"{url}/docs").status_code == 404
        assert httpx.get(f"{url}/openapi.json").status_code == 200
