"""How replayed viewers get the coins they give: always by buying them through the
sandbox provider, whose signed ``paid`` webhook is the only way coins are minted.

Two ways, one per story (decision 0097):

- ``fund_up_front`` (``giftflow replay``): before the LIVE every viewer buys, in
  batches, custom amounts adding up to what they will give.
- ``Packs`` (the demo): before each donation the viewer buys the standard packs their
  wallet lacks, the smallest pack that covers it or else the largest again, purchases
  alternating between the web and app-store channels.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeVar

from giftflow.economy.catalog.model import Channel, CoinPack, CustomPackRule
from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ids import UserId
from giftflow.payments.base import Checkout
from giftflow.payments.sandbox import NAME as SANDBOX
from giftflow.replay.world import REGION, ReplayWorld
from giftflow.service.economy import Payment, PaymentOutcome, PurchaseOrder, WebhookDelivery

CUSTOM_CHANNEL: Final = Channel.WEB
PACK_CHANNELS: Final = (Channel.WEB, Channel.APP_STORE)
"""The demo's purchases alternate between them, one after the other."""
T = TypeVar("T")


class FundingError(GiftflowError):
    """A purchase that minted nothing (or not what it should have)."""

    code = "replay_failed"


def instrument(user_id: UserId) -> str:
    """A replayed viewer's card fingerprint, as the provider reports it (one card each)."""
    return f"card_{user_id:08d}"


def checkout_of(payment: Payment) -> Checkout:
    """The sandbox's checkout for one of our payments (what it keys its events by)."""
    if payment.provider_payment_id is None:
        raise FundingError(f"payment {payment.id} has no checkout")
    return Checkout(payment.provider, payment.provider_payment_id, None)


def paid_event(world: ReplayWorld, payment: Payment) -> tuple[bytes, dict[str, str]]:
    """The sandbox's signed ``paid`` webhook for a payment: body and headers."""
    return world.sandbox.event_paid(
        checkout_of(payment),
        payment.amount_minor,
        payment.currency,
        instrument=instrument(payment.user_id),
    )


def check_minted(payment: Payment, outcome: PaymentOutcome | GiftflowError | None) -> None:
    if isinstance(outcome, GiftflowError):
        raise FundingError(f"payment {payment.id} failed: {outcome.code}: {outcome}") from outcome
    if outcome is None or outcome.coins_minted != payment.coins:
        raise FundingError(f"payment {payment.id} did not mint its {payment.coins} coins")


# --- up front ---------------------------------------------------------------------------


def custom_amounts(total: int, rule: CustomPackRule) -> list[int]:
    """Custom purchases adding up to at least ``total`` coins: as many of the largest
    allowed amount as needed, the rest at least the smallest allowed amount."""
    amounts = []
    remaining = total
    while remaining > 0:
        amount = max(rule.min_coins, min(remaining, rule.max_coins))
        amounts.append(amount)
        remaining -= amount
    return amounts


def fund_up_front(
    world: ReplayWorld,
    needed: Mapping[int, int],
    *,
    chunk: int,
    on_done: Callable[[int, int], None],
) -> None:
    """Each user buys the coins ``needed`` maps them to, purchases opened and their
    webhooks handled ``chunk`` at a time; ``on_done(done, total)`` after each chunk."""
    economy = world.economy
    rule = economy.catalog.custom_rule(REGION, CUSTOM_CHANNEL)
    orders = [
        PurchaseOrder(UserId(user_id), CUSTOM_CHANNEL, SANDBOX, coins=amount)
        for user_id, total in needed.items()
        for amount in custom_amounts(total, rule)
    ]
    done = 0
    for part in _chunks(orders, chunk):
        payments = economy.start_purchases(part)
        deliveries = [WebhookDelivery(*paid_event(world, payment)) for payment in payments]
        outcomes = economy.handle_webhooks(SANDBOX, deliveries)
        for payment, outcome in zip(payments, outcomes, strict=True):
            check_minted(payment, outcome)
        done += len(part)
        on_done(done, len(orders))


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- as needed ------------------------------------------------------------------------


@dataclass(slots=True)
class Purse:
    """One viewer's coins as the replay has booked them, and what they bought."""

    user: User
    coins: int = 0
    payments: list[Payment] = field(default_factory=list)


class Packs:
    """Standard packs bought before each donation (``Replay.book``'s ``funding``)."""

    def __init__(self, world: ReplayWorld) -> None:
        self.world = world
        self.purses: dict[int, Purse] = {}
        self._bought: Counter[Channel] = Counter()

    def purse(self, user: User) -> Purse:
        return self.purses.setdefault(user.id, Purse(user))

    def fund(self, user: User, coins: int) -> None:
        """Buy packs until the wallet holds ``coins``, then count them as spent."""
        purse = self.purse(user)
        while purse.coins < coins:
            channel = PACK_CHANNELS[self._bought.total() % len(PACK_CHANNELS)]
            packs = self.world.economy.catalog.packs(REGION, channel)
            self.buy(purse, _pack_for(packs, coins - purse.coins))
        purse.coins -= coins

    def unspent(self, user: User, coins: int) -> None:
        """Coins counted as spent that the economy did not book (refused gifts)."""
        self.purse(user).coins += coins

    def clawed_back(self, user: User, coins: int) -> None:
        """Coins a chargeback took from the wallet."""
        self.purse(user).coins -= coins

    def buy(self, purse: Purse, pack: CoinPack) -> Payment:
        """Checkout, then the sandbox's signed ``paid`` webhook."""
        economy = self.world.economy
        payment = economy.start_purchase(
            user_id=purse.user.id, channel=pack.channel, provider=SANDBOX, pack_id=pack.id
        )
        outcome = economy.handle_webhook(SANDBOX, *paid_event(self.world, payment))
        check_minted(payment, outcome)
        assert outcome is not None, "check_minted refuses a missing outcome"
        purse.coins += outcome.coins_minted
        purse.payments.append(outcome.payment)
        self._bought[pack.channel] += 1
        return outcome.payment


def _pack_for(packs: tuple[CoinPack, ...], missing: int) -> CoinPack:
    by_size = sorted(packs, key=lambda pack: pack.coins)
    return next((pack for pack in by_size if pack.coins >= missing), by_size[-1])
