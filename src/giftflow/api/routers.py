"""The API's routers in the order the app mounts them (``giftflow.server``): here, not in
``giftflow.api.routes``, so that a route module imports alone, without its siblings."""

from __future__ import annotations

from fastapi import APIRouter

from giftflow.api.routes import (
    admin,
    analytics,
    balances,
    battles,
    bio,
    catalog,
    files,
    gifts,
    health,
    live,
    milestones,
    payees,
    payments,
    payouts,
    products,
    promote,
    questions,
    rooms,
    schedules,
    subathon,
    test_mode,
    tokens,
    users,
    webhook_endpoints,
    webhooks,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    gifts.router,  # early: routes are matched in order, and gifts are most of the traffic
    users.router,
    tokens.router,
    catalog.router,
    payments.router,
    webhooks.router,
    balances.router,
    payouts.router,
    payees.router,
    admin.router,
    rooms.router,
    live.router,
    battles.router,
    analytics.router,
    analytics.pages,  # /reports/{link}: a report link's page (not in the API's document)
    webhook_endpoints.router,
    promote.router,
    test_mode.router,
    schedules.router,
    milestones.router,
    subathon.router,
    bio.router,
    files.router,
    products.router,
    questions.router,
)
