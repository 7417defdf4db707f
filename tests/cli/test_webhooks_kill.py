"""A real ``giftflow serve`` SIGKILLed while its webhook deliveries wait (the receiver is
down, so every event is committed and not yet delivered, some of them in flight),
restarted: the receiver, once up, gets every event of every gift acknowledged before
the kill, signed, in order, on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from giftflow.bench.databases import fresh_databases
from giftflow.bench.population import populate
from giftflow.bench.serving import BenchServer, server_environment
from giftflow.service.economy import Economy
from giftflow.service.webhooks import endpoints
from giftflow.settings import Settings
from tests.api.receiver import by_room, receiving
from tests.cli.gifts import send_gifts

pytestmark = pytest.mark.slow
GIFTS = 40
DELIVERED_TIMEOUT_S = 60


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_server_killed_between_commit_and_delivery_loses_no_event(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    admin_url = request.getfixturevalue("postgres_admin_url") if backend == "postgres" else ""
    with fresh_databases(backend, admin_url) as url_for, receiving() as receiver:
        url = url_for("webhooks_kill")
        population = populate(url, viewers=10, coins_per_viewer=1_000)
        with Economy.open(Settings(database_url=url, environment="development")) as economy:
            endpoint = endpoints.create(
                economy.ledger,
                url=receiver.url,
                event_types=["gift.sent"],
                description="kill test",
                created_by="test",
            )
        environment = server_environment(url, folder=tmp_path) | {
            "GIFTFLOW_WEBHOOKS_ALLOW_PRIVATE": "true",
            "GIFTFLOW_WEBHOOKS_ALLOW_HTTP": "true",
            "GIFTFLOW_WEBHOOKS_TIMEOUT_S": "1",
            "GIFTFLOW_WEBHOOKS_RETRY_SCHEDULE_S": "[0.2, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
            "GIFTFLOW_WEBHOOKS_RETRY_JITTER": "0",
            "GIFTFLOW_WEBHOOKS_POLL_INTERVAL_S": "0.1",
        }
        server = BenchServer(environment, workers=1, log_path=tmp_path / "serve.log")
        receiver.status = 503
        server.start()
        acknowledged = send_gifts(server.base_url, population, count=GIFTS, prefix="kill")
        server.kill()
        assert len(acknowledged) == GIFTS
        receiver.status = 200
        server.start()
        try:
            deadline = time.monotonic() + DELIVERED_TIMEOUT_S
            while len(receiver.events(endpoint.secret)) < GIFTS:
                assert time.monotonic() < deadline, server.log_tail()
                time.sleep(0.1)
        finally:
            server.stop()
    gifts = by_room(receiver.events(endpoint.secret), "gift.sent")
    assert [gift["gift_event_id"] for gift in gifts[population.creator_id]] == acknowledged
