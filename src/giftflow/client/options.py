"""What both clients are configured with, and their defaults."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from giftflow.client.call import Retry

TIMEOUT_S: Final = 30.0
USER_AGENT: Final = "giftflow-client/0.1.0"
HEADERS: Final = {"User-Agent": USER_AGENT, "Accept": "application/json"}


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
