"""A webhook receiver for benches: a loopback HTTP/1.1 server on its own thread and
event loop that answers every POST ``204`` and counts them, doing as little as it can
(it shares the machine with the server under test)."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Final

START_TIMEOUT_S: Final = 10.0
_ANSWER: Final = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"


class _Connection(asyncio.Protocol):
    def __init__(self, receiver: BenchReceiver) -> None:
        self._receiver = receiver
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            length = _content_length(self._buffer[:end])
            if len(self._buffer) < end + 4 + length:
                return
            self._buffer = self._buffer[end + 4 + length :]
            self._receiver.received += 1
            assert self._transport is not None
            self._transport.write(_ANSWER)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


class BenchReceiver:
    """``with BenchReceiver() as receiver:`` serves at ``receiver.url``."""

    def __init__(self) -> None:
        self.received = 0
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-receiver", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            self._loop.create_server(lambda: _Connection(self), "127.0.0.1", 0)
        )
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hooks"
        self._ready.set()
        self._loop.run_forever()
        self._server.close()
        self._loop.run_until_complete(self._server.wait_closed())
        self._loop.close()

    def __enter__(self) -> BenchReceiver:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise RuntimeError("the bench receiver did not start")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(START_TIMEOUT_S)
