"""The payment providers an economy opens with when none are given: what the settings
configure (the sandbox, Stripe)."""

from __future__ import annotations

from giftflow.errors import ConfigurationError
from giftflow.ledger.clock import Clock
from giftflow.payments.base import PaymentProvider
from giftflow.settings import Settings


def default_providers(settings: Settings, clock: Clock) -> dict[str, PaymentProvider]:
    """The payment providers the settings configure: the sandbox when its webhook secret
    is set, Stripe when both its key and webhook secret are (one without the other is a
    ConfigurationError)."""
    providers: dict[str, PaymentProvider] = {}
    if settings.sandbox_webhook_secret is not None:
        from giftflow.payments.sandbox import SandboxProvider  # noqa: PLC0415

        secret = settings.sandbox_webhook_secret.get_secret_value().encode()
        providers["sandbox"] = SandboxProvider(secret, clock, page_url=settings.public_url)
    stripe_key, stripe_secret = settings.stripe_api_key, settings.stripe_webhook_secret
    if (stripe_key is None) != (stripe_secret is None):
        raise ConfigurationError(
            "set both GIFTFLOW_STRIPE_API_KEY and GIFTFLOW_STRIPE_WEBHOOK_SECRET, or neither"
        )
    if stripe_key is not None and stripe_secret is not None:
        from giftflow.payments.stripe import StripeProvider  # noqa: PLC0415 (SDK on demand)

        providers["stripe"] = StripeProvider(
            stripe_key.get_secret_value(), stripe_secret.get_secret_value()
        )
    return providers
