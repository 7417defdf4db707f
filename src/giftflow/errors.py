"""The one error base of giftflow.

Every error that giftflow raises on purpose is a ``GiftflowError`` with a stable,
machine-readable ``code``. Only the interfaces (``api``, ``cli``) turn these into HTTP
statuses or exit codes, in one place each.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

Fact = int | str | bool | None
NO_FACTS: Final[Mapping[str, Fact]] = MappingProxyType({})


class GiftflowError(Exception):
    """Base of every deliberate giftflow error; ``code`` is stable across releases.
    ``facts`` are the numbers behind a refusal, for machines (the API answers them in
    the problem's ``facts``): amounts in named units, times in nanoseconds (``*_at``)."""

    code: str = "giftflow_error"
    facts: Mapping[str, Fact] = NO_FACTS

    def __init__(
        self, message: str, *, code: str | None = None, facts: Mapping[str, Fact] | None = None
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        if facts:
            self.facts = dict(facts)

    @property
    def message(self) -> str:
        return str(self)


class ConfigurationError(GiftflowError):
    """A setting or a database URL that giftflow cannot use."""

    code = "configuration_invalid"


class StoreError(GiftflowError):
    """The store could not do what was asked (connection lost, schema missing)."""

    code = "store_unavailable"
