"""What the serving bench reads of the books once its server has stopped
(``giftflow.bench.books``): the coins a range of viewers' wallets paid, how many
transfers one code made, and every booked gift with its sender and coins."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.economy.chart import AccountKind, TransferCode
from giftflow.ids import UserId
from giftflow.ledger.limits import TransferId
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class BookedGift:
    id: TransferId
    """The gift's coin transfer's id."""
    sender_id: UserId
    coins: int


def wallet_debits(tx: Tx, *, owner_id_first: int, owner_id_last: int) -> int:
    """Debits posted on the wallets of the owners ``owner_id_first..owner_id_last``."""
    row = tx.named(
        "SELECT COALESCE(SUM(debits_posted), 0) AS debits FROM accounts"
        " WHERE code = ? AND owner_id BETWEEN ? AND ?",
        (int(AccountKind.WALLET), owner_id_first, owner_id_last),
    )
    return 0 if row is None else int(row["debits"])


def transfer_count(tx: Tx, code: TransferCode) -> int:
    """How many transfers of this code the ledger holds."""
    row = tx.named("SELECT COUNT(*) AS transfers FROM transfers WHERE code = ?", (int(code),))
    return 0 if row is None else int(row["transfers"])


def gifts(tx: Tx) -> list[BookedGift]:
    """Every ``gifts`` row: its id, its sender and its coins."""
    rows = tx.named_all("SELECT id, sender_id, coins FROM gifts")
    return [
        BookedGift(
            id=TransferId(int(row["id"])),
            sender_id=UserId(int(row["sender_id"])),
            coins=int(row["coins"]),
        )
        for row in rows
    ]
