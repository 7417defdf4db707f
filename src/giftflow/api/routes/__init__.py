"""The API's routes, one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from giftflow.api.routes import (
    admin,
    analytics,
    balances,
    battles,
    catalog,
    gifts,
    health,
    live,
    payments,
    payouts,
    rooms,
    tokens,
    users,
    webhooks,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    users.router,
    tokens.router,
    catalog.router,
    payments.router,
    webhooks.router,
    gifts.router,
    balances.router,
    payouts.router,
    admin.router,
    rooms.router,
    live.router,
    battles.router,
    analytics.router,
)
