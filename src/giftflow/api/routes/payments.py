"""Buying coins: a purchase opens a checkout with a payment provider; coins are minted
only when the provider's signed webhook says it was paid (see webhooks.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from giftflow.http import auth
from giftflow.http.deps import EconomyDep, IdempotentDep, PrincipalDep
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import (
    TOKEN,
    CustomPurchaseCreate,
    PackPurchaseCreate,
    PaymentPublic,
    PurchaseCreate,
)
from giftflow.ids import UserId

router = APIRouter(prefix="/v1", tags=["payments"], responses=RESPONSES)
PaymentIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=TOKEN)]


@router.post("/purchases", status_code=201, response_model=PaymentPublic)
def start_purchase(
    body: PurchaseCreate, principal: PrincipalDep, economy: EconomyDep, once: IdempotentDep
) -> Response:
    """Open a checkout for a pack or a custom amount at the user's regional price: the
    user's own token, or a key with ``purchases:write``. Send the buyer to
    ``checkout_url`` (null for providers without a page, such as the sandbox)."""
    auth.require_self_or_scope(principal, body.user_id, "purchases:write", admin=False)
    return once.run(
        body.model_dump(mode="json"),
        201,
        PaymentPublic.of,
        lambda key: economy.start_purchase(
            user_id=UserId(body.user_id),
            channel=body.channel,
            provider=body.provider,
            pack_id=body.pack_id if isinstance(body, PackPurchaseCreate) else None,
            coins=body.coins if isinstance(body, CustomPurchaseCreate) else None,
            once=key,
        ),
    )


@router.get("/payments/{payment_id}", response_model=PaymentPublic)
def get_payment(
    payment_id: PaymentIdPath, principal: PrincipalDep, economy: EconomyDep
) -> PaymentPublic:
    """The buyer themself, an administrator, or a key with ``purchases:write``."""
    payment = economy.payment(payment_id)
    auth.require_self_or_scope(principal, payment.user_id, "purchases:write")
    return PaymentPublic.of(payment)
