"""How many room WebSockets this server process holds: in all, and per room token.

A room token is pasted into OBS, and whoever has it may open the room's stream; the
caps keep one token (or a crowd of them) from holding a process's sockets. They are
counted per process: with ``giftflow serve --workers N`` a token may hold N times its
cap across the server, which the load balancer's own per-client limits bound.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

CLOSE_TRY_AGAIN_LATER: Final = 1013
"""RFC 6455's "try again later": the cap was reached; an overlay reconnects with backoff."""


class SocketCapError(Exception):
    """The process or the token holds as many room WebSockets as it may."""


class SocketCaps:
    def __init__(self, *, total: int, per_token: int) -> None:
        self.total = total
        self.per_token = per_token
        self._lock = threading.Lock()
        self._open = 0
        self._by_token: Counter[bytes] = Counter()

    @property
    def open(self) -> int:
        return self._open

    @contextmanager
    def hold(self, token: str) -> Iterator[None]:
        """One connection for its lifetime; ``SocketCapError`` when a cap is reached."""
        name = hashlib.sha256(token.encode()).digest()  # tokens are not kept in memory
        with self._lock:
            if self._open >= self.total:
                raise SocketCapError(f"this server holds {self.total} room WebSockets already")
            if self._by_token[name] >= self.per_token:
                raise SocketCapError(f"this room token holds {self.per_token} WebSockets already")
            self._open += 1
            self._by_token[name] += 1
        try:
            yield
        finally:
            with self._lock:
                self._open -= 1
                self._by_token[name] -= 1
                if not self._by_token[name]:
                    del self._by_token[name]
