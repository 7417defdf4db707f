"""Small helpers the benches share to turn measurements into figures."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of the (sorted, non-empty) values lie."""
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, 0 when nothing was measured below the line."""
    return round(numerator / denominator, 3) if denominator > 0 else 0.0
