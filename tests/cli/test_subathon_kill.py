"""A real ``giftflow serve`` SIGKILLed while gifts (single ones and streaks) stream
into a room with a running subathon, then restarted: the timer it answers equals an
independent recount from the stored gifts and the recorded controls, before and after
more gifts, on SQLite and on PostgreSQL (two server processes)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from giftflow.bench.databases import fresh_databases
from giftflow.bench.population import ROSE_GIFT_ID, Population, populate
from giftflow.bench.serving import BenchServer, server_environment
from giftflow.service.economy import Economy
from giftflow.settings import Settings
from tests.api.recount import recount

pytestmark = pytest.mark.slow
DOUGHNUT = 5879
TIERS = [{"min_coins": 1, "add_s": 3}, {"min_coins": 30, "add_s": 45}]
RULES = (((1, 3), (30, 45)), 150)
Json = dict[str, Any]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_timer_after_a_sigkill_equals_a_recount_from_the_stored_gifts(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    admin_url = request.getfixturevalue("postgres_admin_url") if backend == "postgres" else ""
    with fresh_databases(backend, admin_url) as url_for:
        url = url_for("subathon_kill")
        population = populate(url, viewers=8, coins_per_viewer=5_000)
        environment = server_environment(url, folder=tmp_path)
        workers = 2 if backend == "postgres" else 1
        server = BenchServer(environment, workers=workers, log_path=tmp_path / "serve.log")
        server.start()
        try:
            with _client(server, population) as client:
                creator = population.creator_id
                session = _ok(client.post(f"/v1/rooms/{creator}/sessions", json={}), 201)["id"]
                body = {"initial_s": 3_600, "cap_s": 36_000, "tiers": TIERS, "ms_per_coin": 150}
                subathon = _ok(client.post(f"/v1/rooms/{creator}/subathons", json=body), 201)
                _gifts(client, population, session, rounds=6, tag="a")
                _ok(client.post(f"/v1/subathons/{subathon['id']}/pause"))
                _gifts(client, population, session, rounds=3, tag="b")
                _ok(client.post(f"/v1/subathons/{subathon['id']}/resume"))
                streaming = threading.Thread(
                    target=_gifts_until_refused, args=(server, population, session)
                )
                streaming.start()
                _wait_for_gifts(url, 60)
                server.kill()  # gifts in flight: some committed, some not
                streaming.join(30)
            server.start()
            with _client(server, population) as client:
                after_restart = _ok(client.get(f"/v1/subathons/{subathon['id']}"))
                _assert_recounted(url, after_restart, population.creator_id)
                _gifts(client, population, session, rounds=2, tag="c")
                later = _ok(client.get(f"/v1/subathons/{subathon['id']}"))
                _assert_recounted(url, later, population.creator_id)
                assert later["gifts"] > after_restart["gifts"] > 0
        finally:
            server.stop()


def _client(server: BenchServer, population: Population) -> httpx.Client:
    headers = {"Authorization": f"Bearer {population.api_key}"}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=30)


def _ok(answer: httpx.Response, status: int = 200) -> Json:
    assert answer.status_code == status, answer.text
    body: Json = answer.json()
    return body


def _gift(client: httpx.Client, body: Json) -> httpx.Response:
    return client.post("/v1/gifts", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})


def _gifts(
    client: httpx.Client, population: Population, session: int, *, rounds: int, tag: str
) -> None:
    """Per viewer and round: a doughnut, and a rose streak one step further."""
    for n in range(rounds):
        for viewer in population.viewer_ids:
            single = {"gift_id": DOUGHNUT, "event_id": f"{tag}-{viewer}-{n}"}
            streak = {
                "gift_id": ROSE_GIFT_ID,
                "streak": {"id": f"{tag}-{viewer}", "repeat_count": n + 1},
            }
            for fields in (single, streak):
                body = {
                    "sender_id": viewer,
                    "creator_id": population.creator_id,
                    "session_id": session,
                }
                _ok(_gift(client, body | fields), 201)


def _gifts_until_refused(server: BenchServer, population: Population, session: int) -> None:
    """Gifts as fast as one client sends them, until the server is gone."""
    with _client(server, population) as client:
        for n in range(100_000):
            viewer = population.viewer_ids[n % len(population.viewer_ids)]
            body = {
                "sender_id": viewer,
                "creator_id": population.creator_id,
                "session_id": session,
                "gift_id": DOUGHNUT if n % 3 else ROSE_GIFT_ID,
                "event_id": f"stream-{n}",
            }
            try:
                _gift(client, body)
            except httpx.HTTPError:
                return


def _wait_for_gifts(url: str, more: int) -> None:
    """Until the stream has committed ``more`` gifts beyond those before it."""
    start = _count(url)
    deadline = time.monotonic() + 60
    while _count(url) < start + more:
        assert time.monotonic() < deadline, "the stream of gifts never got going"
        time.sleep(0.05)


def _count(url: str) -> int:
    with Economy.open(Settings(database_url=url, environment="development")) as economy:
        return int(economy.ledger.read(lambda tx: tx.scalar("SELECT COUNT(*) FROM gifts")))


def _assert_recounted(url: str, answered: Json, creator_id: int) -> None:
    with Economy.open(Settings(database_url=url, environment="development")) as economy:

        def read(tx: Any) -> tuple[Any, ...]:
            gifts = tx.execute(
                "SELECT sent_at, coins FROM gifts WHERE creator_id = ? AND session_id IS NOT NULL",
                (creator_id,),
            ).fetchall()
            controls = tx.execute(
                "SELECT at, kind, rules FROM subathon_controls WHERE subathon_id = ? ORDER BY seq",
                (answered["id"],),
            ).fetchall()
            started = tx.scalar("SELECT started_at FROM subathons WHERE id = ?", (answered["id"],))
            return gifts, controls, started

        gifts, controls, started_at = economy.ledger.read(read)
    again = recount(
        started_at=started_at,
        initial_s=answered["initial_s"],
        cap_s=answered["cap_s"],
        rules=RULES,
        controls=[
            (at, kind, None if text == "null" else _rules(text)) for at, kind, text in controls
        ],
        gifts=[(at, coins) for at, coins in gifts],
    )
    assert (answered["gifts"], answered["coins"]) == (again.gifts, again.coins)
    assert answered["granted_ns"] == again.granted_ns
    assert answered["added_ns"] == again.granted_ns - answered["initial_s"] * 1_000_000_000
    assert answered["ends_at"] is not None
    ends_at_ns = _ns(answered["ends_at"])
    assert again.ends_at is not None
    assert ends_at_ns == again.ends_at // 1_000 * 1_000  # the API's times are to the µs


def _rules(text: str) -> Any:
    raw = json.loads(text)
    return tuple(tuple(tier) for tier in raw["tiers"]), raw["ms_per_coin"]


def _ns(text: str) -> int:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    epoch = datetime(1970, 1, 1, tzinfo=moment.tzinfo)
    delta = moment - epoch
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
