"""``giftflow bench http``: a short real run through the command line, on loopback,
its figures present and consistent and its books checked."""

from __future__ import annotations

import json
import math

import pytest

from tests.cli.conftest import giftflow, said

pytestmark = pytest.mark.slow
SHORT = ("--duration", "1", "--ledger-gifts", "2000", "--batch-size", "100")


def test_bench_http_json_has_every_figure_of_a_run_whose_books_balance() -> None:
    result = giftflow("bench", "http", *SHORT, "--connections", "16", "--json")

    assert result.returncode == 0, said(result)
    figures = json.loads(result.stdout)
    health, gift, batch = figures["health"], figures["gift"], figures["batch"]
    for measure in (health, gift, batch):
        assert measure["requests_per_s"] > 0 and measure["answered"] > 0
        assert 0 < measure["p50_ms"] <= measure["p99_ms"]
        assert sum(measure["errors"].values()) == 0
    assert health["statuses"] == {"200": health["answered"]}
    assert gift["statuses"] == {"201": gift["answered"]}  # every gift booked and answered
    assert batch["statuses"] == {"200": batch["answered"]}
    assert gift["gifts_per_s"] == gift["requests_per_s"]
    assert batch["gifts_per_s"] == pytest.approx(100 * batch["requests_per_s"], rel=0.01)
    assert math.isclose(
        figures["gift_vs_health"], gift["requests_per_s"] / health["requests_per_s"], rel_tol=0.01
    )
    assert math.isclose(
        figures["batch_vs_ledger"],
        batch["gifts_per_s"] / figures["ledger_gifts_per_s"],
        rel_tol=0.01,
    )
    books = figures["books"]
    assert books["ok"] and books["reconciled"] and books["doubled"] == 0
    assert books["coins_spent"] == books["acknowledged_coins"] + books["in_flight_coins"]
    assert books["stuck_keys"] == 0  # a server stopped gently answers what it took
    assert figures["kill"] is None and figures["webhook"] is None and figures["ok"] is True


def test_bench_http_webhook_measures_the_outbox_and_both_workers_in_the_same_run() -> None:
    result = giftflow("bench", "http", *SHORT, "--connections", "16", "--webhook", "--json")

    assert result.returncode == 0, said(result)
    figures = json.loads(result.stdout)
    hooked = figures["webhook"]
    for name in ("outbox", "delivering", "separate", "gift_after"):
        assert hooked[name]["statuses"] == {"201": hooked[name]["answered"]}
    first, second = hooked["between"]
    for mode, before, after in (
        ("outbox", figures["gift"], first),
        ("delivering", first, second),
        ("separate", second, hooked["gift_after"]),
    ):
        mean = (before["requests_per_s"] + after["requests_per_s"]) / 2
        assert math.isclose(
            hooked[f"{mode}_vs_without"], hooked[mode]["requests_per_s"] / mean, rel_tol=0.01
        )
    # Every gift booked while a worker ran was delivered, by the server's own worker and
    # then by `giftflow webhooks deliver --follow` beside it.
    assert hooked["delivered"] >= hooked["delivering"]["answered"] > 0
    assert hooked["delivered_separate"] >= hooked["separate"]["answered"] > 0
    # The server's child is its own process: its CPU is counted apart from the server's.
    assert hooked["child_cpu_us_per_delivery"] > 0
    assert figures["books"]["ok"] and figures["ok"] is True


@pytest.mark.postgres
def test_bench_http_on_postgres_with_two_workers_prints_the_ratios(postgres_admin_url: str) -> None:
    result = giftflow(
        "bench", "http", *SHORT, "--backend", "postgres", "--workers", "2",
        "--postgres-url", postgres_admin_url,
    )  # fmt: skip

    assert result.returncode == 0, said(result)
    output = said(result)
    for row in ("postgres, 2 worker(s)", "single gift / health", "batch / ledger", "passed"):
        assert row in output
