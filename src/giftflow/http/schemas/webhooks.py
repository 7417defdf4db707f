"""Webhook endpoints, their deliveries and the attempts of each."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, StringConstraints

from giftflow.http.schemas.common import Request, at, at_or_none, policed
from giftflow.service.webhooks.deliveries import Attempt, Delivery
from giftflow.service.webhooks.endpoints import Endpoint
from giftflow.service.webhooks.outbox import EventTypeName
from giftflow.text import human

WebhookUrl = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
Description = Annotated[str, StringConstraints(max_length=200), policed(human, max_length=200)]
EventTypes = Annotated[list[EventTypeName], Field(min_length=1, max_length=32)]


class WebhookEndpointCreate(Request):
    url: WebhookUrl
    """https (http in development), on a public address unless allowed in settings."""
    event_types: EventTypes | None = None
    """What to receive; leave out (or null) for every type, including future ones."""
    description: Description = ""


class WebhookEndpointUpdate(Request):
    """Only the fields sent change; ``event_types: null`` subscribes to every type."""

    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    enabled: bool | None = None


class WebhookEndpointPublic(BaseModel):
    id: str
    url: str
    description: str
    event_types: list[str] | None
    """null: every type."""
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    """Since when every attempt failed (null while healthy)."""
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: Endpoint) -> Self:
        types = None if endpoint.event_types is None else list(endpoint.event_types)
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            description=endpoint.description,
            event_types=types,
            enabled=endpoint.enabled,
            disabled_reason=endpoint.disabled_reason,
            failing_since=at_or_none(endpoint.failing_since),
            created_at=at(endpoint.created_at),
            updated_at=at(endpoint.updated_at),
        )


class WebhookEndpointCreated(WebhookEndpointPublic):
    secret: str
    """``whsec_<base64>``, shown this once: verify deliveries with it."""


class WebhookEndpointList(BaseModel):
    endpoints: list[WebhookEndpointPublic]


class WebhookAttemptPublic(BaseModel):
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None

    @classmethod
    def of(cls, attempt: Attempt) -> Self:
        return cls(
            attempted_at=at(attempt.attempted_at),
            duration_ms=attempt.duration_ms,
            status_code=attempt.status_code,
            error=attempt.error,
        )


class WebhookDeliveryPublic(BaseModel):
    id: int
    endpoint_id: str
    event_id: str
    """The ``webhook-id`` header: the same on every attempt."""
    room_id: int
    type: str
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    last_status_code: int | None
    last_error: str | None
    payload: str
    """The body as sent (signed as these exact bytes)."""
    log: list[WebhookAttemptPublic]
    """Every attempt, oldest first (only in the answer about one delivery)."""

    @classmethod
    def of(cls, delivery: Delivery) -> Self:
        pending = delivery.state == "pending"
        return cls(
            id=delivery.id,
            endpoint_id=delivery.endpoint_id,
            event_id=delivery.event_id,
            room_id=delivery.room_id,
            type=delivery.type,
            state=delivery.state,  # type: ignore[arg-type]  # the table's check keeps it
            attempts=delivery.attempts,
            next_attempt_at=at(delivery.next_attempt_at) if pending else None,
            delivered_at=at_or_none(delivery.delivered_at),
            created_at=at(delivery.created_at),
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            payload=delivery.payload,
            log=[WebhookAttemptPublic.of(attempt) for attempt in delivery.log],
        )


class WebhookDeliveryList(BaseModel):
    deliveries: list[WebhookDeliveryPublic]
