"""A real webhook receiver on loopback: an HTTP server in a thread that keeps what it
was sent and answers with the status it is told to (503 while "down")."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str = ""

    def verified(self, secret: str) -> dict[str, Any]:
        """The payload, checked with the Standard Webhooks reference library."""
        payload: dict[str, Any] = Webhook(secret).verify(self.body, self.headers)
        return payload


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 204
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self) -> list[Received]:
        """What it accepted (answered 2xx)."""
        with self.lock:
            return list(self.received)

    def events(self, secret: str) -> list[dict[str, Any]]:
        """Each accepted payload once (a redelivery of an event counts once), verified."""
        seen: dict[str, dict[str, Any]] = {}
        for item in self.ok():
            payload = item.verified(secret)
            seen.setdefault(item.headers["webhook-id"], payload)
        return list(seen.values())


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            status = receiver.status
            if status < 300:
                with receiver.lock:
                    receiver.received.append(
                        Received({k.lower(): v for k, v in self.headers.items()}, body, self.path)
                    )
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def by_room(events: list[dict[str, Any]], type: str) -> dict[int, list[Any]]:
    rooms: dict[int, list[Any]] = {}
    for event in events:
        if event["type"] == type:
            rooms.setdefault(event["room_id"], []).append(event["data"])
    return rooms


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True)
