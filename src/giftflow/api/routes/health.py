"""Liveness, readiness and metrics, outside ``/v1``: health and readiness without
credentials, metrics (business totals among them) for ``metrics:read`` or ``admin``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from giftflow.http import auth
from giftflow.http.deps import EconomyDep, MetricsDep, PrincipalDep
from giftflow.http.errors import NotReadyError
from giftflow.http.metrics import CONTENT_TYPE
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import Health
from giftflow.store.health import ping

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Health)
async def health() -> Health:
    """The process is up and answering."""
    return Health(status="ok")


@router.get("/ready", response_model=Health, responses={503: RESPONSES[503]})
def ready(economy: EconomyDep) -> Health:
    """The database answers a trivial read."""
    try:
        economy.ledger.read(ping)
    except Exception as error:  # whatever the driver raises, the answer is the same
        raise NotReadyError("the database does not answer") from error
    return Health(status="ready")


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(registry: MetricsDep, principal: PrincipalDep) -> Response:
    """Prometheus metrics in the text exposition format, for an API key with
    ``metrics:read`` (a scraper's ``authorization: credentials``) or ``admin``."""
    auth.require_scope(principal, "metrics:read")
    return Response(registry.exposition(), media_type=CONTENT_TYPE)
