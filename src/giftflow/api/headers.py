"""Headers every answer carries unless its route set its own (docs/security.md):

- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` (room tokens
  travel in overlay URLs: a page must not hand its URL to another site);
- JSON answers (tokens, balances, payouts) ``Cache-Control: no-store``: no proxy or
  browser cache keeps them;
- HTML answers a strict Content-Security-Policy: nothing from elsewhere, no script,
  inline style only, no frames around it (``report.html``; the dashboard and the
  overlays set policies of their own);
- ``Strict-Transport-Security`` when the server's public URL is ``https://``
  (``GIFTFLOW_PUBLIC_URL``): a browser that once reached it never tries plain HTTP.

A pure ASGI middleware: it looks at the start of each answer, nothing else.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTML_POLICY: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none';"
    " form-action 'none'; frame-ancestors 'none'"
)
_ALWAYS: Final = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
_JSON: Final = ((b"cache-control", b"no-store"),)
HSTS: Final = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
"""A year: what browsers' preload lists ask for (without preload: the operator's call)."""
_HTML: Final = (
    (b"cache-control", b"no-store"),
    (b"content-security-policy", HTML_POLICY.encode()),
)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self._always = (*_ALWAYS, HSTS) if https else _ALWAYS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                message["headers"] = _completed(headers, self._always)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _completed(
    headers: list[tuple[bytes, bytes]], always: tuple[tuple[bytes, bytes], ...]
) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    media = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    extra = always
    if media.startswith((b"application/json", b"application/problem+json")):
        extra += _JSON
    elif media.startswith(b"text/html"):
        extra += _HTML
    return headers + [(name, value) for name, value in extra if name not in present]
