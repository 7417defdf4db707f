"""The web dashboard (docs/dashboard.md): server-rendered pages for creators (earnings,
LIVEs, cohorts, coin flows, payouts, post-LIVE reports) and administrators (reconcile,
fraud review, payout approval, the platform's coin flows), a creator's promotions and
their reports, the promotions review queue, a LIVE's priority Q&A queue, served by the
API's app.

No JavaScript: every chart is inline SVG from ``giftflow.render.charts``, every action a
form. A browser signs in once with ``?token=<user token>`` and is then known by an
HttpOnly, SameSite=Strict cookie (``signin``). ``create_app`` includes ``router``.
"""

from __future__ import annotations

from fastapi import APIRouter

from giftflow.web.dashboard import promote_routes, questions_routes, routes

router = APIRouter(include_in_schema=False)
router.include_router(routes.router)
router.include_router(promote_routes.router)
router.include_router(questions_routes.router)

__all__ = ["router"]
