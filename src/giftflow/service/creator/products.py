"""Digital products: create, change, archive; buy for coins through the ledger; refund;
the buyers' downloads; what the link-in-bio page lists (docs/products.md).

A purchase is one job of the engine: its linked chain (coins out of the buyer's
wallet, the creator's share into their pending earnings), its ``product_purchases``
row, its ``product.purchased`` outbox row and its idempotency answer commit together.
A refund likewise, with ``product.refunded``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.creator.perks import (
    DeliveringPerk,
    DeliveryKind,
    EarlyAccess,
    check_early,
    require_open,
)
from giftflow.creator.products import (
    Product,
    ProductError,
    ProductState,
    Purchase,
    PurchasePlan,
    PurchaseState,
    check_buyer,
    check_product,
    plan_purchase,
    refund_transfers,
    require_refundable,
)
from giftflow.economy.errors import AccountFrozenError, InsufficientFundsError
from giftflow.economy.users import require_adult
from giftflow.errors import GiftflowError
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.service.creator.perks import level_in, own_file, require_creator
from giftflow.service.economy import earnings, users
from giftflow.service.economy.context import first_failure, ledger_error
from giftflow.service.live.context import LiveContext
from giftflow.service.once import Once
from giftflow.store import delivering_perks, product_purchases, products
from giftflow.store.tx import Record, RecordRejectedError, Tx

TRIES: Final = 4
"""A refund read again after another writer matured or refunded the purchase."""
PURCHASED: Final = "product.purchased"
REFUNDED: Final = "product.refunded"


@dataclass(frozen=True, slots=True)
class Listing:
    """A product as the link-in-bio page shows it."""

    product_id: str
    title: str
    price_coins: int
    buy_path: str
    """``POST`` here, with the buyer and an Idempotency-Key, to buy it."""
    opens_at: UnixNs | None
    """When it goes on sale to everyone (ns), if it has early access."""


@dataclass(frozen=True, slots=True)
class Changes:
    """What ``update`` changes; ``None`` leaves a field as it is."""

    title: str | None = None
    price_coins: int | None = None
    file_ids: tuple[str, ...] | None = None
    state: ProductState | None = None


# --- the creator's moves --------------------------------------------------------------


def create(
    context: LiveContext,
    creator_id: UserId,
    *,
    title: str,
    price_coins: int,
    file_ids: Sequence[str],
    early: EarlyAccess | None = None,
) -> Product:
    """A product on sale (``active``), delivering the creator's ``file_ids``; with
    ``early``, an ``early_access`` perk of its level comes with it."""
    ids = tuple(file_ids)
    check_product(title, price_coins, ids)
    if early is not None:
        check_early(early, len(context.settings.level_thresholds_coins))
    now = context.now()
    product = Product(
        context.economy.new_id("pr"), creator_id, title.strip(), price_coins,
        ProductState.ACTIVE, ids, early, now, now,
    )  # fmt: skip

    def add(tx: Tx) -> Product:
        require_creator(tx, creator_id)
        for file_id in ids:
            own_file(tx, creator_id, file_id)
        products.insert_product(tx, product)
        if early is not None:
            delivering_perks.insert_perk(tx, _early_perk(context, product, early))
        return products.find_product(tx, product.id)

    return context.write(add)


def _early_perk(context: LiveContext, product: Product, early: EarlyAccess) -> DeliveringPerk:
    return DeliveringPerk(
        id=context.economy.new_id("pk"),
        creator_id=product.creator_id,
        level=early.level,
        kind=DeliveryKind.EARLY_ACCESS,
        file_id=None,
        product_id=product.id,
        schedule_id=None,
        early=early,
        created_at=product.created_at,
    )


def update(context: LiveContext, product_id: str, changes: Changes) -> Product:
    """Change title, price, files or state (``archived``: off sale; buyers keep their
    downloads). A new price applies to purchases from then on."""
    now = context.now()

    def change(tx: Tx) -> Product:
        product = products.find_product(tx, product_id)
        title = product.title if changes.title is None else changes.title.strip()
        price = product.price_coins if changes.price_coins is None else changes.price_coins
        ids = product.file_ids if changes.file_ids is None else changes.file_ids
        check_product(title, price, ids)
        if changes.file_ids is not None:
            for file_id in ids:
                own_file(tx, product.creator_id, file_id)
            products.set_files(tx, product_id, ids)
        state = product.state if changes.state is None else changes.state
        products.update_product(
            tx, product_id, title=title, price_coins=price, state=state, now=now
        )
        return products.find_product(tx, product_id)

    return context.write(change)


def get(context: LiveContext, product_id: str) -> Product:
    return context.read(lambda tx: products.find_product(tx, product_id))


def of_creator(
    context: LiveContext, creator_id: UserId, *, state: ProductState | None = None
) -> list[Product]:
    return context.read(lambda tx: products.products_of(tx, creator_id, state))


def listed(context: LiveContext, creator_id: UserId) -> list[Listing]:
    """The creator's active products, oldest first, as the link-in-bio page lists them:
    title, price and where to buy."""
    return [
        Listing(
            product.id,
            product.title,
            product.price_coins,
            f"/v1/products/{product.id}/purchases",
            None if product.early is None else product.early.opens_at,
        )
        for product in of_creator(context, creator_id, state=ProductState.ACTIVE)
    ]


# --- buying ---------------------------------------------------------------------------


def share_bps(context: LiveContext) -> int:
    """The creator's share of a product's price, as diamonds: the setting, else the
    gifts' revenue share."""
    return context.economy.settings.product_share_bps or context.economy.share_bps


def _prepare(context: LiveContext, product_id: str, buyer_id: UserId) -> tuple[Product, int]:
    """The product and the buyer's attempt, once every rule is checked on one read."""
    economy = context.economy
    now = context.now()

    def read(tx: Tx) -> tuple[Product, int]:
        product = products.find_product(tx, product_id)
        buyer = users.find(tx, buyer_id)
        check_buyer(product, buyer_id)
        require_adult(
            buyer, economy.today(), minimum_age=economy.catalog.adult_age_years, role="buyer"
        )
        if product_purchases.paid_purchase(tx, product_id, buyer_id) is not None:
            raise ProductError(f"user {buyer_id} owns {product_id} already", code="product_owned")
        level = level_in(tx, context, product.creator_id, buyer_id)
        require_open(product.early, level=level, now=now, what=f"product {product_id}")
        return product, product_purchases.attempts(tx, product_id, buyer_id)

    return context.read(read)


def buy(
    context: LiveContext, product_id: str, buyer_id: UserId, *, once: Once | None = None
) -> Purchase:
    """Buy the product for its price in coins. Raises ``product_owned`` while the buyer
    owns it (a second request, any key, any server: the ledger books one)."""
    product, attempt = _prepare(context, product_id, buyer_id)
    plan = plan_purchase(product, buyer_id=buyer_id, attempt=attempt, share_bps=share_bps(context))
    transfers = plan.transfers(buyer_id=buyer_id, creator_id=product.creator_id)
    record = _purchase_record(context, product, buyer_id, attempt, plan, once)
    try:
        results = context.economy.ledger.create_transfers(transfers, record)
    except RecordRejectedError as rejected:
        raise ProductError(str(rejected), code=rejected.code) from None
    failure = first_failure(results)
    if failure is not None:
        raise _purchase_error(failure)
    if results[0].code != TransferResultCode.OK:
        raise ProductError(f"user {buyer_id} owns {product_id} already", code="product_owned")
    return get_purchase(context, plan.coin_transfer_id)


def _purchase_record(
    context: LiveContext,
    product: Product,
    buyer_id: UserId,
    attempt: int,
    plan: PurchasePlan,
    once: Once | None,
) -> Record:
    economy = context.economy

    def record(tx: Tx, results: list[TransferResult]) -> None:
        if any(result.code != TransferResultCode.OK for result in results):
            return  # refused, or booked already by a request that raced this one
        current = products.find_product(tx, product.id)
        if current.state is not ProductState.ACTIVE:
            raise RecordRejectedError(f"product {product.id} is archived", code="product_archived")
        at = results[0].timestamp
        purchase = Purchase(
            plan.coin_transfer_id, product.id, buyer_id, product.creator_id, attempt,
            plan.price_coins, plan.share_bps, plan.units, PurchaseState.PAID,
            at, at + economy.hold_ns, 0, 0, 0, product.title,
        )  # fmt: skip
        product_purchases.insert_purchase(tx, purchase)
        economy.notify(tx, product.creator_id, PURCHASED, lambda: data_of(purchase), at)
        if once is not None:
            once.keep(tx, purchase, now=at)

    return record


def _purchase_error(failure: TransferResult) -> GiftflowError:
    if failure.code == TransferResultCode.INSUFFICIENT_FUNDS:
        return InsufficientFundsError("the wallet does not hold the product's price")
    if failure.code == TransferResultCode.ACCOUNT_FROZEN:
        whose = "buyer's wallet" if failure.detail == "debit_account_id" else "creator's earnings"
        return AccountFrozenError(f"the {whose} is frozen")
    if failure.code == TransferResultCode.EXISTS_WITH_DIFFERENT_FIELDS:
        return ProductError("the product changed meanwhile; buy again", code="product_changed")
    return ledger_error(failure, "the purchase")


def data_of(purchase: Purchase) -> dict[str, object]:
    """The ``data`` of ``product.purchased`` and ``product.refunded``."""
    return {
        "purchase_id": str(purchase.id),
        "product_id": purchase.product_id,
        "title": purchase.title,
        "buyer_id": purchase.buyer_id,
        "creator_id": purchase.creator_id,
        "price_coins": purchase.price_coins,
        "diamond_units": purchase.diamond_units,
        "state": str(purchase.state),
        "clawed_back_units": purchase.clawed_back_units,
    }


# --- refunds --------------------------------------------------------------------------


def refund(context: LiveContext, purchase_id: int, *, once: Once | None = None) -> Purchase:
    """The coins back to the buyer and, while still pending, exactly the diamond units
    back from the creator; the buyer's links stop working. Refunding a refunded
    purchase is ``product_purchase_refunded``."""
    for _ in range(TRIES):
        purchase = get_purchase(context, purchase_id)
        require_refundable(purchase)
        # Whether the diamonds are still pending is a matter of time, not of whether
        # someone read the earnings: what is due matures first.
        earnings.mature(context.economy, purchase.creator_id)
        purchase = get_purchase(context, purchase_id)
        require_refundable(purchase)
        try:
            return _refund(context, purchase, once)
        except RecordRejectedError as rejected:
            if rejected.code != "product_purchase_conflict":
                raise
    raise ProductError("the purchase kept changing; try again", code="product_purchase_conflict")


def _refund(context: LiveContext, purchase: Purchase, once: Once | None) -> Purchase:
    transfers = refund_transfers(purchase)
    clawed = transfers[1].amount if len(transfers) == 2 else 0
    economy = context.economy

    def record(tx: Tx, results: list[TransferResult]) -> None:
        if any(result.code != TransferResultCode.OK for result in results):
            return
        at = results[0].timestamp
        if not product_purchases.mark_refunded(tx, purchase, clawed_back_units=clawed, now=at):
            raise RecordRejectedError(
                f"purchase {purchase.id} changed meanwhile", code="product_purchase_conflict"
            )
        refunded = product_purchases.find_purchase(tx, purchase.id)
        economy.notify(tx, purchase.creator_id, REFUNDED, lambda: data_of(refunded), at)
        if once is not None:
            once.keep(tx, refunded, now=at)

    results = economy.ledger.create_transfers(transfers, record)
    failure = first_failure(results)
    if failure is not None:
        raise ledger_error(failure, "the refund")
    if results[0].code != TransferResultCode.OK:
        raise ProductError(
            f"purchase {purchase.id} was refunded already", code="product_purchase_refunded"
        )
    return get_purchase(context, purchase.id)


# --- reads ----------------------------------------------------------------------------


def get_purchase(context: LiveContext, purchase_id: int) -> Purchase:
    return context.read(lambda tx: product_purchases.find_purchase(tx, purchase_id))


def purchases_of_product(
    context: LiveContext, product_id: str, *, limit: int, offset: int = 0
) -> list[Purchase]:
    def read(tx: Tx) -> list[Purchase]:
        products.find_product(tx, product_id)
        return product_purchases.purchases_of_product(tx, product_id, limit=limit, offset=offset)

    return context.read(read)


def purchases_of_buyer(
    context: LiveContext, buyer_id: UserId, *, limit: int, offset: int = 0
) -> list[Purchase]:
    """The buyer's statement of products: every purchase, newest first, with its price
    and whether (and when) it was refunded."""

    def read(tx: Tx) -> list[Purchase]:
        users.find(tx, buyer_id)
        return product_purchases.purchases_of_buyer(tx, buyer_id, limit=limit, offset=offset)

    return context.read(read)
