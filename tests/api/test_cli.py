"""The API's commands: ``giftflow keys create``, ``giftflow serve``, ``giftflow openapi``,
run as the installed console script."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from giftflow.bench.serving import free_port
from giftflow.cli.serve import openapi_document
from tests.api.conftest import TOKEN_SECRET, bearer
from tests.cli.conftest import GIFTFLOW, environment

TIMEOUT_S = 60


def giftflow(*arguments: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GIFTFLOW), *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=TIMEOUT_S,
        check=False,
    )


@contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """``giftflow serve`` on a free port, its URL once it is ready; stopped with SIGINT
    afterwards, which it must answer by exiting 0."""
    port = free_port()
    log = cwd / "serve.log"
    with (
        log.open("wb") as output,
        subprocess.Popen(
            [str(GIFTFLOW), "serve", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
        ) as server,
    ):
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_ready(base)
            yield base
        finally:
            server.send_signal(signal.SIGINT)
            assert server.wait(TIMEOUT_S) == 0, log.read_text()


def test_serve_refuses_to_start_without_a_token_secret(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'economy.db'}"
    done = giftflow("serve", env=environment(database_url=url), cwd=tmp_path)
    assert done.returncode == 2
    assert "GIFTFLOW_TOKEN_SECRET" in done.stderr
    assert not (tmp_path / "economy.db").exists()  # refused before opening anything


def test_keys_create_refuses_an_unknown_scope(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'economy.db'}"
    done = giftflow(
        "keys", "create", "--name", "g", "--scope", "coins:print",
        env=environment(database_url=url), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2 and "coins:print" in done.stderr


def test_a_key_created_on_the_command_line_opens_the_served_api(tmp_path: Path) -> None:
    env = environment(
        database_url=f"sqlite:///{tmp_path / 'economy.db'}",
        token_secret=TOKEN_SECRET,
        payout_dir=str(tmp_path / "payouts"),
    )
    created = giftflow(
        "keys", "create", "--name", "gateway", "--scope", "users:write", "--scope", "users:read",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("gf_") and "users:read users:write" in created.stderr

    with serving(env, tmp_path) as base:
        _exercise(base, key)


def _exercise(base: str, key: str) -> None:
    body = {"external_id": "a", "display_name": "A", "birth_date": "1990-01-01", "region": "US"}
    with httpx.Client(base_url=base, timeout=10) as client:
        assert client.post("/v1/users", json=body, headers=bearer(key)).status_code == 201
        assert client.get("/v1/users/1").status_code == 401
        assert client.get("/v1/wallets/1", headers=bearer(key)).status_code == 403


def _wait_until_ready(base: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("giftflow serve did not become ready")


def test_openapi_prints_the_document(tmp_path: Path) -> None:
    done = giftflow("openapi", env=environment(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == openapi_document()
    assert list(tmp_path.iterdir()) == []  # an in-memory economy: no file left behind
