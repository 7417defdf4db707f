"""Fraud review and reconciliation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Strict

from giftflow.http.schemas.common import Request, at, at_or_none
from giftflow.ledger.reconcile import ReconcileReport
from giftflow.service.economy import LoggedDecision


class FraudDecisionPublic(BaseModel):
    id: int
    rule: str
    action: str
    user_id: int | None
    subject: str
    detail: str
    created_at: datetime
    review_state: str
    reviewed_by: str | None
    reviewed_at: datetime | None

    @classmethod
    def of(cls, decision: LoggedDecision) -> Self:
        return cls(
            id=decision.id,
            rule=decision.rule,
            action=decision.action,
            user_id=decision.user_id,
            subject=decision.subject,
            detail=decision.detail,
            created_at=at(decision.created_at),
            review_state=decision.review_state,
            reviewed_by=decision.reviewed_by,
            reviewed_at=at_or_none(decision.reviewed_at),
        )


class FraudDecisionList(BaseModel):
    decisions: list[FraudDecisionPublic]
    """Newest first."""


class FraudReview(Request):
    upheld: Annotated[bool, Strict()]
    """True: the rule was right; false: it was overturned."""


class UnitTotalsPublic(BaseModel):
    unit: str
    accounts: int
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int
    balanced: bool


class MismatchPublic(BaseModel):
    account_id: int
    field: str
    stored: int
    recomputed: int


class ReconcilePublic(BaseModel):
    ok: bool
    transfers: int
    accounts: int
    units: list[UnitTotalsPublic]
    mismatches: list[MismatchPublic]
    """The first 100."""
    problems: list[str]
    """The first 100."""

    @classmethod
    def of(cls, report: ReconcileReport) -> Self:
        return cls(
            ok=report.ok,
            transfers=report.transfers,
            accounts=report.accounts,
            units=[
                UnitTotalsPublic(
                    unit=totals.unit,
                    accounts=totals.accounts,
                    debits_posted=totals.debits_posted,
                    credits_posted=totals.credits_posted,
                    debits_pending=totals.debits_pending,
                    credits_pending=totals.credits_pending,
                    balanced=totals.balanced,
                )
                for totals in report.units
            ],
            mismatches=[
                MismatchPublic(
                    account_id=m.account_id, field=m.field, stored=m.stored, recomputed=m.recomputed
                )
                for m in report.mismatches[:100]
            ],
            problems=report.problems[:100],
        )
