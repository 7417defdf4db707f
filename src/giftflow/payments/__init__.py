"""Payment providers: open a checkout, turn a signed webhook into a verified event.

Coins are minted only from a :class:`PaymentEvent` that a provider verified; see
docs.md in this folder.
"""

from giftflow.payments.base import (
    Checkout,
    CheckoutRequest,
    PaymentEvent,
    PaymentEventKind,
    PaymentProvider,
)
from giftflow.payments.errors import (
    PaymentProviderError,
    WebhookPayloadError,
    WebhookSignatureError,
)

__all__ = [
    "Checkout",
    "CheckoutRequest",
    "PaymentEvent",
    "PaymentEventKind",
    "PaymentProvider",
    "PaymentProviderError",
    "WebhookPayloadError",
    "WebhookSignatureError",
]
