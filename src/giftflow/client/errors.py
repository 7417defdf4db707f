"""What the client raises: every one a ``giftflow.errors.GiftflowError`` with a ``code``.

An answered problem (RFC 9457, ``application/problem+json``) is a ``ProblemError`` with
the answer's ``status``, ``code`` and ``detail``; a 429 is its ``RateLimitedError``.
Each error of a money-moving call carries the ``idempotency_key`` it was sent with: send
the same call with that key again and nothing is applied twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from giftflow.client.models import FieldProblem
from giftflow.errors import GiftflowError


class ClientError(GiftflowError):
    """Base of the client's errors."""

    code = "client_error"

    def __init__(
        self, message: str, *, code: str | None = None, idempotency_key: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.idempotency_key = idempotency_key
        """The key the call was sent with (``None`` when it takes none)."""


class ProblemError(ClientError):
    """The server answered with a problem: ``status``, a stable ``code``, ``detail``."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        detail: str,
        title: str = "",
        type: str = "",
        instance: str | None = None,
        errors: tuple[FieldProblem, ...] = (),
        retry_after_s: int | None = None,
        body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}", code=code, idempotency_key=idempotency_key)
        self.status = status
        self.detail = detail
        self.title = title
        self.type = type
        self.instance = instance
        self.errors = errors
        """One per field, for ``validation_failed`` and ``text_invalid``."""
        self.retry_after_s = retry_after_s
        """The answer's ``Retry-After`` in seconds (429 and 503), else ``None``."""
        self.body = dict(body or {})
        """The whole problem, fields the client does not know included."""


class RateLimitedError(ProblemError):
    """429: ``rate_limited`` (wait ``retry_after_s``) or ``velocity_limited``."""


class TransportError(ClientError):
    """No answer: the connection failed or timed out. A money-moving call may have been
    applied: send it again with ``idempotency_key`` to find out, safely."""

    code = "transport_error"


class AnswerInvalidError(ClientError):
    """An answer that is not what the API documents (not JSON, a field missing)."""

    code = "answer_invalid"
