"""Body limits before parsing: an 80 MB webhook is refused long before it is all sent,
declared or chunked; a big batch without credentials is refused 413, not parsed for a
401; every limit holds at its boundary. Raw sockets, to see when the answer comes."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import World, open_world

MB = 1024 * 1024
EIGHTY_MB = 80 * MB
CHUNK = 64 * 1024
SENT_AT_MOST = 8 * MB
"""A tenth of the body: the answer came while the client was still sending."""
ANSWER_TIMEOUT_S = 10


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("body-limits")
    with open_world(f"sqlite:///{folder / 'economy.db'}", folder / "payouts") as opened:
        yield opened


def _send(world: World, head: bytes, chunks: Iterator[bytes]) -> tuple[bytes, int]:
    """Send ``head``, then ``chunks`` until the server answers; the whole answer (the
    server closes the connection) and how many body bytes went out."""
    address = urlsplit(str(world.client.base_url))
    with socket.create_connection((address.hostname, address.port)) as connection:
        connection.sendall(head)
        sent = 0
        for chunk in chunks:
            if select.select([connection], [], [], 0)[0]:
                break  # answered
            try:
                connection.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        return _read_all(connection), sent


def _read_all(connection: socket.socket) -> bytes:
    connection.settimeout(ANSWER_TIMEOUT_S)
    answer = b""
    while True:
        try:
            data = connection.recv(65536)
        except ConnectionResetError:
            return answer
        if not data:
            return answer
        answer += data


def _head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: giftflow", "Content-Type: application/json"]
    return ("\r\n".join([*lines, *headers]) + "\r\n\r\n").encode()


def _zeros(total: int) -> Iterator[bytes]:
    for start in range(0, total, CHUNK):
        yield b"0" * min(CHUNK, total - start)


def _chunked(total: int) -> Iterator[bytes]:
    for piece in _zeros(total):
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def _refused_413(answer: bytes) -> None:
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 413 Request Entity Too Large", answer[:300]
    head = rest.partition(b"\r\n\r\n")[0].lower()
    assert b"content-type: application/problem+json" in head
    assert b"connection: close" in head
    assert b'"code":"body_too_large"' in answer


def test_an_80_mb_webhook_is_refused_on_its_content_length_before_it_is_sent(
    world: World,
) -> None:
    head = _head("/v1/webhooks/sandbox", f"Content-Length: {EIGHTY_MB}")
    answer, sent = _send(world, head, _zeros(EIGHTY_MB))
    _refused_413(answer)
    assert sent < SENT_AT_MOST


def test_an_80_mb_chunked_webhook_is_refused_once_past_64_kib(world: World) -> None:
    head = _head("/v1/webhooks/sandbox", "Transfer-Encoding: chunked")
    answer, sent = _send(world, head, _chunked(EIGHTY_MB))
    _refused_413(answer)
    assert sent < SENT_AT_MOST
    assert b"65,536 bytes" in answer


def test_a_22_mb_batch_without_credentials_is_refused_413_not_parsed_for_a_401(
    world: World,
) -> None:
    size = 22 * MB
    answer, sent = _send(world, _head("/v1/gifts/batch", f"Content-Length: {size}"), _zeros(size))
    _refused_413(answer)
    assert sent < SENT_AT_MOST


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/v1/webhooks/sandbox", 64 * 1024),
        ("/v1/users", 256 * 1024),
        ("/v1/gifts/batch", 4 * MB),
    ],
)
@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_each_route_takes_a_body_up_to_its_limit_and_refuses_one_byte_more(
    world: World, path: str, limit: int, framing: str
) -> None:
    for size, refused in ((limit, False), (limit + 1, True)):
        if framing == "length":
            answer, _ = _send(
                world, _head(path, f"Content-Length: {size}", "Connection: close"), _zeros(size)
            )
        else:
            answer, _ = _send(
                world,
                _head(path, "Transfer-Encoding: chunked", "Connection: close"),
                _chunked(size),
            )
        status = answer.partition(b"\r\n")[0]
        if refused:
            _refused_413(answer)
        else:
            assert b" 413 " not in status, answer[:300]  # read, then refused for what it says
            assert status.startswith((b"HTTP/1.1 400", b"HTTP/1.1 401")), answer[:300]
