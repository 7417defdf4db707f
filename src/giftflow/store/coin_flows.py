"""What the coin-flow statement sums of the ledger's transfers: the balance of a set of
accounts at an instant, what one transfer code moved on them in a period, and the coins
gifted in a period. Read only; the statement's totals are put together in
``giftflow.service.analytics.flows`` (docs/analytics.md, Coin flows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from giftflow.economy.chart import AccountKind, TransferCode
from giftflow.ids import UserId
from giftflow.ledger.transfers import TransferFlags
from giftflow.store.tx import Tx

Leg = Literal["debit", "credit"]
"""The side of a transfer an account is on."""
_POSTS: Final = int(TransferFlags.POST_PENDING)
"""A post finishes a reservation already counted: it moves nothing more."""
_VOIDS: Final = int(TransferFlags.VOID_PENDING)
"""A void undoes a reservation (its row copies the reservation's accounts)."""
_SIGNED: Final = f"CASE WHEN (t.flags & {_VOIDS}) <> 0 THEN -t.amount ELSE t.amount END"


@dataclass(frozen=True, slots=True)
class Accounts:
    """A set of accounts: of these kinds, of one owner (None: everyone's)."""

    kinds: tuple[AccountKind, ...]
    owner_id: UserId | None

    def where(self, alias: str) -> tuple[str, tuple[int, ...]]:
        marks = ", ".join("?" for _ in self.kinds)
        sql = f"{alias}.code IN ({marks})"
        if self.owner_id is None:
            return sql, tuple(int(kind) for kind in self.kinds)
        return f"{sql} AND {alias}.owner_id = ?", (*map(int, self.kinds), self.owner_id)


def _leg_sum(tx: Tx, accounts: Accounts, leg: Leg, before_ns: int) -> int:
    where, parameters = accounts.where("a")
    row = tx.named(
        f"SELECT COALESCE(SUM({_SIGNED}), 0) AS amount FROM transfers t"
        f" JOIN accounts a ON a.id = t.{leg}_account_id"
        f" WHERE {where} AND t.timestamp < ? AND (t.flags & {_POSTS}) = 0",
        (*parameters, before_ns),
    )
    return 0 if row is None else int(row["amount"])


def balance(tx: Tx, accounts: Accounts, *, before_ns: int) -> int:
    """What the accounts held just before ``before_ns``, pending debits spent: credits
    less debits of every transfer, whatever its code."""
    return _leg_sum(tx, accounts, "credit", before_ns) - _leg_sum(tx, accounts, "debit", before_ns)


def moved(
    tx: Tx, code: TransferCode, accounts: Accounts, *, leg: Leg, start_ns: int, end_ns: int
) -> int:
    """The amount of ``code`` transfers in ``[start_ns, end_ns)`` whose ``leg`` (debit
    or credit) account is one of ``accounts``."""
    where, parameters = accounts.where("a")
    row = tx.named(
        "SELECT COALESCE(SUM(t.amount), 0) AS amount FROM transfers t"
        f" JOIN accounts a ON a.id = t.{leg}_account_id"
        f" WHERE t.code = ? AND {where} AND t.timestamp >= ? AND t.timestamp < ?",
        (int(code), *parameters, start_ns, end_ns),
    )
    return 0 if row is None else int(row["amount"])


def gifted_coins(tx: Tx, *, creator_id: UserId | None, start_ns: int, end_ns: int) -> int:
    """Coins gifted in ``[start_ns, end_ns)`` (to ``creator_id``, whose id the coin leg
    carries as ``user_data_1``; None: to anyone)."""
    return coins_of_code(
        tx, TransferCode.GIFT_COINS, creator_id=creator_id, start_ns=start_ns, end_ns=end_ns
    )


def coins_of_code(
    tx: Tx, code: TransferCode, *, creator_id: UserId | None, start_ns: int, end_ns: int
) -> int:
    """The amount of ``code`` transfers in ``[start_ns, end_ns)`` (for ``creator_id``,
    whom the transfer carries as ``user_data_1``; None: for anyone)."""
    sql = "SELECT COALESCE(SUM(amount), 0) AS amount FROM transfers WHERE code = ?"
    sql += " AND timestamp >= ? AND timestamp < ?"
    parameters: tuple[int, ...] = (int(code), start_ns, end_ns)
    if creator_id is not None:
        sql += " AND user_data_1 = ?"
        parameters += (creator_id,)
    row = tx.named(sql, parameters)
    return 0 if row is None else int(row["amount"])
