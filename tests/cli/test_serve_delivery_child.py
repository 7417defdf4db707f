"""``giftflow serve`` delivers webhooks from a child process of its own: the child
delivers, is restarted when it dies, and does not outlive a SIGKILLed server."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from giftflow.bench.databases import fresh_databases
from giftflow.bench.http_webhooks import delivery_child
from giftflow.bench.population import populate
from giftflow.bench.serving import BenchServer, server_environment
from giftflow.service.economy import Economy
from giftflow.service.webhooks import endpoints
from giftflow.service.webhooks.child import watch_parent
from giftflow.settings import Settings
from tests.api.receiver import by_room, receiving
from tests.cli.gifts import send_gifts

GIFTS = 10
TIMEOUT_S = 60.0


def test_a_child_stops_once_its_parent_is_another() -> None:
    stop = threading.Event()
    watch_parent(os.getppid() + 1, stop, interval_s=0.01)  # returns once it sees it
    assert stop.is_set()


@pytest.mark.slow
def test_the_servers_child_delivers_comes_back_and_dies_with_the_server(
    tmp_path: Path,
) -> None:
    with fresh_databases("sqlite", "") as url_for, receiving() as receiver:
        url = url_for("serve_child")
        population = populate(url, viewers=5, coins_per_viewer=1_000)
        with Economy.open(Settings(database_url=url, environment="development")) as economy:
            secret = endpoints.create(
                economy.ledger,
                url=receiver.url,
                event_types=["gift.sent"],
                description="child test",
                created_by="test",
            ).secret
        environment = server_environment(url, folder=tmp_path) | {
            "GIFTFLOW_WEBHOOKS_ALLOW_PRIVATE": "true",
            "GIFTFLOW_WEBHOOKS_ALLOW_HTTP": "true",
            "GIFTFLOW_WEBHOOKS_POLL_INTERVAL_S": "0.1",
        }  # the worker on: the default
        server = BenchServer(environment, workers=1, log_path=tmp_path / "serve.log")
        server.start()
        try:
            first = _child(server)
            sent = send_gifts(server.base_url, population, count=GIFTS, prefix="child-a")
            _wait(lambda: len(receiver.events(secret)) >= GIFTS, server)
            os.kill(first, signal.SIGKILL)  # a crash: the server starts another
            _wait(lambda: delivery_child(server.pid) not in (None, first), server)
            sent += send_gifts(server.base_url, population, count=GIFTS, prefix="child-b")
            _wait(lambda: len(receiver.events(secret)) >= 2 * GIFTS, server)
            second = _child(server)
            os.kill(server.pid, signal.SIGKILL)  # the server alone: the child is told
            _wait(lambda: not _alive(second), server)
        finally:
            server.kill()  # reaps it (and stops whatever is left of it)
    gifts = by_room(receiver.events(secret), "gift.sent")[population.creator_id]
    assert [gift["gift_event_id"] for gift in gifts] == sent


def _child(server: BenchServer) -> int:
    _wait(lambda: delivery_child(server.pid) is not None, server)
    child = delivery_child(server.pid)
    assert child is not None and child != server.pid
    return child


def _alive(pid: int) -> bool:
    """Running (a zombie its new parent has not reaped yet is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _wait(condition: Callable[[], bool], server: BenchServer) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, server.log_tail()
        time.sleep(0.1)
