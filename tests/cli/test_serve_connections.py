"""``giftflow serve`` bounds its connections: a half-sent request is closed after the
header timeout, however slowly it trickles in; headers past their size limit are 431;
beyond the connection cap a request is answered 503 at once, not queued. Raw sockets
against a real server process."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from giftflow.bench.serving import BenchServer, server_environment

HEADER_TIMEOUT_S = 1.0
CONNECTIONS_MAX = 4
CLOSE_WITHIN_S = HEADER_TIMEOUT_S + 2
"""The timeout, and room for a busy machine."""
HEALTH = b"GET /health HTTP/1.1\r\nHost: giftflow\r\n\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BenchServer]:
    folder = tmp_path_factory.mktemp("serve-connections")
    environment = server_environment(f"sqlite:///{folder / 'economy.db'}", folder=folder)
    environment |= {
        "GIFTFLOW_HEADER_TIMEOUT_S": str(HEADER_TIMEOUT_S),
        "GIFTFLOW_HEADER_MAX_BYTES": "4096",
        "GIFTFLOW_CONNECTIONS_MAX": str(CONNECTIONS_MAX),
        "GIFTFLOW_KEEP_ALIVE_TIMEOUT_S": "60",
    }
    with BenchServer(environment, workers=1, log_path=folder / "serve.log") as running:
        yield running


def _connect(server: BenchServer) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", server.port))
    connection.settimeout(CLOSE_WITHIN_S + 5)
    return connection


def _closed_after_s(connection: socket.socket) -> float:
    """Seconds until the server closes ``connection`` (what it said before is dropped)."""
    started = time.monotonic()
    try:
        while connection.recv(4096):
            pass
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def _status(connection: socket.socket) -> bytes:
    connection.sendall(HEALTH)
    return connection.recv(4096).partition(b"\r\n")[0]


def test_half_a_request_line_is_closed_after_the_header_timeout(server: BenchServer) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /hea")
        started = time.monotonic()
        _closed_after_s(connection)
        assert HEADER_TIMEOUT_S - 0.2 < time.monotonic() - started < CLOSE_WITHIN_S


def test_a_request_trickling_in_a_byte_at_a_time_is_closed_all_the_same(
    server: BenchServer,
) -> None:
    with _connect(server) as connection:
        started = time.monotonic()
        closed = False
        for byte in HEALTH[:-4] + b"X-Slow: " + b"y" * 100:
            try:
                connection.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.1)
            if time.monotonic() - started > CLOSE_WITHIN_S:
                break
        if not closed:
            _closed_after_s(connection)
        assert time.monotonic() - started < CLOSE_WITHIN_S + 0.2


def test_a_connection_that_never_sends_is_closed_after_the_header_timeout(
    server: BenchServer,
) -> None:
    with _connect(server) as connection:
        assert _closed_after_s(connection) < CLOSE_WITHIN_S


def test_headers_past_their_size_limit_are_answered_431_and_closed(server: BenchServer) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: giftflow\r\nX-Big: " + b"a" * 8192)
        assert connection.recv(4096).startswith(b"HTTP/1.1 431 ")


def test_a_request_beyond_the_connection_cap_is_answered_503_at_once(
    server: BenchServer,
) -> None:
    """The cap counts every open connection, the asking one included."""
    held: list[socket.socket] = []
    try:
        for _ in range(CONNECTIONS_MAX - 1):
            held.append(_connect(server))
            assert _status(held[-1]) == b"HTTP/1.1 200 OK"  # then idle, kept alive
        held.append(_connect(server))
        started = time.monotonic()
        assert _status(held[-1]) == b"HTTP/1.1 503 Service Unavailable"
        assert time.monotonic() - started < 1.0
    finally:
        for connection in held:
            connection.close()
    time.sleep(0.2)  # the server sees them closed
    with _connect(server) as connection:
        assert _status(connection) == b"HTTP/1.1 200 OK"
