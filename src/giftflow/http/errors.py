"""The HTTP interface's own errors: authentication, authorisation, a missing key.

(The idempotency key's own refusals live with the keys, in ``giftflow.service.once``.)

Like every deliberate giftflow error each is a ``GiftflowError`` with a stable ``code``;
``problems.py`` gives each code its HTTP status, in one table.
"""

from __future__ import annotations

from giftflow.economy.errors import NotFoundError
from giftflow.errors import GiftflowError


class ApiError(GiftflowError):
    code = "api_error"


class UnauthenticatedError(ApiError):
    """No credentials, or credentials that are not ours (unknown or revoked key)."""

    code = "unauthenticated"


class TokenInvalidError(UnauthenticatedError):
    code = "token_invalid"


class TokenExpiredError(UnauthenticatedError):
    code = "token_expired"


class TokenRevokedError(UnauthenticatedError):
    """A token that was good once: revoked, issued by a revoked key or before its user's
    cut-off, or for a role its user no longer holds."""

    code = "token_revoked"


class ForbiddenError(ApiError):
    """Known credentials that may not do this (another user's data, the wrong role)."""

    code = "forbidden"


class ScopeMissingError(ForbiddenError):
    """A platform key without the scope the operation needs."""

    code = "scope_missing"


class RoleNotAllowedError(ApiError):
    """A token asked for a role its user does not have (creator for a non-creator)."""

    code = "role_not_allowed"


class IdempotencyKeyMissingError(ApiError):
    code = "idempotency_key_missing"


class BatchNotFoundError(NotFoundError):
    code = "batch_not_found"


class NotReadyError(ApiError):
    code = "not_ready"


class RateLimitedError(ApiError):
    """A caller's bucket is empty (``rate_limits.py``): 429 with ``Retry-After``."""

    code = "rate_limited"

    def __init__(self, kind: str, retry_after_s: int) -> None:
        super().__init__(f"too many requests ({kind}); try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s
