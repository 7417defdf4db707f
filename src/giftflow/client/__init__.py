"""A typed client of giftflow's HTTP API (docs/client.md): ``Client`` (blocking) and
``AsyncClient`` (asyncio), over httpx, with the same methods.

    from giftflow.client import Client

    with Client("http://127.0.0.1:8000", credential="gf_…") as client:
        user = client.register_user(external_id="fan-1", display_name="Fan",
                                    birth_date=date(1990, 1, 1), region="US")

Standard library and httpx only: it imports nothing of the server.
"""

from giftflow.client import calls, models
from giftflow.client.asynchronous import AsyncClient
from giftflow.client.call import NO_RETRY, Call, Retry
from giftflow.client.errors import (
    AnswerInvalidError,
    ClientError,
    ProblemError,
    RateLimitedError,
    TransportError,
)
from giftflow.client.options import new_idempotency_key
from giftflow.client.requests import ChapterPlan, GiftEvent, Perk, Tier
from giftflow.client.sandbox import sandbox_event
from giftflow.client.synchronous import Client
from giftflow.errors import GiftflowError

__all__ = [
    "NO_RETRY",
    "AnswerInvalidError",
    "AsyncClient",
    "Call",
    "ChapterPlan",
    "Client",
    "ClientError",
    "GiftEvent",
    "GiftflowError",
    "Perk",
    "ProblemError",
    "RateLimitedError",
    "Retry",
    "Tier",
    "TransportError",
    "calls",
    "models",
    "new_idempotency_key",
    "sandbox_event",
]
