"""``giftflow serve`` keeps credentials out of its log and, behind HTTPS, tells browsers
so: a real server process, its real access log, real HTTP and WebSocket connections."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect

from giftflow.bench.serving import BenchServer, server_environment
from giftflow.settings import Settings

PUBLIC_URL = "https://giftflow.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BenchServer]:
    folder = tmp_path_factory.mktemp("serve-credentials")
    environment = server_environment(f"sqlite:///{folder / 'economy.db'}", folder=folder)
    environment["GIFTFLOW_PUBLIC_URL"] = PUBLIC_URL
    with BenchServer(environment, workers=1, log_path=folder / "serve.log") as running:
        yield running


def test_tokens_and_sign_in_codes_in_urls_never_reach_the_log(server: BenchServer) -> None:
    room_token, socket_token, code, link = (secrets.token_urlsafe(32) for _ in range(4))
    with httpx.Client(base_url=server.base_url) as client:
        assert (
            client.get("/v1/rooms/7/overlay-state", params={"token": room_token}).status_code == 401
        )
        assert client.get(f"/dashboard/sign-in/{code}").status_code == 404
        assert client.get(f"/reports/{link}.{link}").status_code == 401
        assert client.get("/dashboard", params={"TOKEN": room_token}).status_code in (400, 401)
    url = f"ws://127.0.0.1:{server.port}/v1/rooms/7/events?token={socket_token}&last_event_id=1"
    try:
        with connect(url, open_timeout=5, close_timeout=1) as socket:
            socket.recv(timeout=5)
    except (InvalidStatus, WebSocketException):
        pass  # closed 4401: a made-up token
    with httpx.Client(base_url=server.base_url) as client:
        client.get("/health")  # the lines above are flushed by now
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert "/v1/rooms/7/overlay-state?token=[redacted]" in log
    assert "/dashboard/sign-in/[redacted]" in log
    assert "GET /reports/[redacted] HTTP/1.1" in log
    assert "WebSocket /v1/rooms/7/events?token=[redacted]&last_event_id=1" in log
    for secret in (room_token, socket_token, code, link):
        assert secret not in log


def test_behind_https_every_answer_asks_for_https_from_then_on(server: BenchServer) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        for path in ("/health", "/v1/catalog/gifts", "/dashboard", "/nowhere"):
            answer = client.get(path)
            assert (
                answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
            )


def test_only_an_https_public_url_means_https() -> None:
    assert not Settings(public_url="http://127.0.0.1:8000").https
    assert Settings(public_url="HTTPS://giftflow.example").https
