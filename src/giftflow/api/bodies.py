"""Request bodies are bounded before anything reads them (docs/security.md): a body
over its route's limit is answered 413 ``body_too_large`` before authentication,
parsing or a byte more is read. A declared ``Content-Length`` is judged at once; a
chunked body is taken up to the limit and then handed on, or refused.

| routes | limit (setting) |
|--------|-----------------|
| ``/v1/webhooks/…`` (payment providers, unauthenticated) | ``GIFTFLOW_BODY_MAX_WEBHOOK`` (64 KiB) |
| ``/v1/gifts/batch``, ``/v1/admin/payout-batches/results`` | ``GIFTFLOW_BODY_MAX_BATCH`` (8 MiB) |
| everything else | ``GIFTFLOW_BODY_MAX`` (256 KiB) |
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from giftflow.api import problems

WEBHOOK_PREFIX = "/v1/webhooks/"
BATCH_PATHS = frozenset({"/v1/gifts/batch", "/v1/admin/payout-batches/results"})


@dataclass(frozen=True, slots=True)
class BodyLimits:
    default: int
    webhook: int
    batch: int

    def of(self, path: str) -> int:
        if path.startswith(WEBHOOK_PREFIX):
            return self.webhook
        if path in BATCH_PATHS:
            return self.batch
        return self.default


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.of(scope["path"])
        declared = _content_length(scope)
        if declared is not None:
            if declared > limit:
                await _refuse(scope, send, limit)
            else:  # the server holds the body to its declared length
                await self.app(scope, receive, send)
            return
        if not _chunked(scope):
            await self.app(scope, receive, send)
            return
        taken = await _take(receive, limit)
        if taken is None:
            await _refuse(scope, send, limit)
            return
        await self.app(scope, _replay(taken, receive), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses such a request before it gets here
    return None


def _chunked(scope: Scope) -> bool:
    return any(
        name == b"transfer-encoding" and b"chunked" in value.lower()
        for name, value in scope["headers"]
    )


async def _take(receive: Receive, limit: int) -> list[Message] | None:
    """The body's messages, or None as soon as they pass ``limit`` bytes."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if size > limit:
            return None
        if not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    refusal = problems.problem(
        413,
        "body_too_large",
        f"this route takes request bodies of at most {limit:,} bytes",
        instance=scope["path"],
    )
    answer = problems.response(refusal, headers={"Connection": "close"})
    await answer(scope, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}
