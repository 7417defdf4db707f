"""Typed reads from the JSON object of a verified webhook.

The signature proves who sent a body, not that it has the shape we expect; every read
here either returns the declared type or raises WebhookPayloadError.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from giftflow.payments.errors import WebhookPayloadError


def load_object(payload: bytes | str, *, provider: str) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError alike
        raise WebhookPayloadError(f"body is not JSON: {error}", provider=provider) from None
    return as_object(value, "body", provider=provider)


def as_object(value: object, where: str, *, provider: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WebhookPayloadError(f"{where} is not an object", provider=provider)
    return value


def child(parent: Mapping[str, Any], key: str, *, provider: str) -> dict[str, Any]:
    return as_object(parent.get(key), key, provider=provider)


def text(parent: Mapping[str, Any], key: str, *, provider: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise WebhookPayloadError(f"{key} is not a non-empty string", provider=provider)
    return value


def optional_text(parent: Mapping[str, Any] | None, key: str, *, provider: str) -> str | None:
    value = None if parent is None else parent.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise WebhookPayloadError(f"{key} is not a string", provider=provider)
    return value


def amount(parent: Mapping[str, Any], key: str, *, provider: str) -> int:
    value = parent.get(key)
    # bool is an int to Python, never an amount to us.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise WebhookPayloadError(f"{key} is not a non-negative integer", provider=provider)
    return value


def currency(parent: Mapping[str, Any], key: str, *, provider: str) -> str:
    value = text(parent, key, provider=provider)
    if len(value) != 3 or not value.isalpha() or not value.isascii():
        raise WebhookPayloadError(f"{key} {value!r} is not an ISO currency", provider=provider)
    return value.upper()
