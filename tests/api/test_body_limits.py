"""Request bodies bounded before they are read, on a real server: a declared length
over the route's limit is refused at once, a chunked body once it passes the limit, and
nothing else (authentication, parsing) runs first."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

from api.conftest import World, assert_problem

WEBHOOK_MAX = 64 * 1024
BATCH_MAX = 8 * 1024 * 1024
DEFAULT_MAX = 256 * 1024


def test_a_huge_declared_body_to_the_webhook_route_is_refused_before_it_is_sent(
    world: World,
) -> None:
    address = urlsplit(str(world.client.base_url))
    with socket.create_connection((address.hostname, address.port), timeout=10) as raw:
        raw.sendall(
            b"POST /v1/webhooks/sandbox HTTP/1.1\r\nHost: giftflow\r\n"
            b"Content-Type: application/json\r\nContent-Length: 80000000\r\n\r\n{"
        )  # 80 MB announced, one byte sent: the answer cannot wait for the rest
        started = time.monotonic()
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = raw.recv(65_536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert json.loads(body)["code"] == "body_too_large"
    assert time.monotonic() - started < 5


def test_a_chunked_body_is_refused_once_it_passes_the_limit(world: World) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(WEBHOOK_MAX // 1024 + 2):
            yield b"x" * 1024

    answer = world.client.post("/v1/webhooks/sandbox", content=chunks())
    assert_problem(answer, 413, "body_too_large")


def test_each_route_class_has_its_own_limit_and_the_limit_comes_before_credentials(
    world: World,
) -> None:
    big = b"[" + b"0," * (DEFAULT_MAX // 2) + b"0]"  # over the default, within a batch's
    assert_problem(world.client.post("/v1/purchases", content=big), 413, "body_too_large")
    assert_problem(world.client.post("/v1/gifts/batch", content=big), 401, "unauthenticated")
    huge = b"x" * (BATCH_MAX + 1)
    assert_problem(world.client.post("/v1/gifts/batch", content=huge), 413, "body_too_large")
    small = world.client.post("/v1/webhooks/sandbox", content=b"{}")
    assert small.status_code != 413  # judged by the provider's rules, not the size
