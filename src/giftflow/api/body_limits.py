"""Request body limits, enforced before anything reads the body (plain ASGI).

Each route class has a maximum (``GIFTFLOW_BODY_MAX_*``): webhooks small, gift batches
and payout results uploads large, every other route the default. A ``Content-Length``
beyond it is answered at once; a body sent without one (chunked) is counted as it
streams in and answered the moment it passes the limit. Either way the answer is 413
``body_too_large`` with ``Connection: close``, before any JSON is parsed or any
credential looked at, and the server stops reading that connection.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from giftflow.errors import GiftflowError
from giftflow.http import problems
from giftflow.settings import Settings

WEBHOOK_PREFIX: Final = "/v1/webhooks/"
BATCH_PATHS: Final = frozenset({"/v1/gifts/batch", "/v1/admin/payout-batches/results"})
FILE_UPLOAD: Final = re.compile(r"/v1/creators/[0-9]{1,10}/files")


class BodyTooLargeError(GiftflowError):
    """Raised from ``receive`` to stop the app once the 413 is sent."""

    code = "body_too_large"


@dataclass(frozen=True, slots=True)
class BodyLimits:
    default_bytes: int
    webhook_bytes: int
    batch_bytes: int
    file_bytes: int = 0
    """``POST /v1/creators/{creator_id}/files``: a perk's or product's file."""

    @classmethod
    def of(cls, settings: Settings) -> BodyLimits:
        return cls(
            default_bytes=settings.body_max_bytes,
            webhook_bytes=settings.body_max_webhook_bytes,
            batch_bytes=settings.body_max_batch_bytes,
            file_bytes=settings.file_max_bytes,
        )

    def for_path(self, path: str) -> int:
        if path.startswith(WEBHOOK_PREFIX):
            return self.webhook_bytes
        if path in BATCH_PATHS:
            return self.batch_bytes
        if self.file_bytes and FILE_UPLOAD.fullmatch(path):
            return max(self.file_bytes, self.default_bytes)
        return self.default_bytes


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.for_path(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit)
            return
        await _Guard(scope, receive, send, limit).run(self.app)


class _Guard:
    """One request's body counted as it arrives; once past ``limit``, the 413 is sent
    and whatever the app answers afterwards is dropped."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        self.scope, self._receive, self._send, self.limit = scope, receive, send, limit
        self.received = 0
        self.started = False
        self.refused = False

    async def run(self, app: ASGIApp) -> None:
        # Answered (or, had the app answered already, cut short).
        with contextlib.suppress(BodyTooLargeError):
            await app(self.scope, self.receive, self.send)

    async def receive(self) -> Message:
        if self.refused:
            raise BodyTooLargeError("the request body is over its limit")
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                if not self.started:
                    await _refuse(self.scope, self._send, self.limit)
                self.refused = True
                raise BodyTooLargeError("the request body is over its limit")
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    detail = f"the request body is over this route's limit of {limit:,} bytes"
    found = problems.problem(413, "body_too_large", detail, instance=scope["path"])
    answer = problems.response(found, headers={"Connection": "close"})
    await answer(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None
