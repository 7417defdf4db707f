"""The creator tests stage LIVE as the LIVE tests do (``tests/live/conftest.py``)."""

from __future__ import annotations

from tests.live.conftest import clock, economy_url, open_market, open_stage, sandbox, stage

__all__ = ["clock", "economy_url", "open_market", "open_stage", "sandbox", "stage"]
