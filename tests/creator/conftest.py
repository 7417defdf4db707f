"""The creator tests stage LIVE as the LIVE tests do (``tests/live/conftest.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

# With ``--import-mode=importlib`` a conftest is importable by others only once pytest
# has loaded it; running ``tests/creator`` alone it has not, so ``tests/`` goes on the path.
if str(Path(__file__).parents[1]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parents[1]))

from live.conftest import clock, economy_url, open_market, open_stage, sandbox, stage

__all__ = ["clock", "economy_url", "open_market", "open_stage", "sandbox", "stage"]
