"""Product purchases: a buyer's purchase of a product (price, the creator's share, its
hold), its refund and its maturing, as typed functions over ``Tx`` that read rows by
column name; every change of state is a compare-and-set."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Final

from giftflow.creator.products import Purchase, PurchaseNotFoundError, PurchaseState
from giftflow.ids import UserId
from giftflow.store.tx import NamedRow, Tx

_PURCHASE: Final = (
    "p.id, p.product_id, p.buyer_id, p.creator_id, p.attempt, p.price_coins, p.share_bps,"
    " p.diamond_units, p.state, p.purchased_at, p.matures_at, p.matured_at, p.refunded_at,"
    " p.clawed_back_units, r.title"
)
_PURCHASES: Final = "product_purchases p JOIN products r ON r.id = p.product_id"


def _purchase_of(row: NamedRow) -> Purchase:
    return Purchase(
        id=int(row["id"]),
        product_id=row["product_id"],
        buyer_id=UserId(int(row["buyer_id"])),
        creator_id=UserId(int(row["creator_id"])),
        attempt=int(row["attempt"]),
        price_coins=int(row["price_coins"]),
        share_bps=int(row["share_bps"]),
        diamond_units=int(row["diamond_units"]),
        state=PurchaseState(row["state"]),
        purchased_at=int(row["purchased_at"]),
        matures_at=int(row["matures_at"]),
        matured_at=int(row["matured_at"]),
        refunded_at=int(row["refunded_at"]),
        clawed_back_units=int(row["clawed_back_units"]),
        title=row["title"],
    )


def attempts(tx: Tx, product_id: str, buyer_id: UserId) -> int:
    row = tx.named(
        "SELECT COUNT(*) AS n FROM product_purchases WHERE product_id = ? AND buyer_id = ?",
        (product_id, buyer_id),
    )
    return 0 if row is None else int(row["n"])


def insert_purchase(tx: Tx, purchase: Purchase) -> None:
    tx.execute(
        "INSERT INTO product_purchases (id, product_id, buyer_id, creator_id, attempt,"
        " price_coins, share_bps, diamond_units, state, purchased_at, matures_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'paid', ?, ?)",
        (
            purchase.id,
            purchase.product_id,
            purchase.buyer_id,
            purchase.creator_id,
            purchase.attempt,
            purchase.price_coins,
            purchase.share_bps,
            purchase.diamond_units,
            purchase.purchased_at,
            purchase.matures_at,
        ),
    )


def find_purchase(tx: Tx, purchase_id: int) -> Purchase:
    row = tx.named(f"SELECT {_PURCHASE} FROM {_PURCHASES} WHERE p.id = ?", (purchase_id,))
    if row is None:
        raise PurchaseNotFoundError(f"no product purchase {purchase_id}")
    return _purchase_of(row)


def paid_purchase(tx: Tx, product_id: str, buyer_id: UserId) -> Purchase | None:
    row = tx.named(
        f"SELECT {_PURCHASE} FROM {_PURCHASES}"
        " WHERE p.product_id = ? AND p.buyer_id = ? AND p.state = 'paid'",
        (product_id, buyer_id),
    )
    return None if row is None else _purchase_of(row)


def purchases_of_product(tx: Tx, product_id: str, *, limit: int, offset: int) -> list[Purchase]:
    rows = tx.named_all(
        f"SELECT {_PURCHASE} FROM {_PURCHASES} WHERE p.product_id = ?"
        " ORDER BY p.purchased_at, p.id LIMIT ? OFFSET ?",
        (product_id, limit, offset),
    )
    return [_purchase_of(row) for row in rows]


def purchases_of_buyer(tx: Tx, buyer_id: UserId, *, limit: int, offset: int) -> list[Purchase]:
    rows = tx.named_all(
        f"SELECT {_PURCHASE} FROM {_PURCHASES} WHERE p.buyer_id = ?"
        " ORDER BY p.purchased_at DESC, p.id DESC LIMIT ? OFFSET ?",
        (buyer_id, limit, offset),
    )
    return [_purchase_of(row) for row in rows]


def mark_refunded(tx: Tx, purchase: Purchase, *, clawed_back_units: int, now: int) -> bool:
    """Compare-and-set: still paid, and matured (or not) as it was read."""
    tx.execute(
        "UPDATE product_purchases SET state = 'refunded', refunded_at = ?,"
        " clawed_back_units = ? WHERE id = ? AND state = 'paid' AND matured_at = ?",
        (now, clawed_back_units, purchase.id, purchase.matured_at),
    )
    return tx.rowcount == 1


def due(
    tx: Tx, cutoff: int, creator_id: UserId | None, limit: int
) -> dict[UserId, list[tuple[int, int]]]:
    """Paid purchases past their hold, by creator, as ``(purchase id, diamond units)``
    in id order (the shape of ``giftflow.store.earnings.due``)."""
    where = "" if creator_id is None else " AND creator_id = ?"
    parameters = (cutoff,) if creator_id is None else (cutoff, creator_id)
    rows = tx.named_all(
        "SELECT creator_id, id, diamond_units FROM product_purchases"
        f" WHERE matured_at = 0 AND state = 'paid' AND matures_at <= ?{where}"
        " ORDER BY creator_id, id LIMIT ?",
        (*parameters, limit),
    )
    found: dict[UserId, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        found[UserId(int(row["creator_id"]))].append((int(row["id"]), int(row["diamond_units"])))
    return found


def mark_matured(tx: Tx, ids: Sequence[int], at: int) -> int:
    """Compare-and-set: the diamond units of those of ``ids`` still paid and pending."""
    clause, parameter = tx.any_of(list(ids))
    rows = tx.named_all(
        f"UPDATE product_purchases SET matured_at = ? WHERE matured_at = 0"
        f" AND state = 'paid' AND id {clause} RETURNING id, diamond_units",
        (at, parameter),
    )
    if len(rows) != len(ids):
        return -1
    return sum(int(row["diamond_units"]) for row in rows)
