"""What a creator grows by, as pure functions of the stored facts (docs/analytics.md).

Standard library only: ``giftflow.service.analytics`` reads the rows into
``giftflow.analytics.facts`` and the functions here turn them into the JSON documents
the API, the dashboard, the report page and ``giftflow replay`` all show.
"""

from __future__ import annotations

from .cohorts import cohorts
from .flows import FlowTotals, check_balanced, coin_flows
from .report import PreviousSummary, previous_json, session_report, session_summary
from .series import MinuteRow, minute_json, minute_series, series_json

__all__ = [
    "FlowTotals",
    "MinuteRow",
    "PreviousSummary",
    "check_balanced",
    "cohorts",
    "coin_flows",
    "minute_json",
    "minute_series",
    "previous_json",
    "series_json",
    "session_report",
    "session_summary",
]
