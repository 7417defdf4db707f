"""Two ``giftflow serve`` processes on one PostgreSQL database, one promotion: client
threads fill feed requests on both and report the impressions' viewable events to the
other server while fills go on. Nothing is mocked: two real servers, their own
economies, caches and connections, and the database between them.

The promotion spends its whole budget in one short burst and keeps running after it:
events reported during the burst meet the pacing plan's cap, those held until after it
meet the hard cap (the plan's target is then the whole budget). The budget is never
passed by one coin, every billed milli-coin is one an event was told of, and after the
cancel what was spent plus what was released is the budget, with the books reconciled.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from pydantic import SecretStr

from giftflow.bench.population import SANDBOX_SECRET, fund, populate
from giftflow.bench.serving import BenchServer, server_environment
from giftflow.http.keys import create_api_key
from giftflow.service.economy import Economy
from giftflow.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

BUDGET_COINS: Final = 300
PRICE_PER_1000_COINS: Final = 10_000
"""10 coins an impression: the budget pays for 30, and the servers show more (the
throttle expects half of them to turn viewable; here all do)."""
BURST_S: Final = 12
FILLERS: Final = 6
REPORTERS: Final = 3
VIEWABLE_AFTER_S: Final = 2.2
"""After the 2 s on screen that make an impression viewable (sooner is impossible)."""


@dataclass
class Shown:
    """The impressions served, as the platform's clients saw them."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    now: queue.Queue[tuple[float, str]] = field(default_factory=queue.Queue)
    held: list[str] = field(default_factory=list)
    count: int = 0


@contextmanager
def _servers(url: str, tmp_path: Path) -> Iterator[tuple[BenchServer, BenchServer]]:
    environment = server_environment(url, folder=tmp_path)
    environment["GIFTFLOW_PROMOTE_PRICE_PER_1000_COINS"] = str(PRICE_PER_1000_COINS)
    first = BenchServer(environment, workers=1, log_path=tmp_path / "first.log")
    second = BenchServer(environment, workers=1, log_path=tmp_path / "second.log")
    with first, second:
        yield first, second


def _keys(url: str) -> tuple[int, dict[str, str]]:
    """A creator with the budget in coins, and the platform's keys."""
    population = populate(url, viewers=1, coins_per_viewer=100)
    settings = Settings(
        database_url=url,
        environment="development",
        sandbox_webhook_secret=SecretStr(SANDBOX_SECRET),
    )
    with Economy.open(settings) as economy:
        fund(economy, [population.creator_id], BUDGET_COINS)
        keys = {
            scope: create_api_key(economy.ledger, name=scope, scopes=[scope]).key
            for scope in ("admin", "promotions:write", "promote:write")
        }
    return population.creator_id, keys


def _call(client: httpx.Client, key: str, path: str, body: Any = None, *, get: bool = False) -> Any:
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"k-{time.monotonic_ns()}"}
    answer = (
        client.get(path, headers=headers) if get else client.post(path, json=body, headers=headers)
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _cancel_or_completed(client: httpx.Client, key: str, admin: str, promotion_id: str) -> Any:
    """Cancel the promotion, unless a server's sweep completed it first (its whole
    budget billed): either way it is closed, with what it did not spend released."""
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"k-{time.monotonic_ns()}"}
    answer = client.post(f"/v1/promotions/{promotion_id}/cancel", headers=headers)
    if answer.status_code == 409 and answer.json()["code"] == "promotion_state_invalid":
        return _call(client, admin, f"/v1/promotions/{promotion_id}", get=True)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _promotion(client: httpx.Client, creator: int, keys: dict[str, str]) -> tuple[str, float]:
    """Active, its whole budget in one burst from a few seconds from now; it runs on
    for an hour after. Returns its id and when the burst ends (monotonic)."""
    now = datetime.now(UTC)
    burst_start, burst_end = now + timedelta(seconds=3), now + timedelta(seconds=3 + BURST_S)
    body = {
        "creator_id": creator,
        "content_kind": "live",
        "content_id": "live-1",
        "goal": "live_viewers",
        "budget_coins": BUDGET_COINS,
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        "bursts": [
            {
                "starts_at": burst_start.isoformat(),
                "ends_at": burst_end.isoformat(),
                "share_bps": 10_000,
            }
        ],
    }
    manage = keys["promotions:write"]
    promotion_id: str = _call(client, manage, "/v1/promotions", body)["id"]
    _call(client, manage, f"/v1/promotions/{promotion_id}/submit")
    _call(client, keys["admin"], f"/v1/promotions/{promotion_id}/approve")
    ends = time.monotonic() + (burst_end - datetime.now(UTC)).total_seconds()
    return promotion_id, ends


def _fill(base_url: str, key: str, worker: int, until: float, shown: Shown) -> None:
    """Feed requests of new viewers until the burst ends; every third impression's
    event is reported at once, the rest held until after the burst (more than the
    budget pays for: the hard cap binds)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for n in range(100_000):
            if time.monotonic() >= until:
                return
            request = {"viewer_id": 1_000_000 + worker * 100_000 + n, "region": "US", "slots": 1}
            for placement in _call(client, key, "/v1/promote/fill", request)["placements"]:
                with shown.lock:
                    shown.count += 1
                    if shown.count % 3:
                        shown.held.append(placement["impression_id"])
                    else:
                        shown.now.put((time.monotonic(), placement["impression_id"]))
            time.sleep(0.02)


def _report(base_url: str, key: str, shown: Shown, stop: threading.Event) -> list[Any]:
    """Viewable events, each once its 2 s on screen have passed."""
    outcomes: list[Any] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not (stop.is_set() and shown.now.empty()):
            try:
                served_at, impression_id = shown.now.get(timeout=0.1)
            except queue.Empty:
                continue
            time.sleep(max(0.0, served_at + VIEWABLE_AFTER_S - time.monotonic()))
            outcomes += _events(client, key, [impression_id])
    return outcomes


def _events(client: httpx.Client, key: str, impression_ids: list[str]) -> list[Any]:
    events = [{"impression_id": i, "kind": "viewable", "visible_ms": 2_000} for i in impression_ids]
    outcomes: list[Any] = _call(client, key, "/v1/promote/events", {"events": events})["outcomes"]
    return outcomes


@pytest.fixture
def seeded(empty_postgres_url: str) -> tuple[str, int, dict[str, str]]:
    creator, keys = _keys(empty_postgres_url)
    return empty_postgres_url, creator, keys


def test_two_servers_filling_and_billing_one_promotion_never_pass_its_budget(
    seeded: tuple[str, int, dict[str, str]], tmp_path: Path
) -> None:
    url, creator, keys = seeded
    feed, admin = keys["promote:write"], keys["admin"]
    with _servers(url, tmp_path) as (first, second):
        urls = (first.base_url, second.base_url)
        with httpx.Client(base_url=urls[0], timeout=30) as client:
            promotion_id, burst_ends = _promotion(client, creator, keys)
        shown, stop = Shown(), threading.Event()
        with ThreadPoolExecutor(FILLERS + REPORTERS) as pool:
            reporters = [
                pool.submit(_report, urls[(n + 1) % 2], feed, shown, stop) for n in range(REPORTERS)
            ]
            fillers = [
                pool.submit(_fill, urls[n % 2], feed, n, burst_ends, shown) for n in range(FILLERS)
            ]
            for filler in fillers:
                filler.result()
            stop.set()
            during = [o for reporter in reporters for o in reporter.result()]
        time.sleep(VIEWABLE_AFTER_S)  # the burst is over: the plan's target is the budget
        with httpx.Client(base_url=urls[1], timeout=30) as client:
            after = [
                o
                for first_id in range(0, len(shown.held), 50)
                for o in _events(client, feed, shown.held[first_id : first_id + 50])
            ]
            promotion = _call(client, admin, f"/v1/promotions/{promotion_id}", get=True)
            outcomes = during + after
            billed = sum(o["billed_millicoins"] for o in outcomes)
            assert len(shown.held) * PRICE_PER_1000_COINS > BUDGET_COINS * 1_000
            assert promotion["billed_millicoins"] == billed <= BUDGET_COINS * 1_000
            assert promotion["billed_millicoins"] == BUDGET_COINS * 1_000  # the hard cap bound
            results = {o["result"] for o in outcomes}
            assert "unbilled" in results, results
            report = _call(client, admin, f"/v1/promotions/{promotion_id}/report", get=True)
            assert report["billed"] * PRICE_PER_1000_COINS == billed
            assert report["served"] == shown.count
            cancelled = _cancel_or_completed(client, keys["promotions:write"], admin, promotion_id)
        with httpx.Client(base_url=urls[0], timeout=30) as client:
            assert cancelled["state"] in ("cancelled", "completed")
            assert cancelled["posted_coins"] == BUDGET_COINS
            assert cancelled["posted_coins"] + cancelled["released_coins"] == BUDGET_COINS
            assert _call(client, admin, "/v1/admin/reconcile", get=True)["ok"]
