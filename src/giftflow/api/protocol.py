"""uvicorn's httptools protocol with a header timeout and a header size limit.

uvicorn bounds idle keep-alive connections (``timeout_keep_alive``) but not a request
whose headers never end: its keep-alive timer is cancelled by the first byte, and a new
connection has none at all, so a client sending a request line a byte at a time keeps
its connection (and a slot of ``limit_concurrency``) for ever (slowloris). Here a
connection's request line and headers must be complete ``GIFTFLOW_HEADER_TIMEOUT_S``
after it opened or after the request's first byte, else it is closed; and they may not
pass ``GIFTFLOW_HEADER_MAX_BYTES`` (431, closed), which httptools does not bound.

``giftflow serve`` names this class to uvicorn (``http=PROTOCOL``): each worker process
imports it and reads the two settings from the environment once.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from giftflow.settings import Settings

PROTOCOL: Final = "giftflow.api.protocol:HeaderTimeoutProtocol"
_HEADERS_TOO_LARGE: Final = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 31\r\n"
    b"connection: close\r\n\r\nRequest header fields too large"
)


@functools.cache
def _limits() -> tuple[float, int]:
    settings = Settings()
    return settings.header_timeout_s, settings.header_max_bytes


class HeaderTimeoutProtocol(HttpToolsProtocol):
    _header_timer: asyncio.TimerHandle | None = None
    _header_bytes = 0
    _in_headers = True
    """From the connection's start, and again from each request's first byte."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        if self._in_headers and self._header_bytes > _limits()[1]:
            self.transport.write(_HEADERS_TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True
        if self._header_timer is None:  # a new request on a kept-alive connection
            self._header_bytes = 0
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._disarm_header_timer()
        super().on_headers_complete()

    def _arm_header_timer(self) -> None:
        self._header_timer = self.loop.call_later(_limits()[0], self._headers_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_timed_out(self) -> None:
        self._header_timer = None
        if self._in_headers and not self.transport.is_closing():
            self.transport.close()
