"""Which providers may run together: the environment says whether money is real.

A provider whose payments cost nothing (the sandbox, whose secret is all it takes to
mark a purchase paid; Stripe in test mode, which anyone completes with a test card)
mints coins for free. So ``production`` accepts only providers that charge real money,
and ``development`` only providers that do not: the sandbox never sits beside a live
provider, and a test key never reaches a production economy. See docs/security.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from giftflow.errors import ConfigurationError
from giftflow.payments.base import PaymentProvider

SANDBOX_SECRET_MIN_BYTES: Final = 32
"""As long as the HMAC-SHA256 it keys (RFC 2104: shorter keys weaken it)."""


def check_environment(providers: Mapping[str, PaymentProvider], *, development: bool) -> None:
    """Refuse any provider that does not belong in the environment (ConfigurationError)."""
    for name, provider in sorted(providers.items()):
        if development and provider.real_money:
            raise ConfigurationError(
                f"the {name!r} payment provider charges real money (a live key), but"
                " GIFTFLOW_ENVIRONMENT is development: development never touches real money,"
                " so that the sandbox and test keys can never sit beside a live provider"
            )
        if not development and not provider.real_money:
            raise ConfigurationError(
                f"the {name!r} payment provider mints coins without real money (the sandbox,"
                " or Stripe with a test key): production refuses it; set"
                " GIFTFLOW_ENVIRONMENT=development on a machine that serves no real users"
            )


def check_sandbox_secret(secret: bytes) -> None:
    if len(secret) < SANDBOX_SECRET_MIN_BYTES:
        raise ConfigurationError(
            f"the sandbox webhook secret has {len(secret)} bytes; it needs"
            f" {SANDBOX_SECRET_MIN_BYTES} or more (for instance: openssl rand -hex 32)"
        )
