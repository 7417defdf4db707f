"""The webhook sender against real sockets on loopback: what it reads of an answer,
what it never does (follow a redirect, wait for ever, read a body without end), and
that it keeps a connection only when the answer allows."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from giftflow.service.webhooks.sender import Sender, SendError
from giftflow.service.webhooks.urls import UrlPolicy, WebhookUrlError

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
TIMEOUT_S = 0.5


def post_to(handler: Handler, times: int = 1) -> tuple[list[int | str], int]:
    """POST ``times`` through one sender to a server running ``handler`` per
    connection: the statuses (or errors), and how many connections it opened."""
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            await handler(reader, writer)
        finally:
            writer.close()

    async def run() -> list[int | str]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        policy = UrlPolicy(allow_private=True, allow_http=True)
        target = policy.parse(f"http://127.0.0.1:{port}/hooks?x=1")
        sender = Sender(TIMEOUT_S, response_bytes_max=64)
        answers: list[int | str] = []
        for _ in range(times):
            try:
                answers.append(await sender.post(target, "127.0.0.1", [("a", "b")], b"{}"))
            except SendError as error:
                answers.append(str(error))
        await sender.aclose()
        server.close()
        return answers

    answers = asyncio.run(run())
    return answers, connections


async def _request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.startswith(b"content-length")
    )
    return head + await reader.readexactly(length)


def answering(*answers: bytes) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for answer in answers:
            request = await _request(reader)
            assert (
                request.startswith(b"POST /hooks?x=1 HTTP/1.1\r\n") and b"\r\na: b\r\n" in request
            )
            writer.write(answer)
            await writer.drain()

    return handle


def test_a_kept_alive_connection_carries_every_delivery() -> None:
    ok = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
    assert post_to(answering(ok, ok, ok), times=3) == ([200, 200, 200], 1)


def test_a_redirect_is_an_answer_never_followed() -> None:
    moved = b"HTTP/1.1 302 Found\r\nlocation: http://169.254.169.254/\r\ncontent-length: 0\r\n\r\n"
    assert post_to(answering(moved)) == ([302], 1)


def test_a_long_or_chunked_body_is_read_no_further_and_the_connection_dropped() -> None:
    long = b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n" + b"x" * 1000
    chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n"
    assert post_to(answering(long, long), times=2) == ([200, 200], 2)
    assert post_to(answering(chunked, chunked), times=2) == ([200, 200], 2)


def test_connection_close_is_honoured() -> None:
    closing = b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n"
    assert post_to(answering(closing, closing), times=2) == ([204, 204], 2)


def test_a_silent_receiver_times_out_and_garbage_is_no_answer() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        await asyncio.sleep(TIMEOUT_S * 4)

    answers, _ = post_to(silent)
    assert answers == [f"no answer within {TIMEOUT_S:g} s"]
    answers, _ = post_to(answering(b"SSH-2.0-OpenSSH\r\n\r\n"))
    assert isinstance(answers[0], str) and answers[0].startswith("not an HTTP answer")


def test_nobody_listening_is_an_error() -> None:
    async def run() -> str:
        target = UrlPolicy(allow_private=True, allow_http=True).parse("http://127.0.0.1:9/x")
        with pytest.raises(SendError) as raised:
            await Sender(TIMEOUT_S, 64).post(target, "127.0.0.1", [], b"{}")
        return str(raised.value)

    assert asyncio.run(run()).startswith("cannot connect")


def test_https_is_required_in_production_and_private_addresses_refused() -> None:
    production = UrlPolicy()
    with pytest.raises(WebhookUrlError, match="https"):
        production.parse("http://example.com/hooks")
    target = production.parse("https://127.0.0.1/hooks")

    async def resolve() -> str:
        return await production.resolve(target)

    with pytest.raises(WebhookUrlError, match="not a public address"):
        asyncio.run(resolve())


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ``localhost`` (openssl, as on any Debian machine)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return key, cert


def test_https_is_verified_against_the_urls_host_not_the_address(
    certificate: tuple[Path, Path],
) -> None:
    key, cert = certificate
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))
    ok = b"HTTP/1.1 204 No Content\r\n\r\n"

    async def run(host: str, tls: ssl.SSLContext) -> int | str:
        server = await asyncio.start_server(answering(ok), "127.0.0.1", 0, ssl=served)
        port = server.sockets[0].getsockname()[1]
        target = UrlPolicy(allow_private=True).parse(f"https://{host}:{port}/hooks?x=1")
        sender = Sender(TIMEOUT_S * 4, 64, tls=tls)
        try:
            return await sender.post(target, "127.0.0.1", [("a", "b")], b"{}")
        except SendError as error:
            return str(error)
        finally:
            await sender.aclose()
            server.close()

    assert asyncio.run(run("localhost", trusting)) == 204
    refused = asyncio.run(run("localhost", ssl.create_default_context()))  # not trusted
    assert isinstance(refused, str) and "CERTIFICATE_VERIFY_FAILED" in refused
    wrong_name = asyncio.run(run("127.0.0.1", trusting))  # the certificate names localhost
    assert isinstance(wrong_name, str) and "certificate" in wrong_name.lower()
