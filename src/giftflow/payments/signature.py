"""The ``t=<unix s>,v1=<hex>`` signature header that Stripe and the sandbox both send.

Whoever calls a webhook route writes this header, so it is read as hostile: anything
but the documented shape is a ``WebhookSignatureError`` (400), never an exception from
deeper down (``int`` refuses numbers of more than 4,300 digits, ``hmac.compare_digest``
refuses non-ASCII text: both were 500s). Several ``v1`` while a secret is rotated;
other schemes (Stripe's test-mode ``v0``) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from giftflow.payments.errors import WebhookSignatureError

HEADER_CHARS_MAX: Final = 2_048
ITEMS_MAX: Final = 16
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
"""Unix seconds: twelve digits reach the year 33,658."""
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
"""A hex HMAC-SHA256, as both senders write it."""
_KEY = re.compile(r"[a-z][a-z0-9]{0,7}")


@dataclass(frozen=True, slots=True)
class SignatureHeader:
    timestamp_s: int
    signatures: tuple[str, ...]
    """Each ``v1``: 64 lowercase hex digits (ASCII, safe to compare)."""


def parse(value: str | None, *, header: str, provider: str) -> SignatureHeader:
    if not value:
        raise WebhookSignatureError(f"no {header} header", provider=provider)
    malformed = WebhookSignatureError(
        f"malformed {header} header: expected t=<unix seconds>,v1=<64 hex digits>",
        provider=provider,
    )
    items = value.split(",")
    if len(value) > HEADER_CHARS_MAX or len(items) > ITEMS_MAX or not value.isascii():
        raise malformed
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in items:
        key, equals, part = item.strip().partition("=")
        if not equals or not _KEY.fullmatch(key):
            raise malformed
        if key == "t":
            timestamps.append(part)
        elif key == "v1":
            signatures.append(part)
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]) or not signatures:
        raise malformed
    if not all(_SIGNATURE.fullmatch(signature) for signature in signatures):
        raise malformed
    return SignatureHeader(int(timestamps[0]), tuple(signatures))


def check_age(timestamp_s: int, *, now_s: int, tolerance_s: int, provider: str) -> None:
    """Within ``tolerance_s`` of now, either way: a stamp from the future is as suspect
    as a stale one (a clock skewed that far, or a signature made to be replayed later)."""
    age_s = now_s - timestamp_s
    if abs(age_s) > tolerance_s:
        raise WebhookSignatureError(
            f"timestamp {timestamp_s} is {age_s} s from now, beyond {tolerance_s} s of tolerance",
            provider=provider,
        )
