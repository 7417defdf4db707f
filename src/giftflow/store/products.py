"""Products, delivering perks, purchases and the priority Q&A queue: the statements,
as typed functions over ``Tx`` that read rows by column name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Final

from giftflow.creator.perks import (
    QUEUE_LIST_MAX,
    DeliveringPerk,
    DeliveryKind,
    EarlyAccess,
    PerkNotFoundError,
    Question,
    QuestionState,
)
from giftflow.creator.products import (
    Product,
    ProductNotFoundError,
    ProductState,
    Purchase,
    PurchaseNotFoundError,
    PurchaseState,
)
from giftflow.store import supporters
from giftflow.store.tx import NamedRow, Tx

LIST_MAX: Final = 500
_PRODUCT: Final = "id, creator_id, title, price_coins, state, created_at, updated_at"
_PERK: Final = (
    "id, creator_id, level, kind, file_id, product_id, schedule_id, opens_at, early_s, created_at"
)
_PURCHASE: Final = (
    "p.id, p.product_id, p.buyer_id, p.creator_id, p.attempt, p.price_coins, p.share_bps,"
    " p.diamond_units, p.state, p.purchased_at, p.matures_at, p.matured_at, p.refunded_at,"
    " p.clawed_back_units, r.title"
)
_PURCHASES: Final = "product_purchases p JOIN products r ON r.id = p.product_id"
_QUESTION: Final = (
    "id, session_id, creator_id, user_id, level, text, state, submitted_at, closed_at"
)

# --- products -------------------------------------------------------------------------


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
        creator_id=int(row["creator_id"]),
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


def products_of(tx: Tx, creator_id: int, state: ProductState | None = None) -> list[Product]:
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


# --- delivering perks -----------------------------------------------------------------


def _perk_of(row: NamedRow) -> DeliveringPerk:
    kind = DeliveryKind(row["kind"])
    early = None
    if kind is DeliveryKind.EARLY_ACCESS:
        early = EarlyAccess(int(row["level"]), int(row["opens_at"]), int(row["early_s"]))
    return DeliveringPerk(
        id=row["id"],
        creator_id=int(row["creator_id"]),
        level=int(row["level"]),
        kind=kind,
        file_id=row["file_id"],
        product_id=row["product_id"],
        schedule_id=row["schedule_id"],
        early=early,
        created_at=int(row["created_at"]),
    )


def insert_perk(tx: Tx, perk: DeliveringPerk) -> None:
    early = perk.early
    tx.execute(
        f"INSERT INTO delivering_perks ({_PERK}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            perk.id,
            perk.creator_id,
            perk.level,
            str(perk.kind),
            perk.file_id,
            perk.product_id,
            perk.schedule_id,
            0 if early is None else early.opens_at,
            0 if early is None else early.early_s,
            perk.created_at,
        ),
    )


def find_perk(tx: Tx, perk_id: str) -> DeliveringPerk:
    row = tx.named(f"SELECT {_PERK} FROM delivering_perks WHERE id = ?", (perk_id,))
    if row is None:
        raise PerkNotFoundError(f"no perk {perk_id}")
    return _perk_of(row)


def perks_of(tx: Tx, creator_id: int) -> list[DeliveringPerk]:
    rows = tx.named_all(
        f"SELECT {_PERK} FROM delivering_perks WHERE creator_id = ?"
        f" ORDER BY level, created_at, id LIMIT {LIST_MAX}",
        (creator_id,),
    )
    return [_perk_of(row) for row in rows]


def delete_perk(tx: Tx, perk_id: str) -> bool:
    tx.execute("DELETE FROM delivering_perks WHERE id = ?", (perk_id,))
    return tx.rowcount == 1


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


def supporter_coins(tx: Tx, creator_id: int, user_id: int) -> int:
    """The coins the user gifted the creator in all (what their level counts), as
    ``giftflow.store.supporters`` keeps them."""
    return supporters.supporter_coins(tx, creator_id, user_id)


def qa_levels(tx: Tx, creator_id: int) -> list[int]:
    """The levels of the creator's ``qa_priority`` perks."""
    rows = tx.named_all(
        "SELECT level FROM perks WHERE creator_id = ? AND kind = 'qa_priority'", (creator_id,)
    )
    return [int(row["level"]) for row in rows]


# --- purchases ------------------------------------------------------------------------


def _purchase_of(row: NamedRow) -> Purchase:
    return Purchase(
        id=int(row["id"]),
        product_id=row["product_id"],
        buyer_id=int(row["buyer_id"]),
        creator_id=int(row["creator_id"]),
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


def attempts(tx: Tx, product_id: str, buyer_id: int) -> int:
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


def paid_purchase(tx: Tx, product_id: str, buyer_id: int) -> Purchase | None:
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


def purchases_of_buyer(tx: Tx, buyer_id: int, *, limit: int, offset: int) -> list[Purchase]:
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
    tx: Tx, cutoff: int, creator_id: int | None, limit: int
) -> dict[int, list[tuple[int, int]]]:
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
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        found[int(row["creator_id"])].append((int(row["id"]), int(row["diamond_units"])))
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


# --- questions ------------------------------------------------------------------------


def _question_of(row: NamedRow) -> Question:
    return Question(
        id=row["id"],
        session_id=int(row["session_id"]),
        creator_id=int(row["creator_id"]),
        user_id=int(row["user_id"]),
        level=int(row["level"]),
        text=row["text"],
        state=QuestionState(row["state"]),
        submitted_at=int(row["submitted_at"]),
        closed_at=int(row["closed_at"]),
    )


def insert_question(tx: Tx, question: Question) -> None:
    tx.execute(
        f"INSERT INTO questions ({_QUESTION}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            question.id,
            question.session_id,
            question.creator_id,
            question.user_id,
            question.level,
            question.text,
            str(question.state),
            question.submitted_at,
            question.closed_at,
        ),
    )


def find_question(tx: Tx, question_id: str) -> Question:
    row = tx.named(f"SELECT {_QUESTION} FROM questions WHERE id = ?", (question_id,))
    if row is None:
        raise PerkNotFoundError(f"no question {question_id}", code="question_not_found")
    return _question_of(row)


def queue(tx: Tx, session_id: int, state: QuestionState | None) -> list[Question]:
    """The session's questions in queue order: level (highest first), then submission
    time, then id."""
    where = "" if state is None else " AND state = ?"
    parameters = (session_id,) if state is None else (session_id, str(state))
    rows = tx.named_all(
        f"SELECT {_QUESTION} FROM questions WHERE session_id = ?{where}"
        f" ORDER BY level DESC, submitted_at, id LIMIT {QUEUE_LIST_MAX}",
        parameters,
    )
    return [_question_of(row) for row in rows]


def close_question(tx: Tx, question_id: str, state: QuestionState, now: int) -> bool:
    """Compare-and-set: only a queued question is answered or skipped."""
    tx.execute(
        "UPDATE questions SET state = ?, closed_at = ? WHERE id = ? AND state = 'queued'",
        (str(state), now, question_id),
    )
    return tx.rowcount == 1
