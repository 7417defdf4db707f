"""Payouts and partner batches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, Strict, StringConstraints

from giftflow.economy.payees import Payee, PayeeKind
from giftflow.economy.payouts import PayoutState
from giftflow.http.schemas.common import (
    DIAMONDS_MAX,
    Name,
    ProviderName,
    Reason,
    Request,
    UserId,
    WholeNumber,
    at,
)
from giftflow.service.economy import ImportSummary, Payout


class PayoutCreate(Request):
    creator_id: UserId
    diamonds: Annotated[int, Strict(), Field(ge=1, le=DIAMONDS_MAX), WholeNumber]
    partner: ProviderName = "manual"


class PayoutReject(Request):
    reason: Reason


class PayeePut(Request):
    """Where the creator's cash goes: ``iban`` (spaces allowed), ``bank_account``,
    ``paypal`` (an e-mail address) or ``other`` (what the operator's partner reads)."""

    kind: PayeeKind
    destination: Annotated[str, StringConstraints(min_length=4, max_length=128)]
    holder_name: Name


class PayeePublic(BaseModel):
    """A destination as giftflow shows it: masked, ``••••`` and its last four characters
    (the partner's batch file alone holds it in full)."""

    kind: PayeeKind
    destination_masked: str
    holder_name: str

    @classmethod
    def of(cls, payee: Payee) -> Self:
        return cls(kind=payee.kind, destination_masked=payee.masked, holder_name=payee.holder_name)


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
    payee: PayeePublic | None
    """Where it is paid, masked: the creator's destination when it was requested
    (null for payouts requested before giftflow kept one)."""

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
            payee=_payee(payout),
        )


def _payee(payout: Payout) -> PayeePublic | None:
    if payout.payee_kind is None or payout.payee_destination is None:
        return None
    payee = Payee(
        PayeeKind(payout.payee_kind), payout.payee_destination, payout.payee_holder_name or ""
    )
    return PayeePublic.of(payee)


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
