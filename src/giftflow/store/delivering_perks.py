"""Delivering perks (a file unlocked at a supporter level, or early access to a product
or a scheduled LIVE): their rows, as typed functions over ``Tx`` that read rows by
column name. What an early access gives is read with the product or the schedule
(``giftflow.store.products``)."""

from __future__ import annotations

from typing import Final

from giftflow.creator.perks import DeliveringPerk, DeliveryKind, EarlyAccess, PerkNotFoundError
from giftflow.ids import UserId
from giftflow.store.products import LIST_MAX
from giftflow.store.tx import NamedRow, Tx

_PERK: Final = (
    "id, creator_id, level, kind, file_id, product_id, schedule_id, opens_at, early_s, created_at"
)


def _perk_of(row: NamedRow) -> DeliveringPerk:
    kind = DeliveryKind(row["kind"])
    early = None
    if kind is DeliveryKind.EARLY_ACCESS:
        early = EarlyAccess(int(row["level"]), int(row["opens_at"]), int(row["early_s"]))
    return DeliveringPerk(
        id=row["id"],
        creator_id=UserId(int(row["creator_id"])),
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


def perks_of(tx: Tx, creator_id: UserId) -> list[DeliveringPerk]:
    rows = tx.named_all(
        f"SELECT {_PERK} FROM delivering_perks WHERE creator_id = ?"
        f" ORDER BY level, created_at, id LIMIT {LIST_MAX}",
        (creator_id,),
    )
    return [_perk_of(row) for row in rows]


def delete_perk(tx: Tx, perk_id: str) -> bool:
    tx.execute("DELETE FROM delivering_perks WHERE id = ?", (perk_id,))
    return tx.rowcount == 1
