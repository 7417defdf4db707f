"""A real ``giftflow serve`` SIGKILLed mid-burst of single gifts, restarted, and every
unanswered request retried with its own key (``giftflow bench http --kill``'s burst),
on SQLite and on PostgreSQL.

What a platform relies on: nothing acknowledged is lost, nothing is booked or charged
twice, a retry with the same key gets the work done or the first answer, and no key is
left ``in_use`` by the crash. The last is what the single-transaction idempotency of
issue 10 delivers; until it lands, the server leaves some keys claimed for good and
this test fails on them (it says how many).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from giftflow.bench.databases import fresh_databases
from giftflow.bench.kill import bench_kill
from giftflow.bench.population import populate
from giftflow.bench.serving import BenchServer, server_environment

pytestmark = pytest.mark.slow
KILLS = 2


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_server_killed_mid_burst_loses_nothing_doubles_nothing_and_frees_every_key(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    admin_url = request.getfixturevalue("postgres_admin_url") if backend == "postgres" else ""
    with fresh_databases(backend, admin_url) as url_for:
        url = url_for("kill_test")
        population = populate(url, viewers=100, coins_per_viewer=10_000)
        environment = server_environment(url, folder=tmp_path)
        server = BenchServer(environment, workers=1, log_path=tmp_path / "serve.log")

        report = bench_kill(population, server, database_url=url, kills=KILLS, folder=tmp_path)

    assert server.starts == KILLS + 1
    assert report.unanswered > 0, "the kills caught requests in flight"
    assert report.acknowledged_lost == 0
    assert report.doubled == 0
    assert report.coins_consistent and report.reconciled
    assert report.replays_differ == 0  # answered requests get their first answer back
    assert report.retried_other == 0
    assert report.retried_done + report.retried_first_answer == report.unanswered, (
        f"{report.retried_in_use} retries found their key still in use"
    )
    assert report.stuck_keys == 0, f"{report.stuck_keys} keys left in_use after the restart"
