"""``giftflow demo --serve``: the real command in a subprocess, its overlay page fetched
over HTTP and its room's events read over a real WebSocket while the replay runs."""

from __future__ import annotations

import base64
import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from giftflow.bench.serving import free_port
from tests.cli.conftest import GIFTFLOW, environment

DONATIONS = 40
URLS_TIMEOUT_S = 20.0
EXIT_TIMEOUT_S = 30.0
OVERLAYS = ("gift-alerts", "goal-bar", "leaderboard", "battle-bar")
FIRST_EVENT = "00000000000000000000"


@dataclass(slots=True)
class Show:
    process: subprocess.Popen[str]
    port: int
    urls: list[str]
    lines: list[str]

    def rest(self) -> str:
        """Wait for the exit; everything it printed."""
        assert self.process.stdout is not None
        remaining, _ = self.process.communicate(timeout=EXIT_TIMEOUT_S)
        return " ".join("".join([*self.lines, remaining]).split())


def read_urls(process: subprocess.Popen[str], lines: list[str]) -> list[str]:
    assert process.stdout is not None
    urls: list[str] = []
    deadline = time.monotonic() + URLS_TIMEOUT_S
    while len(urls) < len(OVERLAYS) and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:  # it exited before printing them
            break
        lines.append(line)
        if line.startswith("http://") and "/overlays/" in line:
            urls.append(line.strip())
    return urls


@pytest.fixture
def show(tmp_path: Path) -> Iterator[Show]:
    port = free_port()
    settings = environment() | {"COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    command = [
        str(GIFTFLOW),
        *("demo", "--serve", "--port", str(port), "--donations", str(DONATIONS)),
        *("--speed", "100000", "--lead-in", "2", "--folder", str(tmp_path / "run")),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=settings,
    )
    lines: list[str] = []
    try:
        yield Show(process, port, read_urls(process, lines), lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def claims(token: str) -> dict[str, Any]:
    """The JWT's payload, unverified (the server verifies it)."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return decoded


def room_events(port: int, room_id: int, token: str) -> list[dict[str, Any]]:
    """Every event of the room, from its first, until the server closes the socket."""
    url = f"ws://127.0.0.1:{port}/v1/rooms/{room_id}/events?token={token}"
    events: list[dict[str, Any]] = []
    with connect(f"{url}&last_event_id={FIRST_EVENT}", open_timeout=10) as websocket:
        try:
            while True:
                events.append(json.loads(websocket.recv(timeout=EXIT_TIMEOUT_S)))
        except ConnectionClosed:
            pass
    return events


def test_demo_serve_prints_the_overlays_and_streams_the_replayed_gifts_to_them(
    show: Show,
) -> None:
    assert [urlsplit(url).path for url in show.urls] == [
        f"/overlays/{name}.html" for name in OVERLAYS
    ], "".join(show.lines)
    token = parse_qs(urlsplit(show.urls[0]).query)["token"][0]
    assert all(parse_qs(urlsplit(url).query)["token"] == [token] for url in show.urls)

    with urllib.request.urlopen(show.urls[1], timeout=10) as page:
        assert page.status == 200
        assert page.headers["Content-Type"].startswith("text/html")

    events = room_events(show.port, claims(token)["room"], token)
    gifts = [event for event in events if event["type"] == "gift.sent"]
    assert gifts
    sessions = {
        event["data"]["session_id"] for event in events if event["type"] == "session.started"
    }
    assert {event["data"]["session_id"] for event in gifts} == sessions  # the LIVE, the encore
    assert 1 in sessions
    kinds = {event["type"] for event in events}
    assert {"session.started", "goal.created", "chapter.changed", "battle.started"} <= kinds
    assert {"battle.invited", "battle.accepted"} <= kinds  # by invitation, as creators do
    assert {"goal.completed", "leaderboard.changed", "session.ended"} <= kinds

    said = show.rest()
    assert show.process.returncode == 0, said
    assert "reconciled" in said
    assert "NOT reconciled" not in said
