"""With Redis configured, two server processes (each its own ``RedisBus``, one database)
and a WebSocket listener on each receive identical event sequences, whichever process
publishes: a third process publishing to the same Redis is what a LIVE service in any
server process does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from websockets.sync.client import connect

from giftflow.http.keys import create_api_key
from giftflow.ids import UserId
from giftflow.service.economy import Economy
from giftflow.service.events.redis import RedisBus
from giftflow.settings import Settings
from tests.events.conftest import RECEIVE_TIMEOUT_S

pytestmark = pytest.mark.slow
SERVER = Path(__file__).with_name("server_process.py")
TOKEN_SECRET = "events-test-token-secret-0123456789abcdef"
EVENTS = 60


@contextmanager
def server(database_url: str, redis_url: str, prefix: str) -> Iterator[str]:
    """A server process; its base URL (http://127.0.0.1:PORT)."""
    process = subprocess.Popen(
        [sys.executable, str(SERVER), database_url, redis_url, prefix],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        line = process.stdout.readline()
        assert line.startswith("listening "), f"the server did not start: {line!r}"
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def creator_and_key(database_url: str) -> tuple[int, str]:
    settings = Settings(database_url=database_url, token_secret=SecretStr(TOKEN_SECRET))
    with Economy.open(settings) as economy:
        carol = economy.register_user(
            external_id="carol",
            display_name="Carol",
            birth_date=date(1990, 5, 17),
            region="US",
            is_creator=True,
            identity_verified=True,
        )
        key = create_api_key(economy.ledger, name="overlays", scopes=["rooms:write"]).key
    return carol.id, key


def test_two_server_processes_stream_identical_sequences(
    redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'economy.db'}"
    carol, key = creator_and_key(database_url)
    publishers = [RedisBus(redis_url, prefix=redis_prefix) for _ in range(2)]
    with ExitStack() as stack:
        urls = [stack.enter_context(server(database_url, redis_url, redis_prefix)) for _ in "ab"]
        answer = httpx.post(
            f"{urls[0]}/v1/rooms/{carol}/tokens", headers={"Authorization": f"Bearer {key}"}
        )
        assert answer.status_code == 201, answer.text
        token = answer.json()["token"]
        first = publishers[0].publish(UserId(carol), "session.started", {}, at=0)
        query = f"/v1/rooms/{carol}/events?token={token}&last_event_id={first.id}"
        sockets = [
            stack.enter_context(connect(url.replace("http", "ws", 1) + query)) for url in urls
        ]
        sent = [
            publishers[n % 2].publish(UserId(carol), "gift.sent", {"n": n}, at=n)
            for n in range(EVENTS)
        ]
        received = [[str(s.recv(RECEIVE_TIMEOUT_S)) for _ in range(EVENTS)] for s in sockets]
    for bus in publishers:
        bus.close()
    assert received[0] == received[1] == [event.to_json() for event in sent]
    assert len({event.id for event in sent}) == EVENTS
