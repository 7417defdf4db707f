"""Administration: partner batches, fraud review, freezing wallets, reconciliation.

Every operation here needs an administrator: an ``admin`` token, or a key with the
``admin`` scope.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from giftflow.http import auth
from giftflow.http.deps import EconomyDep, IdempotentDep, PrincipalDep
from giftflow.http.errors import BatchNotFoundError
from giftflow.http.idempotency import Idempotent
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import (
    USER_ID_MAX,
    FraudDecisionList,
    FraudDecisionPublic,
    FraudReview,
    ImportSummaryPublic,
    PayoutBatchCreate,
    PayoutBatchPublic,
    ProviderName,
    ReconcilePublic,
    WalletPublic,
)
from giftflow.ids import UserId
from giftflow.ledger.limits import INT64_MAX
from giftflow.partners.manual import ManualPartner
from giftflow.service.economy import Economy, ImportSummary
from giftflow.service.once import Once


async def admin_only(principal: PrincipalDep) -> Principal:
    auth.require_admin(principal)
    return principal


AdminDep = Annotated[Principal, Depends(admin_only)]
router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=RESPONSES)
BatchIdPath = Annotated[str, Path(pattern=r"^pb_[A-Za-z0-9]{1,37}$")]
UserIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX)]
DecisionIdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]


@router.post(
    "/payout-batches",
    status_code=201,
    response_model=PayoutBatchPublic,
    responses={200: {"model": PayoutBatchPublic, "description": "Nothing was waiting"}},
)
def export_payout_batch(
    _: AdminDep, economy: EconomyDep, body: PayoutBatchCreate | None = None
) -> JSONResponse:
    """Hand every approved payout not yet in a batch to the partner (``manual``: a CSV
    file, downloaded below): 201 with the batch, or 200 with ``batch_id`` null when no
    approved payout was waiting."""
    partner = (body or PayoutBatchCreate()).partner
    exported = economy.export_payouts(partner)
    batch_id, count = (None, 0) if exported is None else (exported[0], exported[2])
    batch = PayoutBatchPublic(partner=partner, batch_id=batch_id, count=count)
    return JSONResponse(batch.model_dump(mode="json"), status_code=200 if count == 0 else 201)


@router.get(
    "/payout-batches/{batch_id}/file",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def download_payout_batch(batch_id: BatchIdPath, _: AdminDep, economy: EconomyDep) -> Response:
    """The ``manual`` partner's batch file, as exported."""
    path = _batch_file(economy, batch_id)
    headers = {"Content-Disposition": f'attachment; filename="{batch_id}.csv"'}
    return Response(path.read_bytes(), media_type="text/csv", headers=headers)


def _batch_file(economy: Economy, batch_id: str) -> FilePath:
    partner = economy.partners.get("manual")
    if isinstance(partner, ManualPartner):
        path = partner.folder / f"{batch_id}.csv"
        if path.is_file():
            return path
    raise BatchNotFoundError(f"no batch file {batch_id}")


@router.post("/payout-batches/results", response_model=ImportSummaryPublic)
def import_payout_results(
    file: Annotated[UploadFile, File(description="The partner's results CSV.")],
    _: AdminDep,
    economy: EconomyDep,
    once: IdempotentDep,
    partner: Annotated[ProviderName, Form()] = "manual",
) -> Response:
    """Apply the partner's results (``payout_id,status,reference,reason`` per line for
    ``manual``): paid payouts are booked, failed ones return their diamonds. A file
    with any line that cannot apply changes nothing."""
    content = file.file.read()
    request = {"partner": partner, "file_sha256": hashlib.sha256(content).hexdigest()}
    return once.run(
        request, 200, ImportSummaryPublic.of, lambda key: _import(economy, partner, content, key)
    )


def _import(economy: Economy, partner: str, content: bytes, once: Once) -> ImportSummary:
    with tempfile.TemporaryDirectory(prefix="giftflow-results-") as folder:
        source = FilePath(folder) / "results.csv"
        source.write_bytes(content)
        return economy.import_payout_results(source, partner, once=once)


@router.get("/fraud-decisions", response_model=FraudDecisionList)
def list_fraud_decisions(
    _: AdminDep,
    economy: EconomyDep,
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FraudDecisionList:
    """Decisions of the fraud rules, newest first; ``open=true``: not yet reviewed."""
    found = economy.fraud_decisions(open_only=open_only, limit=limit)
    return FraudDecisionList(decisions=[FraudDecisionPublic.of(d) for d in found])


@router.post("/fraud-decisions/{decision_id}/review", response_model=FraudDecisionPublic)
def review_fraud_decision(
    decision_id: DecisionIdPath, body: FraudReview, principal: AdminDep, economy: EconomyDep
) -> FraudDecisionPublic:
    """Close a decision: ``upheld`` (the rule was right) or overturned."""
    decision = economy.review_fraud_decision(
        decision_id, upheld=body.upheld, reviewer=principal.name
    )
    return FraudDecisionPublic.of(decision)


@router.post("/users/{user_id}/freeze", response_model=WalletPublic)
def freeze_wallet(
    user_id: UserIdPath, _: AdminDep, economy: EconomyDep, once: IdempotentDep
) -> Response:
    """Freeze the user's wallet: no coins in or out until unfrozen."""
    return _set_frozen(economy, once, user_id, frozen=True)


@router.post("/users/{user_id}/unfreeze", response_model=WalletPublic)
def unfreeze_wallet(
    user_id: UserIdPath, _: AdminDep, economy: EconomyDep, once: IdempotentDep
) -> Response:
    return _set_frozen(economy, once, user_id, frozen=False)


def _set_frozen(
    economy: Economy, once: Idempotent, user_id: UserIdPath, *, frozen: bool
) -> Response:
    """Freeze or unfreeze, once per Idempotency-Key: the wallet as it then is."""
    return once.run(
        None,
        200,
        WalletPublic.of,
        lambda key: economy.set_wallet_frozen(user_id, frozen=frozen, once=key),
    )


@router.get("/reconcile", response_model=ReconcilePublic)
def reconcile(_: AdminDep, economy: EconomyDep) -> ReconcilePublic:
    """Recompute every balance from the transfer log and check each unit sums to zero."""
    return ReconcilePublic.of(economy.reconcile())
