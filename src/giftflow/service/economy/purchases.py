"""Purchases: opening a checkout for a coin pack (or a custom amount) at the buyer's
region's price, the payment it leaves open, and the ``purchase.<status>`` events its
changes announce. Coins are minted only by the provider's verified event
(``provider_events``); refunds and chargebacks take them back (``clawbacks``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from giftflow.economy.catalog.model import Channel
from giftflow.economy.errors import EconomyError, PaymentNotFoundError
from giftflow.economy.money import Fiat
from giftflow.economy.users import User
from giftflow.ids import UserId
from giftflow.payments.base import CheckoutRequest
from giftflow.service.economy import users
from giftflow.service.economy.context import EconomyContext
from giftflow.service.once import Once
from giftflow.store import payments as stored_payments
from giftflow.store.payments import Payment
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """What a provider event did: coins minted, or clawed back and how."""

    payment: Payment
    event: str
    coins_minted: int = 0
    coins_from_wallet: int = 0
    reversed_units: int = 0
    loss_coins: int = 0
    wallet_frozen: bool = False


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    """A pack (``pack_id``) or a custom amount (``coins``) for one user."""

    user_id: UserId
    channel: Channel
    provider: str
    pack_id: str | None = None
    coins: int | None = None


def start_purchase(
    context: EconomyContext,
    *,
    user_id: UserId,
    channel: Channel,
    provider: str,
    pack_id: str | None = None,
    coins: int | None = None,
    once: Once | None = None,
) -> Payment:
    """Open a checkout for a pack (or a custom amount) at the user's region's price;
    ``once`` keeps its answer with the payment row."""
    order = PurchaseOrder(user_id, channel, provider, pack_id, coins)
    return start_purchases(context, [order], once=once)[0]


def start_purchases(
    context: EconomyContext, orders: Sequence[PurchaseOrder], *, once: Once | None = None
) -> list[Payment]:
    """Open checkouts for many purchases (an import, a replay), their payments written
    in one transaction. The provider's checkout comes first: a checkout without its
    payment row is never paid (its webhook finds no payment), never the reverse. With
    ``once`` (one order), its answer is kept in that transaction."""
    buyers = context.ledger.read(lambda tx: [users.find(tx, order.user_id) for order in orders])
    pairs = zip(orders, buyers, strict=True)
    opened = [_open_checkout(context, order, user) for order, user in pairs]

    def write(tx: Tx) -> None:
        stored_payments.insert_many(tx, opened)
        if once is not None:
            (payment,) = opened
            once.keep(tx, payment, now=context.now())

    context.ledger.write(write)
    return opened


def _open_checkout(context: EconomyContext, order: PurchaseOrder, user: User) -> Payment:
    coins, price, pack = _priced(context, user, order.channel, order.pack_id, order.coins)
    payments_provider = context.providers.get(order.provider)
    if payments_provider is None:
        raise EconomyError(f"no payment provider {order.provider!r}", code="provider_unknown")
    payment_id = context.new_id("pay")
    base = context.settings.public_url.rstrip("/")
    checkout = payments_provider.create_checkout(
        CheckoutRequest(
            payment_id=payment_id,
            user_id=user.id,
            coins=coins,
            price=price,
            description=f"{coins} coins",
            success_url=f"{base}/v1/payments/{payment_id}?result=success",
            cancel_url=f"{base}/v1/payments/{payment_id}?result=cancel",
        )
    )
    return Payment(
        payment_id,
        order.provider,
        checkout.provider_payment_id,
        None,
        user.id,
        user.region,
        order.channel.value,
        pack,
        coins,
        price.amount_minor,
        price.currency,
        "created",
        None,
        0,
        0,
        context.now(),
        0,
        checkout_url=checkout.url,
    )


def _priced(
    context: EconomyContext, user: User, channel: Channel, pack_id: str | None, coins: int | None
) -> tuple[int, Fiat, str | None]:
    if (pack_id is None) == (coins is None):
        raise EconomyError("give either pack_id or coins", code="pack_or_coins")
    if pack_id is not None:
        pack = context.catalog.pack(pack_id)
        if pack.region != user.region or pack.channel != channel:
            raise EconomyError(
                f"pack {pack_id} is not sold in {user.region} through {channel.value}",
                code="pack_not_available",
            )
        return pack.coins, pack.price, pack.id
    assert coins is not None
    return coins, context.catalog.price_custom(user.region, channel, coins), None


def stored(tx: Tx, payment_id: str) -> Payment:
    """The payment as this transaction sees it (``PaymentNotFoundError`` if none)."""
    payment = stored_payments.by_id(tx, payment_id)
    if payment is None:
        raise PaymentNotFoundError(f"no payment {payment_id}")
    return payment


def get_payment(context: EconomyContext, payment_id: str) -> Payment:
    """A payment and what its provider's events did to it."""
    return context.ledger.read(lambda tx: stored(tx, payment_id))


def announce(context: EconomyContext, tx: Tx, payment: Payment, type: str, at: int) -> None:
    """``purchase.<status>`` for webhooks out, in the transaction that changed it."""
    context.notify(tx, payment.user_id, type, lambda: _purchase_data(stored(tx, payment.id)), at)


def _purchase_data(payment: Payment) -> dict[str, object]:
    fields = asdict(payment)
    fields.pop("checkout_url")
    fields.pop("instrument")  # the card's fingerprint stays inside giftflow
    fields["payment_id"] = fields.pop("id")
    return fields
