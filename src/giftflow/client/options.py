"""What both clients are configured with, and their defaults."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from giftflow.client.call import Retry

TIMEOUT_S: Final = 30.0
USER_AGENT: Final = "giftflow-client/0.1.0"
HEADERS: Final = {"User-Agent": USER_AGENT, "Accept": "application/json"}


H = TypeVar("H")


def connection(
    http: H | None,
    base_url: str | None,
    *,
    timeout_s: float,
    open_http: Callable[..., H],
    missing: str,
) -> tuple[H, bool]:
    """The client's httpx client, and whether it is the client's own to close: the
    caller's ``http``, else one ``open_http`` opens on ``base_url``; without either, a
    ``ValueError`` that says ``missing``."""
    if http is not None:
        return http, False
    if base_url is None:
        raise ValueError(missing)
    return open_http(base_url=base_url, timeout=timeout_s, headers=HEADERS), True


def new_idempotency_key() -> str:
    """A random UUID: unique without coordination, 36 visible ASCII characters."""
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Options:
    """``credential``: a platform key (``gf_…``) or a user token, sent as a Bearer.
    ``new_key`` makes Idempotency-Keys (inject a deterministic one in tests)."""

    credential: str | None = None
    retry: Retry = field(default_factory=Retry)
    new_key: Callable[[], str] = new_idempotency_key
