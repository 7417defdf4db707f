"""Analytics over a real store: LIVE's fixtures (a real database on each backend, a
manual clock, the sandbox, ``Live`` with a recording bus) and ``Analytics`` over it.

``tests/analytics_service`` is a package so that mypy names this module
``analytics_service.conftest``.
"""

from __future__ import annotations

import pytest

from giftflow.service.analytics import Analytics
from tests.live.conftest import (
    NS_PER_S,
    OpenStage,
    Stage,
    clock,
    economy_url,
    open_market,
    open_stage,
    sandbox,
    stage,
)

__all__ = [
    "NS_PER_S",
    "OpenStage",
    "Stage",
    "clock",
    "economy_url",
    "open_market",
    "open_stage",
    "sandbox",
    "stage",
]


@pytest.fixture
def analytics(stage: Stage) -> Analytics:
    return Analytics.of(stage.live)


def rows(stage: Stage, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    """Plain SQL over the tables, for recomputing what analytics says."""
    return stage.live.context.read(lambda tx: tx.execute(sql, parameters).fetchall())
