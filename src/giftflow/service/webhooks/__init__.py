"""Webhooks out: the endpoints platforms register, the outbox that the changes write in
their own transaction, and the worker that delivers it, signed per Standard Webhooks.
See docs/webhooks.md and decisions/0035."""

from __future__ import annotations

from giftflow.service.webhooks.outbox import EVENT_TYPES, Outbox

__all__ = ["EVENT_TYPES", "Outbox"]
