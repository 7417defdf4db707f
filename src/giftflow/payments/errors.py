"""Errors of the payment providers, each with a stable ``code``.

A webhook that fails its signature check is never looked into: whoever sent it cannot
mint coins, and the caller answers it without saying more than the code.
"""

from __future__ import annotations

from giftflow.errors import GiftflowError


class WebhookSignatureError(GiftflowError):
    """The webhook's signature is missing, malformed, wrong, or older than the tolerance."""

    code = "webhook_signature_invalid"

    def __init__(self, message: str, *, provider: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class WebhookPayloadError(GiftflowError):
    """A well-signed webhook whose body is not the shape the provider documents."""

    code = "webhook_payload_invalid"

    def __init__(self, message: str, *, provider: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class PaymentProviderError(GiftflowError):
    """The provider refused a request or could not be reached; ``message`` is theirs."""

    code = "payment_provider_error"

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        http_status: int | None = None,
        provider_code: str | None = None,
    ) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.http_status = http_status
        self.provider_code = provider_code
