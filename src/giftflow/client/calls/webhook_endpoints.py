"""Webhook endpoints: where giftflow sends a platform its events (docs/webhooks.md).
For a key with ``webhooks:write``, or an administrator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from giftflow.client.call import Call, model, nothing, path
from giftflow.client.models import (
    WebhookDeliveryList,
    WebhookDeliveryPublic,
    WebhookEndpointCreated,
    WebhookEndpointList,
    WebhookEndpointPublic,
)
from giftflow.client.requests import without_none

DeliveryState = Literal["pending", "delivered", "failed"]


def create_webhook_endpoint(
    *, url: str, event_types: Sequence[str] | None = None, description: str | None = None
) -> Call[WebhookEndpointCreated]:
    """The answer carries the endpoint's signing ``secret``, shown this once."""
    types = None if event_types is None else list(event_types)
    body = without_none(url=url, event_types=types, description=description)
    return Call("POST", "/v1/webhook-endpoints", model(WebhookEndpointCreated), body=body)


def list_webhook_endpoints() -> Call[WebhookEndpointList]:
    return Call("GET", "/v1/webhook-endpoints", model(WebhookEndpointList))


def get_webhook_endpoint(endpoint_id: str) -> Call[WebhookEndpointPublic]:
    url = path("/v1/webhook-endpoints/{}", endpoint_id)
    return Call("GET", url, model(WebhookEndpointPublic))


def update_webhook_endpoint(
    endpoint_id: str,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> Call[WebhookEndpointPublic]:
    """The fields given change; enabling a disabled endpoint resumes its deliveries."""
    types = None if event_types is None else list(event_types)
    body = without_none(url=url, event_types=types, description=description, enabled=enabled)
    address = path("/v1/webhook-endpoints/{}", endpoint_id)
    return Call("PATCH", address, model(WebhookEndpointPublic), body=body)


def delete_webhook_endpoint(endpoint_id: str) -> Call[None]:
    """Its deliveries go with it."""
    return Call("DELETE", path("/v1/webhook-endpoints/{}", endpoint_id), nothing)


def rotate_webhook_secret(endpoint_id: str) -> Call[WebhookEndpointCreated]:
    """A new secret, shown once; the old one also signs for 24 hours."""
    url = path("/v1/webhook-endpoints/{}/rotate-secret", endpoint_id)
    return Call("POST", url, model(WebhookEndpointCreated))


def list_webhook_deliveries(
    endpoint_id: str, *, state: DeliveryState | None = None, limit: int | None = None
) -> Call[WebhookDeliveryList]:
    url = path("/v1/webhook-endpoints/{}/deliveries", endpoint_id)
    query = {"state": state, "limit": limit}
    return Call("GET", url, model(WebhookDeliveryList), query=query)


def get_webhook_delivery(endpoint_id: str, delivery_id: int) -> Call[WebhookDeliveryPublic]:
    """One delivery and every attempt."""
    url = path("/v1/webhook-endpoints/{}/deliveries/{}", endpoint_id, delivery_id)
    return Call("GET", url, model(WebhookDeliveryPublic))


def redeliver_webhook(endpoint_id: str, delivery_id: int) -> Call[WebhookDeliveryPublic]:
    """Sent again soon, with a fresh retry schedule."""
    url = path("/v1/webhook-endpoints/{}/deliveries/{}/redeliver", endpoint_id, delivery_id)
    return Call("POST", url, model(WebhookDeliveryPublic), repeatable=True)
