"""Requests whose bucket is known to be empty, refused at the door (plain ASGI).

When a caller's bucket refused a request, ``RateLimiter`` notes until when it stays
empty. Until then this middleware answers that caller's requests 429 at once, before
FastAPI reads the body or the credential is looked up: an abusive key costs the
server a header read, not a request. The caller is named from the ``Authorization``
header without verifying it (a key's id, a token's ``sub``): a forged credential that
names someone else only gets its own request refused, and takes nothing from that
caller's bucket (only verified requests do).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from giftflow.api.body_limits import WEBHOOK_PREFIX
from giftflow.http import problems
from giftflow.http.errors import RateLimitedError
from giftflow.http.rate_limits import Kind, RateLimiter, kind_of

_KEY_ID: Final = re.compile(rb"Bearer gf_([0-9a-f]{16})_", re.IGNORECASE)
_TOKEN_MAX_BYTES: Final = 4096


class EarlyLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            refused = self._refused(scope)
            if refused is not None:
                answer = problems.error_response(refused, instance=scope["path"])
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refused(self, scope: Scope) -> RateLimitedError | None:
        if scope["path"].startswith(WEBHOOK_PREFIX):
            client = scope.get("client")
            return self.limiter.refused_early(Kind.WEBHOOK, client[0] if client else "unknown")
        caller = _caller(scope)
        if caller is None:
            return None
        is_key, who = caller
        return self.limiter.refused_early(kind_of(is_key, scope["method"]), who)


def _caller(scope: Scope) -> tuple[bool, str] | None:
    """Whether the credential is a key, and the principal's name it claims."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            key = _KEY_ID.match(value)
            if key is not None:
                return True, f"key:{key.group(1).decode()}"
            subject = _claimed_subject(value)
            return None if subject is None else (False, f"user:{subject}")
    return None


def _claimed_subject(value: bytes) -> str | None:
    """A JWT's ``sub``, unverified."""
    parts = value.removeprefix(b"Bearer ").split(b".")
    if len(parts) != 3 or len(parts[1]) > _TOKEN_MAX_BYTES:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + b"=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return subject if isinstance(subject, str) and subject.isdigit() else None
