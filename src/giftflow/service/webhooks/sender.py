"""A lean HTTP/1.1 client for webhook deliveries: one POST at a time per connection,
keep-alive connections per address, TLS checked against the URL's host, a timeout on
the whole exchange, no redirect ever followed, and no more of an answer read than
``response_bytes_max``.

Why not httpx: a delivery costs a server what a request it answers costs (about a
millisecond of CPU through httpx), and one process both serves gifts and delivers their
events. Over asyncio streams a delivery costs a fifth of that (decisions/0036).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from giftflow.service.webhooks.urls import Target

HEAD_BYTES_MAX = 16_384
"""An answer's status line and headers at most."""


class SendError(Exception):
    """The exchange failed: no connection, a timeout, or an answer that is not HTTP."""


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def close(self) -> None:
        self.writer.close()


@dataclass(slots=True)
class Sender:
    timeout_s: float
    response_bytes_max: int
    tls: ssl.SSLContext = field(default_factory=ssl.create_default_context)
    _idle: dict[tuple[str, str, int, str], list[_Connection]] = field(default_factory=dict)

    async def post(
        self, target: Target, address: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> int:
        """POST ``body`` to ``target``'s path on ``address``; the answer's status."""
        key = (target.scheme, address, target.port, target.host)
        request = _request(target, headers, body)
        idle = self._idle.setdefault(key, [])
        while idle:  # a kept connection the other side may have closed meanwhile
            connection = idle.pop()
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                return await self._exchange(connection, request, idle)
            connection.close()
        try:
            async with asyncio.timeout(self.timeout_s):
                connection = await self._connect(target, address)
        except TimeoutError:
            raise SendError(f"no connection within {self.timeout_s:g} s") from None
        except OSError as error:
            raise SendError(f"cannot connect: {error}") from None
        try:
            return await self._exchange(connection, request, idle)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            connection.close()
            raise SendError(f"the connection broke: {error!r}") from None

    async def _connect(self, target: Target, address: str) -> _Connection:
        if target.scheme == "https":
            reader, writer = await asyncio.open_connection(
                address, target.port, ssl=self.tls, server_hostname=target.host
            )
        else:
            reader, writer = await asyncio.open_connection(address, target.port)
        return _Connection(reader, writer)

    async def _exchange(
        self, connection: _Connection, request: bytes, idle: list[_Connection]
    ) -> int:
        """Send, read the answer; the connection goes back to ``idle`` only when its
        answer was read whole and it may stay open."""
        try:
            async with asyncio.timeout(self.timeout_s):
                connection.writer.write(request)
                await connection.writer.drain()
                status, keep = await self._answer(connection.reader)
        except TimeoutError:
            connection.close()
            raise SendError(f"no answer within {self.timeout_s:g} s") from None
        except (ValueError, asyncio.LimitOverrunError) as error:
            connection.close()
            raise SendError(f"not an HTTP answer: {error}") from None
        except (asyncio.IncompleteReadError, ConnectionError):
            raise  # the caller closes it, and may try a fresh connection
        except OSError as error:  # TLS, among others
            connection.close()
            raise SendError(f"the exchange failed: {error}") from None
        if keep:
            idle.append(connection)
        else:
            connection.close()
        return status

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[int, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > HEAD_BYTES_MAX:
            raise ValueError("its headers are too long")
        lines = head.decode("latin-1").split("\r\n")
        version, status = _status_line(lines[0])
        fields = _fields(lines[1:])
        keep = version == "HTTP/1.1" and "close" not in fields.get("connection", "").lower()
        length = fields.get("content-length")
        if "transfer-encoding" in fields or length is None:
            if status not in (204, 304):
                await reader.read(self.response_bytes_max)  # a little, then hang up
                keep = False
            return status, keep
        size = int(length)
        if size > self.response_bytes_max:
            await reader.read(self.response_bytes_max)
            return status, False
        await reader.readexactly(size)
        return status, keep

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()


def _request(target: Target, headers: Sequence[tuple[str, str]], body: bytes) -> bytes:
    parts = urlsplit(target.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = 443 if target.scheme == "https" else 80
    host = target.host if target.port == default else f"{target.host}:{target.port}"
    if ":" in target.host:
        host = f"[{target.host}]" + ("" if target.port == default else f":{target.port}")
    lines = [f"POST {path} HTTP/1.1", f"host: {host}", f"content-length: {len(body)}"]
    lines.extend(f"{name}: {value}" for name, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _status_line(line: str) -> tuple[str, int]:
    version, _, rest = line.partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise ValueError(f"status line {line[:80]!r}")
    return version, int(code)


def _fields(lines: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
    return fields
