"""Digital products sold for coins, and the files they (and perks) deliver: pure rules.

A purchase is one linked chain, like a gift: the price in coins out of the buyer's
wallet into the platform's product revenue, and the creator's share as diamond units
into their pending earnings (``price * share_bps``, exact; it matures after the holding
period like a gift's). A refund is one linked chain too: the coins back to the buyer
and, while the purchase's diamonds are still pending, exactly those diamond units back
from the creator. Diamonds that matured are never taken back (as for a gift's
clawback, decisions/0082): the platform bears them.

Transfer ids derive from the product, the buyer and how many times the buyer bought it
before (a refunded purchase may be bought again): two requests racing to buy the same
product for the same buyer name the same transfers, and the ledger books one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from giftflow.creator.perks import EarlyAccess
from giftflow.economy.chart import AccountKind, TransferCode, platform_account, user_account
from giftflow.economy.errors import EconomyError, NotFoundError
from giftflow.economy.ids import derived_id
from giftflow.economy.money import diamond_units
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.ledger.limits import TransferId
from giftflow.ledger.transfers import Transfer, TransferFlags
from giftflow.ledger.units import COIN, DIAMOND

TITLE_LENGTH_MAX: Final = 200
PRICE_COINS_MAX: Final = 100_000_000
FILES_PER_PRODUCT_MAX: Final = 20
FILENAME_LENGTH_MAX: Final = 120
FILENAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()+-]*$")
"""Letters, digits, spaces and ``._()+-``, not starting with a dot or a space: a name
safe in a ``Content-Disposition`` header and on every file system."""
CONTENT_TYPES: Final = frozenset(
    {
        "application/json",
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "audio/mpeg",
        "audio/wav",
        "image/gif",
        "image/jpeg",
        "image/png",
        "image/webp",
        "text/csv",
        "text/plain",
        "video/mp4",
    }
)
"""What a creator may upload (presets, templates, artwork, sounds, clips): types a
browser downloads, never renders as a page (no HTML, no SVG, no script)."""
REVENUE: Final = platform_account(AccountKind.PRODUCT_REVENUE)
ISSUANCE: Final = platform_account(AccountKind.DIAMOND_ISSUANCE)


class ProductError(EconomyError):
    code = "product_error"


class ProductNotFoundError(NotFoundError):
    code = "product_not_found"


class PurchaseNotFoundError(NotFoundError):
    code = "product_purchase_not_found"


class StoredFileNotFoundError(NotFoundError):
    code = "file_not_found"


class ProductState(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"
    """Not for sale any more; its buyers keep their downloads."""


class PurchaseState(StrEnum):
    PAID = "paid"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A creator's file, its bytes in the database (every server process serves it)."""

    id: str
    creator_id: UserId
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: UnixNs


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    creator_id: UserId
    title: str
    price_coins: int
    state: ProductState
    file_ids: tuple[str, ...]
    early: EarlyAccess | None
    """From the product's ``early_access`` perk, if it has one."""
    created_at: UnixNs
    updated_at: UnixNs


@dataclass(frozen=True, slots=True)
class Purchase:
    id: int
    """The coin transfer's id."""
    product_id: str
    buyer_id: UserId
    creator_id: UserId
    attempt: int
    """How many times the buyer bought the product before (and had it refunded)."""
    price_coins: int
    share_bps: int
    diamond_units: int
    state: PurchaseState
    purchased_at: UnixNs
    matures_at: UnixNs
    matured_at: UnixNs
    refunded_at: UnixNs
    clawed_back_units: int
    """The diamond units the refund took back from the creator (0 once matured)."""
    title: str = ""


def check_file(filename: str, content_type: str, size_bytes: int, *, max_bytes: int) -> None:
    if not 0 < size_bytes <= max_bytes:
        raise ProductError(f"a file is 1 to {max_bytes} bytes", code="file_size_invalid")
    if len(filename) > FILENAME_LENGTH_MAX or not FILENAME.match(filename):
        raise ProductError(
            f"a file name is 1 to {FILENAME_LENGTH_MAX} letters, digits, spaces and ._()+-",
            code="filename_invalid",
        )
    if content_type not in CONTENT_TYPES:
        raise ProductError(
            f"files of type {content_type!r} are not accepted", code="file_type_refused"
        )


def check_product(title: str, price_coins: int, file_ids: tuple[str, ...]) -> None:
    if not 0 < len(title.strip()) <= TITLE_LENGTH_MAX:
        raise ProductError(f"a title is 1 to {TITLE_LENGTH_MAX} characters", code="product_invalid")
    if not 0 < price_coins <= PRICE_COINS_MAX:
        raise ProductError(
            f"a product costs 1 to {PRICE_COINS_MAX} coins", code="product_price_invalid"
        )
    if not file_ids or len(file_ids) > FILES_PER_PRODUCT_MAX or len(set(file_ids)) != len(file_ids):
        raise ProductError(
            f"a product delivers 1 to {FILES_PER_PRODUCT_MAX} distinct files",
            code="product_files_invalid",
        )


def check_buyer(product: Product, buyer_id: UserId) -> None:
    if product.state is not ProductState.ACTIVE:
        raise ProductError(f"product {product.id} is archived", code="product_archived")
    if buyer_id == product.creator_id:
        raise ProductError("a creator does not buy their own product", code="self_purchase")


@dataclass(frozen=True, slots=True)
class PurchasePlan:
    coin_transfer_id: TransferId
    diamond_transfer_id: TransferId
    price_coins: int
    share_bps: int
    units: int

    def transfers(self, *, buyer_id: UserId, creator_id: UserId) -> list[Transfer]:
        return [
            Transfer(
                id=self.coin_transfer_id,
                debit_account_id=user_account(buyer_id, AccountKind.WALLET),
                credit_account_id=REVENUE,
                amount=self.price_coins,
                unit=COIN,
                code=TransferCode.PRODUCT_COINS,
                flags=TransferFlags.LINKED,
                user_data_1=creator_id,
            ),
            Transfer(
                id=self.diamond_transfer_id,
                debit_account_id=ISSUANCE,
                credit_account_id=user_account(creator_id, AccountKind.EARNINGS_PENDING),
                amount=self.units,
                unit=DIAMOND,
                code=TransferCode.PRODUCT_DIAMONDS,
                user_data_1=buyer_id,
                user_data_2=self.coin_transfer_id,
            ),
        ]


def plan_purchase(
    product: Product, *, buyer_id: UserId, attempt: int, share_bps: int
) -> PurchasePlan:
    key = (product.id, buyer_id, attempt)
    return PurchasePlan(
        coin_transfer_id=derived_id("product-coins", *key),
        diamond_transfer_id=derived_id("product-diamonds", *key),
        price_coins=product.price_coins,
        share_bps=share_bps,
        units=diamond_units(product.price_coins, share_bps),
    )


def refund_transfers(purchase: Purchase) -> list[Transfer]:
    """The coins back to the buyer, and the diamond units back from the creator while
    they are pending. ``OVERRIDE_FROZEN``: a frozen wallet or earnings account does not
    stop the platform undoing a sale (decisions/0013)."""
    diamonds = purchase.matured_at == 0 and purchase.diamond_units > 0
    coins = Transfer(
        id=derived_id("product-refund-coins", purchase.id),
        debit_account_id=REVENUE,
        credit_account_id=user_account(purchase.buyer_id, AccountKind.WALLET),
        amount=purchase.price_coins,
        unit=COIN,
        code=TransferCode.PRODUCT_REFUND_COINS,
        flags=TransferFlags.OVERRIDE_FROZEN | (TransferFlags.LINKED if diamonds else 0),
        user_data_1=purchase.creator_id,
        user_data_2=purchase.id,
    )
    if not diamonds:
        return [coins]
    claw = Transfer(
        id=derived_id("product-refund-diamonds", purchase.id),
        debit_account_id=user_account(purchase.creator_id, AccountKind.EARNINGS_PENDING),
        credit_account_id=ISSUANCE,
        amount=purchase.diamond_units,
        unit=DIAMOND,
        code=TransferCode.PRODUCT_REFUND_DIAMONDS,
        flags=TransferFlags.OVERRIDE_FROZEN,
        user_data_1=purchase.buyer_id,
        user_data_2=purchase.id,
    )
    return [coins, claw]


def require_refundable(purchase: Purchase) -> None:
    if purchase.state is PurchaseState.REFUNDED:
        raise ProductError(
            f"purchase {purchase.id} was refunded already", code="product_purchase_refunded"
        )
