"""Payouts and partner batches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, Strict

from giftflow.api.schemas.common import (
    DIAMONDS_MAX,
    ProviderName,
    Reason,
    Request,
    UserId,
    WholeNumber,
    at,
)
from giftflow.economy.payouts import PayoutState
from giftflow.service.economy import ImportSummary, Payout


class PayoutCreate(Request):
    creator_id: UserId
    diamonds: Annotated[int, Strict(), Field(ge=1, le=DIAMONDS_MAX), WholeNumber]
    partner: ProviderName = "manual"


class PayoutReject(Request):
    reason: Reason


class PayoutPublic(BaseModel):
    id: str
    creator_id: int
    diamonds: int
    gross_minor: int
    fee_minor: int
    net_minor: int
    currency: str
    region: str
    partner: str
    state: PayoutState
    batch_id: str | None
    partner_reference: str | None
    failure_reason: str | None
    requested_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, payout: Payout) -> Self:
        return cls(
            id=payout.id,
            creator_id=payout.creator_id,
            diamonds=payout.diamonds,
            gross_minor=payout.gross_minor,
            fee_minor=payout.fee_minor,
            net_minor=payout.net_minor,
            currency=payout.currency,
            region=payout.region,
            partner=payout.partner,
            state=PayoutState(payout.state),
            batch_id=payout.batch_id,
            partner_reference=payout.partner_reference,
            failure_reason=payout.failure_reason,
            requested_at=at(payout.requested_at),
            updated_at=at(payout.updated_at),
        )


class PayoutList(BaseModel):
    payouts: list[PayoutPublic]
    """Newest first, at most 500."""


class PayoutBatchCreate(Request):
    partner: ProviderName = "manual"


class PayoutBatchPublic(BaseModel):
    """``batch_id`` is null (and ``count`` 0) when no approved payout was waiting."""

    partner: str
    batch_id: str | None
    count: int


class ImportSummaryPublic(BaseModel):
    paid: list[str]
    failed: list[str]
    unchanged: list[str]

    @classmethod
    def of(cls, summary: ImportSummary) -> Self:
        return cls(paid=summary.paid, failed=summary.failed, unchanged=summary.unchanged)
