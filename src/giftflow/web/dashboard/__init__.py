"""The web dashboard (docs/dashboard.md): server-rendered pages for creators (earnings,
LIVEs, cohorts, coin flows, payouts, post-LIVE reports) and administrators (reconcile,
fraud review, payout approval, the platform's coin flows), served by the API's app.

No JavaScript: every chart is inline SVG from ``giftflow.web.charts``, every action a
form. A browser signs in once with ``?token=<user token>`` and is then known by an
HttpOnly, SameSite=Strict cookie (``signin``). ``create_app`` includes ``router``.
"""

from __future__ import annotations

from giftflow.web.dashboard.routes import router

__all__ = ["router"]
