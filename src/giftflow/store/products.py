"""Products: their rows and files, and the early access and supporter coins that
decide who may buy one (or register early for a scheduled LIVE) when; as typed
functions over ``Tx`` that read rows by column name. A product's purchases are
``giftflow.store.product_purchases``, delivering perks ``giftflow.store.delivering_perks``
and the priority Q&A queue ``giftflow.store.questions``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from giftflow.creator.perks import EarlyAccess
from giftflow.creator.products import Product, ProductNotFoundError, ProductState
from giftflow.ids import UserId
from giftflow.store.tx import NamedRow, Tx

LIST_MAX: Final = 500
"""The most rows a creator's list returns (products, delivering perks)."""
_PRODUCT: Final = "id, creator_id, title, price_coins, state, created_at, updated_at"


def _file_ids(tx: Tx, product_id: str) -> tuple[str, ...]:
    rows = tx.named_all(
        "SELECT file_id FROM product_files WHERE product_id = ? ORDER BY position",
        (product_id,),
    )
    return tuple(row["file_id"] for row in rows)


def _product_of(tx: Tx, row: NamedRow) -> Product:
    product_id = row["id"]
    return Product(
        id=product_id,
        creator_id=UserId(int(row["creator_id"])),
        title=row["title"],
        price_coins=int(row["price_coins"]),
        state=ProductState(row["state"]),
        file_ids=_file_ids(tx, product_id),
        early=early_of_product(tx, product_id),
        created_at=int(row["created_at"]),
        updated_at=int(row["updated_at"]),
    )


def insert_product(tx: Tx, product: Product) -> None:
    tx.execute(
        f"INSERT INTO products ({_PRODUCT}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            product.id,
            product.creator_id,
            product.title,
            product.price_coins,
            str(product.state),
            product.created_at,
            product.updated_at,
        ),
    )
    set_files(tx, product.id, product.file_ids)


def set_files(tx: Tx, product_id: str, file_ids: Sequence[str]) -> None:
    tx.execute("DELETE FROM product_files WHERE product_id = ?", (product_id,))
    tx.executemany(
        "INSERT INTO product_files (product_id, file_id, position) VALUES (?, ?, ?)",
        [(product_id, file_id, position) for position, file_id in enumerate(file_ids)],
    )


def update_product(
    tx: Tx, product_id: str, *, title: str, price_coins: int, state: ProductState, now: int
) -> None:
    tx.execute(
        "UPDATE products SET title = ?, price_coins = ?, state = ?, updated_at = ? WHERE id = ?",
        (title, price_coins, str(state), now, product_id),
    )


def find_product(tx: Tx, product_id: str) -> Product:
    row = tx.named(f"SELECT {_PRODUCT} FROM products WHERE id = ?", (product_id,))
    if row is None:
        raise ProductNotFoundError(f"no product {product_id}")
    return _product_of(tx, row)


def products_of(tx: Tx, creator_id: UserId, state: ProductState | None = None) -> list[Product]:
    where = "" if state is None else " AND state = ?"
    parameters = (creator_id,) if state is None else (creator_id, str(state))
    rows = tx.named_all(
        f"SELECT {_PRODUCT} FROM products WHERE creator_id = ?{where}"
        f" ORDER BY created_at, id LIMIT {LIST_MAX}",
        parameters,
    )
    return [_product_of(tx, row) for row in rows]


def file_in_product(tx: Tx, product_id: str, file_id: str) -> bool:
    row = tx.named(
        "SELECT 1 AS found FROM product_files WHERE product_id = ? AND file_id = ?",
        (product_id, file_id),
    )
    return row is not None


# --- who may buy when -----------------------------------------------------------------


def _early(tx: Tx, column: str, target_id: str) -> EarlyAccess | None:
    row = tx.named(
        f"SELECT level, opens_at, early_s FROM delivering_perks WHERE {column} = ?",
        (target_id,),
    )
    if row is None:
        return None
    return EarlyAccess(int(row["level"]), int(row["opens_at"]), int(row["early_s"]))


def early_of_product(tx: Tx, product_id: str) -> EarlyAccess | None:
    return _early(tx, "product_id", product_id)


def early_of_schedule(tx: Tx, schedule_id: str) -> EarlyAccess | None:
    """The scheduled LIVE's early access, if a perk gives one (registration opens to
    everyone at its ``opens_at``)."""
    return _early(tx, "schedule_id", schedule_id)
