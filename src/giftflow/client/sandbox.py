"""Signed events of the ``sandbox`` payment provider, for development and tests: what
the provider's servers would send, so a purchase can be paid (refunded, disputed)
without a real provider.

The sandbox signs HMAC-SHA256 over ``f"{t}.{body}"`` with the server's
``GIFTFLOW_SANDBOX_WEBHOOK_SECRET`` (its UTF-8 bytes) and sends
``Giftflow-Sandbox-Signature: t=<unix seconds>,v1=<hex>``; the server refuses a
signature older than 5 minutes by its own clock. Send the result with
``client.deliver_webhook("sandbox", payload, headers)``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Final, Literal

from giftflow.client.models import PaymentPublic

SIGNATURE_HEADER: Final = "Giftflow-Sandbox-Signature"
PROVIDER: Final = "sandbox"
EventKind = Literal["paid", "refunded", "disputed"]
NS_PER_S: Final = 1_000_000_000
"""Its own copy of ``giftflow.ledger.clock.NS_PER_S``: the client is installed without
the server's packages (tests/test_layers.py)."""


def sign(secret: str | bytes, payload: bytes, *, at_s: int) -> dict[str, str]:
    """The signature header for ``payload``, as signed at ``at_s`` (unix seconds)."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"{at_s}.".encode() + payload, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: f"t={at_s},v1={digest}"}


def sandbox_event(
    secret: str | bytes,
    payment: PaymentPublic,
    *,
    kind: EventKind = "paid",
    amount_minor: int | None = None,
    instrument: str | None = None,
    event_id: str | None = None,
    at_s: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    """``(payload, headers)`` of a ``payment.<kind>`` event for ``payment``.

    ``amount_minor``: the payment's amount by default (for ``refunded``, the total
    refunded so far). ``at_s``: now by default; pass the server's time when its clock is
    not the wall clock (a test clock). ``event_id``: a fresh one by default; the same id
    again is a redelivery.
    """
    at = int(time.time()) if at_s is None else at_s
    body = {
        "id": event_id or f"evt_sbx_{secrets.token_hex(12)}",
        "type": f"payment.{kind}",
        "occurred_at_ns": at * NS_PER_S,
        "data": {
            "payment_id": payment.id,
            "provider_payment_id": payment.provider_payment_id,
            "amount_minor": payment.amount_minor if amount_minor is None else amount_minor,
            "currency": payment.currency,
            "instrument": instrument,
        },
    }
    payload = json.dumps(body, separators=(",", ":")).encode()
    return payload, sign(secret, payload, at_s=at)
