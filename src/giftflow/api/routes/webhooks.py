"""Payment providers' webhooks: no credentials, the provider's signature instead.

The raw body is handed to the provider, which verifies its signature before anything
is read (400 ``webhook_signature_invalid`` otherwise, and nothing changes). No
Idempotency-Key: providers redeliver events, and the ledger's ids derived from the
payment make a redelivery change nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Request

from giftflow.http.deps import EconomyDep, MetricsDep, WebhookLimitDep
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import TOKEN, WebhookOutcomePublic

router = APIRouter(prefix="/v1/webhooks", tags=["payments"], responses=RESPONSES)
ProviderPath = Annotated[str, Path(min_length=1, max_length=32, pattern=TOKEN)]
_ANY_JSON: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "description": "The provider's event, exactly as it signed it.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.post("/{provider}", response_model=WebhookOutcomePublic, openapi_extra=_ANY_JSON)
def receive_webhook(
    provider: ProviderPath,
    request: Request,
    _: WebhookLimitDep,  # before the body: a refused delivery is not read
    body: Annotated[bytes, Depends(raw_body)],
    economy: EconomyDep,
    metrics: MetricsDep,
) -> WebhookOutcomePublic:
    """Verify and apply one provider event: ``paid`` mints the coins once; ``refunded``
    and ``disputed`` claw them back (a dispute freezes the wallet)."""
    outcome = economy.handle_webhook(provider, body, dict(request.headers))
    if outcome is not None and outcome.coins_minted:
        metrics.coins_minted.inc(outcome.coins_minted)
    return WebhookOutcomePublic.of(outcome)
