"""The one error base of giftflow.

Every error that giftflow raises on purpose is a ``GiftflowError`` with a stable,
machine-readable ``code``. Only the interfaces (``api``, ``cli``) turn these into HTTP
statuses or exit codes, in one place each.
"""

from __future__ import annotations


class GiftflowError(Exception):
    """Base of every deliberate giftflow error; ``code`` is stable across releases."""

    code: str = "giftflow_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class ConfigurationError(GiftflowError):
    """A setting or a database URL that giftflow cannot use."""

    code = "configuration_invalid"


class StoreError(GiftflowError):
    """The store could not do what was asked (connection lost, schema missing)."""

    code = "store_unavailable"
