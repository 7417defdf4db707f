"""The people of a serving bench: one creator and viewers with coins, set up through the
Python API on the bench's database before its server starts.

Coins are minted the only way giftflow mints them: a sandbox checkout per viewer, paid
by a signed sandbox webhook (one card per viewer, so the one-card-many-wallets rule
stays quiet). Then a platform key for the load generators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from pydantic import SecretStr

from giftflow.bench.target import GiftTarget
from giftflow.economy.catalog import Channel
from giftflow.errors import GiftflowError
from giftflow.http.keys import create_api_key
from giftflow.ids import UserId
from giftflow.payments.base import Checkout
from giftflow.payments.sandbox import SandboxProvider
from giftflow.service.economy import Economy, Payment, PurchaseOrder, Registration
from giftflow.service.economy.provider_events import WebhookDelivery
from giftflow.settings import Settings

ROSE_GIFT_ID: Final = 5655
"""The catalog's Rose: 1 coin, the cheapest gift, so a gift's coins count gifts."""
ROSE_COINS: Final = 1
SCOPES: Final = ("gifts:write", "rooms:write", "live:write", "live:read")
SANDBOX: Final = "sandbox"
SANDBOX_SECRET: Final = "giftflow-bench-sandbox-webhooks-0123456789"
"""Signs the bench's own sandbox payments only (the server never sees it); 32 bytes or
more, as the sandbox requires."""
REGION: Final = "US"
CHUNK: Final = 500


class PopulationError(GiftflowError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bench_population_failed")


@dataclass(frozen=True, slots=True)
class Population:
    creator_id: UserId
    viewer_ids: tuple[UserId, ...]
    coins_per_viewer: int
    api_key: str
    """A platform key with ``SCOPES``."""

    @property
    def funded_coins(self) -> int:
        return self.coins_per_viewer * len(self.viewer_ids)

    def target(self, *, batch_size: int = 1) -> GiftTarget:
        """Roses from every viewer in turn to the creator, with the bench's key."""
        first = self.viewer_ids[0]
        assert self.viewer_ids == tuple(range(first, first + len(self.viewer_ids)))
        return GiftTarget(
            self.api_key, self.creator_id, first, len(self.viewer_ids), ROSE_GIFT_ID, batch_size
        )


def populate(database_url: str, *, viewers: int, coins_per_viewer: int) -> Population:
    """Register and fund the bench's creator and viewers on a fresh database."""
    settings = Settings(
        database_url=database_url,
        environment="development",  # the bench's coins come from the sandbox: play money
        sandbox_webhook_secret=SecretStr(SANDBOX_SECRET),
    )
    with Economy.open(settings) as economy:
        creator = economy.register_user(
            external_id="bench-creator",
            display_name="Bench Creator",
            birth_date=date(1990, 1, 1),
            region=REGION,
            is_creator=True,
            identity_verified=True,
        )
        viewer_ids: list[UserId] = []
        for start in range(0, viewers, CHUNK):
            numbers = range(start, min(start + CHUNK, viewers))
            registered = economy.register_users([_viewer(n) for n in numbers])
            viewer_ids.extend(user.id for user in registered)
            fund(economy, [user.id for user in registered], coins_per_viewer)
        key = create_api_key(economy.ledger, name="bench", scopes=SCOPES).key
    return Population(creator.id, tuple(viewer_ids), coins_per_viewer, key)


def _viewer(number: int) -> Registration:
    return Registration(f"bench-viewer-{number}", f"Viewer {number}", date(1995, 6, 1), REGION)


def fund(economy: Economy, user_ids: Sequence[UserId], coins: int) -> None:
    """Mint ``coins`` to each wallet by a paid sandbox checkout."""
    orders = [PurchaseOrder(user_id, Channel.WEB, SANDBOX, coins=coins) for user_id in user_ids]
    payments = economy.start_purchases(orders)
    deliveries = [_paid(economy, payment) for payment in payments]
    outcomes = economy.handle_webhooks(SANDBOX, deliveries)
    for payment, outcome in zip(payments, outcomes, strict=True):
        if isinstance(outcome, GiftflowError) or outcome is None:
            raise PopulationError(f"payment {payment.id} minted nothing: {outcome}")
        if outcome.coins_minted != coins:
            raise PopulationError(f"payment {payment.id} minted {outcome.coins_minted} coins")


def _paid(economy: Economy, payment: Payment) -> WebhookDelivery:
    sandbox = economy.context.providers[SANDBOX]
    assert isinstance(sandbox, SandboxProvider), "the bench pays through the sandbox"
    assert payment.provider_payment_id is not None, "a sandbox checkout has an id"
    checkout = Checkout(SANDBOX, payment.provider_payment_id, None)
    instrument = f"bench-card-{payment.user_id}"
    return WebhookDelivery(
        *sandbox.event_paid(checkout, payment.amount_minor, payment.currency, instrument=instrument)
    )
