"""A small HTTP/1.1 client for the bench's load generators: one keep-alive connection
per sender, nothing pooled or shared.

Why not httpx: its connection pool scans every waiting request on every release, and
at a few hundred requests a second its client cost more CPU per request than the
server's own work, on the same cores. A load generator must not be what it measures.
It speaks only what giftflow answers: ``Content-Length`` or chunked bodies.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

TIMEOUT_S: Final = 30.0
HEAD_END: Final = b"\r\n\r\n"


class ConnectionLostError(Exception):
    """No answer: the connection failed, was cut, or the answer took too long."""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    """Lower-case names."""
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Connection:
    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host = host
        self.port = port
        self._headers = {"Host": f"{host}:{port}", **headers}
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self, method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        """Raises ``ConnectionLostError`` when no whole answer came back."""
        payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        fields = {**self._headers, **(headers or {}), "Content-Length": str(len(payload))}
        if body is not None:
            fields["Content-Type"] = "application/json"
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
        try:
            reply = await asyncio.wait_for(
                self._exchange(head.encode() + b"\r\n" + payload), TIMEOUT_S
            )
        except (OSError, EOFError, TimeoutError, ValueError, asyncio.IncompleteReadError) as error:
            self.close()
            raise ConnectionLostError(f"{method} {path}: {error!r}") from error
        if reply.headers.get("connection") == "close":
            self.close()
        return reply

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None

    async def _exchange(self, message: bytes) -> Reply:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        writer.write(message)
        await writer.drain()
        return await _read_reply(reader)


async def _read_reply(reader: asyncio.StreamReader) -> Reply:
    lines = (await reader.readuntil(HEAD_END)).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return Reply(status, headers, await _read_chunks(reader))
    return Reply(status, headers, await reader.readexactly(int(headers.get("content-length", 0))))


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += await reader.readexactly(size)
        await reader.readexactly(2)
    await reader.readuntil(b"\r\n")  # no trailers are sent
    return bytes(body)


def connect_to(base_url: str, headers: dict[str, str] | None = None) -> Connection:
    """A connection (opened on first use) to ``http://HOST:PORT``."""
    address = urlsplit(base_url)
    assert address.scheme == "http" and address.hostname and address.port, base_url
    return Connection(address.hostname, address.port, headers or {})


def request_once(
    base_url: str,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> Reply:
    """One request on a connection of its own, from synchronous code."""

    async def once() -> Reply:
        connection = connect_to(base_url, headers)
        try:
            return await connection.request(method, path, body=body)
        finally:
            connection.close()

    return asyncio.run(once())
