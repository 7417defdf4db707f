"""Webhooks out: the endpoints a platform registers, their deliveries, redelivery.

For API keys with ``webhooks:write`` and administrators. See docs/webhooks.md.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from giftflow.http import auth
from giftflow.http.deps import PrincipalDep, StateDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import TOKEN
from giftflow.http.schemas.webhooks import (
    WebhookDeliveryList,
    WebhookDeliveryPublic,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointList,
    WebhookEndpointPublic,
    WebhookEndpointUpdate,
)
from giftflow.service.webhooks import deliveries, endpoints
from giftflow.service.webhooks.urls import UrlPolicy
from giftflow.settings import Settings

SCOPE = "webhooks:write"
router = APIRouter(prefix="/v1/webhook-endpoints", tags=["webhooks"], responses=RESPONSES)
EndpointIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=TOKEN)]
DeliveryIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


def url_policy(settings: Settings) -> UrlPolicy:
    return UrlPolicy.of(settings)


def _require(principal: Principal) -> None:
    if not principal.is_admin:
        auth.require_scope(principal, SCOPE)


def _created(new: endpoints.NewSecret) -> WebhookEndpointCreated:
    public = WebhookEndpointPublic.of(new.endpoint)
    return WebhookEndpointCreated(**public.model_dump(), secret=new.secret)


@router.post("", status_code=201, response_model=WebhookEndpointCreated)
async def create_endpoint(
    body: WebhookEndpointCreate, principal: PrincipalDep, state: StateDep
) -> WebhookEndpointCreated:
    """Register an endpoint; the answer carries its signing secret, shown this once."""
    _require(principal)
    await url_policy(state.settings).check(body.url)
    new = await asyncio.to_thread(
        endpoints.create,
        state.economy.ledger,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        created_by=principal.name,
    )
    return _created(new)


@router.get("", response_model=WebhookEndpointList)
async def list_endpoints(principal: PrincipalDep, state: StateDep) -> WebhookEndpointList:
    _require(principal)
    found = await asyncio.to_thread(endpoints.listing, state.economy.ledger)
    return WebhookEndpointList(endpoints=[WebhookEndpointPublic.of(e) for e in found])


@router.get("/{endpoint_id}", response_model=WebhookEndpointPublic)
async def get_endpoint(
    endpoint_id: EndpointIdPath, principal: PrincipalDep, state: StateDep
) -> WebhookEndpointPublic:
    _require(principal)
    found = await asyncio.to_thread(endpoints.get, state.economy.ledger, endpoint_id)
    return WebhookEndpointPublic.of(found)


@router.patch("/{endpoint_id}", response_model=WebhookEndpointPublic)
async def update_endpoint(
    endpoint_id: EndpointIdPath,
    body: WebhookEndpointUpdate,
    principal: PrincipalDep,
    state: StateDep,
) -> WebhookEndpointPublic:
    """Change the URL, the types, the description, or enable / disable it. Enabling a
    disabled endpoint resumes its waiting deliveries, oldest first per room."""
    _require(principal)
    if body.url is not None:
        await url_policy(state.settings).check(body.url)
    all_types = "event_types" in body.model_fields_set and body.event_types is None
    changed = await asyncio.to_thread(
        endpoints.update,
        state.economy.ledger,
        endpoint_id,
        url=body.url,
        event_types=body.event_types,
        all_types=all_types,
        description=body.description,
        enabled=body.enabled,
    )
    return WebhookEndpointPublic.of(changed)


@router.delete("/{endpoint_id}", status_code=204, response_class=Response)
async def delete_endpoint(
    endpoint_id: EndpointIdPath, principal: PrincipalDep, state: StateDep
) -> Response:
    """Delete it, with its deliveries (sent or not) and their log."""
    _require(principal)
    await asyncio.to_thread(endpoints.delete, state.economy.ledger, endpoint_id)
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=WebhookEndpointCreated)
async def rotate_secret(
    endpoint_id: EndpointIdPath, principal: PrincipalDep, state: StateDep
) -> WebhookEndpointCreated:
    """A new secret, shown this once. For 24 hours deliveries are signed with both the
    new and the old one, so the receiver can switch without a gap."""
    _require(principal)
    new = await asyncio.to_thread(endpoints.rotate_secret, state.economy.ledger, endpoint_id)
    return _created(new)


@router.get("/{endpoint_id}/deliveries", response_model=WebhookDeliveryList)
async def list_deliveries(
    endpoint_id: EndpointIdPath,
    principal: PrincipalDep,
    state: StateDep,
    delivery_state: Annotated[
        str | None, Query(alias="state", pattern="^(pending|delivered|failed)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> WebhookDeliveryList:
    """The endpoint's deliveries, newest first (without their attempt logs)."""
    _require(principal)
    found = await asyncio.to_thread(
        deliveries.listing, state.economy.ledger, endpoint_id, state=delivery_state, limit=limit
    )
    return WebhookDeliveryList(deliveries=[WebhookDeliveryPublic.of(d) for d in found])


@router.get("/{endpoint_id}/deliveries/{delivery_id}", response_model=WebhookDeliveryPublic)
async def get_delivery(
    endpoint_id: EndpointIdPath,
    delivery_id: DeliveryIdPath,
    principal: PrincipalDep,
    state: StateDep,
) -> WebhookDeliveryPublic:
    """One delivery with every attempt: when, how long, the status code or the error."""
    _require(principal)
    found = await asyncio.to_thread(deliveries.get, state.economy.ledger, endpoint_id, delivery_id)
    return WebhookDeliveryPublic.of(found)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=WebhookDeliveryPublic,
)
async def redeliver(
    endpoint_id: EndpointIdPath,
    delivery_id: DeliveryIdPath,
    principal: PrincipalDep,
    state: StateDep,
) -> WebhookDeliveryPublic:
    """Send it again soon with a fresh retry schedule (later events of its room wait
    for it again)."""
    _require(principal)
    found = await asyncio.to_thread(
        deliveries.redeliver, state.economy.ledger, endpoint_id, delivery_id
    )
    return WebhookDeliveryPublic.of(found)
