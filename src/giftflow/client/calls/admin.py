"""Administration (an admin token or a key with ``admin``): payout batches and results,
fraud decisions, wallet freezes, reconciliation."""

from __future__ import annotations

from giftflow.client.call import Call, keyed, model, path, text
from giftflow.client.models import (
    FraudDecisionList,
    FraudDecisionPublic,
    ImportSummaryPublic,
    PayoutBatchPublic,
    ReconcilePublic,
    WalletPublic,
)
from giftflow.client.requests import without_none


def export_payout_batch(*, partner: str | None = None) -> Call[PayoutBatchPublic]:
    """Hands every approved payout not yet in a batch to the partner (``batch_id`` is
    ``None`` when none waited)."""
    body = without_none(partner=partner)
    return Call("POST", "/v1/admin/payout-batches", model(PayoutBatchPublic), body=body)


def download_payout_batch(batch_id: str) -> Call[str]:
    """The ``manual`` partner's CSV of the batch."""
    return Call("GET", path("/v1/admin/payout-batches/{}/file", batch_id), text)


def import_payout_results(
    results_csv: bytes,
    *,
    partner: str | None = None,
    filename: str = "results.csv",
    idempotency_key: str | None = None,
) -> Call[ImportSummaryPublic]:
    """The partner's results (``payout_id,status,reference,reason``): paid payouts are
    booked, failed ones return their diamonds; a file with a bad line changes nothing."""
    call = Call(
        "POST",
        "/v1/admin/payout-batches/results",
        model(ImportSummaryPublic),
        files={"file": (filename, results_csv, "text/csv")},
        form=without_none(partner=partner),
    )
    return keyed(call, idempotency_key)


def list_fraud_decisions(
    *, open_only: bool | None = None, limit: int | None = None
) -> Call[FraudDecisionList]:
    query = {"open": open_only, "limit": limit}
    return Call("GET", "/v1/admin/fraud-decisions", model(FraudDecisionList), query=query)


def review_fraud_decision(decision_id: int, *, upheld: bool) -> Call[FraudDecisionPublic]:
    """Close a decision (409 ``already_reviewed`` the second time)."""
    url = path("/v1/admin/fraud-decisions/{}/review", decision_id)
    return Call("POST", url, model(FraudDecisionPublic), body={"upheld": upheld})


def freeze_wallet(user_id: int, *, idempotency_key: str | None = None) -> Call[WalletPublic]:
    call = Call("POST", path("/v1/admin/users/{}/freeze", user_id), model(WalletPublic))
    return keyed(call, idempotency_key)


def unfreeze_wallet(user_id: int, *, idempotency_key: str | None = None) -> Call[WalletPublic]:
    call = Call("POST", path("/v1/admin/users/{}/unfreeze", user_id), model(WalletPublic))
    return keyed(call, idempotency_key)


def reconcile() -> Call[ReconcilePublic]:
    """Every balance recomputed from the transfer log."""
    return Call("GET", "/v1/admin/reconcile", model(ReconcilePublic))
