"""The HTTP API (FastAPI): ``create_app(economy, settings)``; see docs/api.md.

``create_app`` is imported on first use, not with the package: the app composes the
API's routers with the web pages (``giftflow.web``), which use the API's
authentication, so importing any part of either (``giftflow.web.dashboard``,
``giftflow.api.auth``) must not pull in the whole app first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from giftflow.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from giftflow.api.app import create_app  # noqa: PLC0415

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
