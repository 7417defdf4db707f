"""``giftflow serve --workers N``: N processes on PostgreSQL, refused on SQLite, and a
served app that closes the economy and bus it opened when its server stops."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from giftflow.bench.serving import free_port
from giftflow.server import serving_app
from giftflow.service.engine import EngineClosedError
from giftflow.settings import Settings
from tests.cli.conftest import GIFTFLOW, environment, giftflow, said

TOKEN_SECRET = "bench-serve-test-token-secret-0123456789"
START_TIMEOUT_S = 60
STARTED = "Application startup complete."
STOPPED = "Application shutdown complete."


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    database = tmp_path / "economy.db"
    result = subprocess.run(
        [str(GIFTFLOW), "serve", "--workers", "2"],
        env=_environment(f"sqlite:///{database}"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "needs PostgreSQL" in " ".join(result.stderr.split())
    assert not database.exists()  # refused before opening anything


def test_bench_refuses_several_workers_on_sqlite() -> None:
    result = giftflow("bench", "http", "--workers", "2")
    assert result.returncode == 2
    assert "SQLite allows one writer process" in said(result)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_share_one_postgres_database_and_stop_cleanly(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(GIFTFLOW), "serve", "--port", str(port), "--workers", "2"],
            env=_environment(empty_postgres_url),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_for(lambda: log.read_text().count(STARTED) == 2, "two workers started")
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                answers = [client.get("/ready") for _ in range(20)]
            assert {answer.status_code for answer in answers} == {200}
        finally:
            os.killpg(server.pid, signal.SIGINT)
            code = server.wait(60)
    text = log.read_text()
    assert code == 0, text
    assert text.count(STOPPED) == 2, text  # each worker ran its shutdown: economy closed
    workers = {line for line in text.splitlines() if "Started server process" in line}
    assert len(workers) == 2, text  # two processes, each its own pid


def test_the_served_app_closes_its_economy_when_the_server_stops(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'economy.db'}",
        token_secret=SecretStr(TOKEN_SECRET),
        payout_dir=tmp_path / "payouts",
    )
    app = serving_app(settings)
    economy = app.state.giftflow.economy

    async def serve_and_stop() -> None:
        async with app.router.lifespan_context(app):  # what uvicorn runs around serving
            economy.ledger.write(lambda tx: tx.execute("SELECT 1"))

    asyncio.run(serve_and_stop())
    with pytest.raises(EngineClosedError):
        economy.ledger.write(lambda tx: tx.execute("SELECT 1"))


def _environment(database_url: str) -> dict[str, str]:
    return environment(database_url=database_url, token_secret=TOKEN_SECRET)


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not in {START_TIMEOUT_S} s: {what}")
