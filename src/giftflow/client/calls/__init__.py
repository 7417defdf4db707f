"""Every operation of the API as a function that builds its ``Call``: the one place a
request's path, body, key and answer type are written, for both clients.

``Client.send(calls.get_wallet(7))`` is ``Client.get_wallet(7)``; a ``Call`` can be
built once and sent again (a retry with the same Idempotency-Key).
"""

from giftflow.client.calls import (
    accounts,
    admin,
    analytics,
    bio,
    live,
    milestones,
    money,
    products,
    promote,
    schedules,
    subathon,
    webhook_endpoints,
)

__all__ = [
    "accounts",
    "admin",
    "analytics",
    "bio",
    "live",
    "milestones",
    "money",
    "products",
    "promote",
    "schedules",
    "subathon",
    "test_mode",
    "webhook_endpoints",
]
