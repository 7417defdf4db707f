"""``giftflow bench ws``: a short real run through the command line: every frame of the
room reaches every subscriber, in order, and the books balance."""

from __future__ import annotations

import json

import pytest

from giftflow.bench.ws import DEFAULT_REDIS_URL
from tests.cli.conftest import giftflow, said
from tests.servers import reachable_redis

pytestmark = pytest.mark.slow


def test_bench_ws_json_counts_every_frame_delivered_in_order() -> None:
    result = giftflow(
        "bench", "ws", "--subscribers", "5", "--rate", "40", "--duration", "1", "--json"
    )

    assert result.returncode == 0, said(result)
    figures = json.loads(result.stdout)
    driven, frames = figures["driven"], figures["frames"]
    assert driven["gifts_sent"] == 40 and driven["gifts_acknowledged"] == 40
    assert driven["booked_per_s"] > 0
    assert figures["booked_vs_asked"] == pytest.approx(driven["booked_per_s"] / 40, rel=0.01)
    # At least a gift.sent per gift and the session's end, for each subscriber.
    assert frames["expected"] >= 5 * 41
    assert frames["delivered"] == frames["in_order"] == frames["expected"]
    assert frames["caught_up"] == 5 and frames["resyncs"] == 0 and frames["close_codes"] == {}
    assert 0 < frames["latency_p50_ms"] <= frames["latency_p99_ms"] <= frames["latency_max_ms"]
    assert figures["books"]["ok"] and figures["books"]["coins_spent"] == 40
    assert figures["bus"] == "in-process"


@pytest.fixture
def redis_url() -> str:
    """The bench's own Redis database (skips, or fails in CI, when Redis is down)."""
    return reachable_redis(DEFAULT_REDIS_URL)


@pytest.mark.postgres
def test_bench_ws_with_two_workers_streams_through_redis(
    postgres_admin_url: str, redis_url: str
) -> None:
    result = giftflow(
        "bench", "ws", "--subscribers", "4", "--rate", "40", "--duration", "1",
        "--backend", "postgres", "--workers", "2", "--postgres-url", postgres_admin_url,
        "--redis-url", redis_url,
    )  # fmt: skip

    assert result.returncode == 0, said(result)
    output = said(result)
    assert "postgres, 2 worker(s), redis bus" in output and "passed" in output
