"""What creators build beyond the LIVE, under test: LIVE's fixtures (a real database on
each backend, a manual clock, a recording bus).

``tests/creator`` is a package so that mypy names this module ``creator.conftest``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).parents[1]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parents[1]))

from live.conftest import clock, economy_url, open_market, open_stage, sandbox, stage

__all__ = ["clock", "economy_url", "open_market", "open_stage", "sandbox", "stage"]
