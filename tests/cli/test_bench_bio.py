"""``giftflow bench bio``: a short real run through the command line, on loopback: every
measure present, the ratios those of the measures, and every view answered stored."""

from __future__ import annotations

import json
import math

import pytest

from tests.cli.conftest import giftflow, said

pytestmark = pytest.mark.slow


def test_bench_bio_json_has_its_measures_and_counts_every_view() -> None:
    result = giftflow("bench", "bio", "--duration", "1", "--connections", "8", "--json")

    assert result.returncode == 0, said(result)
    figures = json.loads(result.stdout)
    runs = [figures[name] for name in ("health_before", "page", "health_after", "page_uncached")]
    for run in runs:
        assert run["answered"] > 0 and run["statuses"] == {"200": run["answered"]}
        assert sum(run["errors"].values()) == 0
    health = (runs[0]["requests_per_s"] + runs[2]["requests_per_s"]) / 2
    assert math.isclose(figures["page_vs_health"], runs[1]["requests_per_s"] / health, rel_tol=0.01)
    assert figures["views_answered"] == runs[1]["answered"] + runs[3]["answered"]
    assert figures["views_answered"] <= figures["views_stored"] <= figures["views_sent"]
    assert figures["counted"] is True and figures["ok"] is True
