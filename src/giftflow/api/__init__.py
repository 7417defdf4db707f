"""The HTTP API (FastAPI): ``create_app(economy, settings)``; see docs/api.md."""

from giftflow.api.app import create_app

__all__ = ["create_app"]
