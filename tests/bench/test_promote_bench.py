"""``bench promote`` at a small size: its money is exact (no coin overspent, the books
reconcile), no viewer sees a promotion past its cap, and it delivers its budgets."""

from __future__ import annotations

from giftflow.bench.promote import bench_promote


def test_a_small_promote_bench_never_overspends_and_delivers() -> None:
    result = bench_promote(promotions=24, viewers=1_000, seed=3)
    assert result.reconciled
    assert (result.overspent_coins, result.cap_violations) == (0, 0)
    assert result.delivered_pct >= 95
    assert result.pacing_error_max_pct < 10
    assert 0 < result.fill_cpu_p50_ms <= result.fill_cpu_p99_ms
    assert {"pacing_error_max_pct", "slot_rmse_max_pct", "fill_p99_ms"} <= result.as_dict().keys()
