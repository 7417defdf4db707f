"""Earnings' rows: which gifts' diamonds are due to mature, marking them matured, the
holds still pending, and the payout totals a creator's earnings view shows. The flows
are ``giftflow.service.economy.earnings``; the money is in the ledger's accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.ledger.limits import AccountId, TransferId
from giftflow.store.tx import Tx

_NET_UNITS = "diamond_units - reversed_coins * share_bps"
"""A gift's diamond units net of what chargebacks and refunds reversed."""


@dataclass(frozen=True, slots=True)
class PendingHold:
    """Pending diamond units that mature within one part of time (an hour): all of them
    are available at ``matures_at`` (the last of them), the first at
    ``first_matures_at`` (nanoseconds since the epoch)."""

    units: int
    gifts: int
    first_matures_at: UnixNs
    matures_at: UnixNs


@dataclass(frozen=True, slots=True)
class WalletRow:
    spendable_coins: int
    """Credits posted less debits posted and pending."""
    flags: int


def due(
    tx: Tx, *, cutoff_ns: int, creator_id: UserId | None, limit: int
) -> dict[UserId, list[tuple[TransferId, int]]]:
    """Unmatured gifts due at ``cutoff_ns`` (of one creator, or all), by creator, as
    ``(gift row id, net diamond units)``, in id order, ``limit`` at most."""
    where = "" if creator_id is None else " AND creator_id = ?"
    parameters: tuple[int, ...] = (cutoff_ns,) if creator_id is None else (cutoff_ns, creator_id)
    rows = tx.named_all(
        f"SELECT creator_id, id, {_NET_UNITS} AS units FROM gifts"
        f" WHERE matured_at = 0 AND matures_at <= ?{where} ORDER BY creator_id, id LIMIT ?",
        (*parameters, limit),
    )
    found: dict[UserId, list[tuple[TransferId, int]]] = defaultdict(list)
    for row in rows:
        found[row["creator_id"]].append((row["id"], row["units"]))
    return found


def mark_matured(tx: Tx, gift_row_ids: Sequence[TransferId], *, at_ns: int) -> list[int]:
    """Mark these gifts matured where they are not yet; the net units of each one marked."""
    marks = ", ".join("?" * len(gift_row_ids))
    rows = tx.named_all(
        f"UPDATE gifts SET matured_at = ? WHERE matured_at = 0 AND id IN ({marks})"
        f" RETURNING {_NET_UNITS} AS units",
        (at_ns, *gift_row_ids),
    )
    return [int(row["units"]) for row in rows]


def has_unrecorded_holds(tx: Tx) -> bool:
    """Whether an unmatured gift has no maturity time (booked before migration 0009)."""
    found = tx.named("SELECT 1 AS one FROM gifts WHERE matured_at = 0 AND matures_at = 0 LIMIT 1")
    return found is not None


def record_holds(tx: Tx, *, hold_ns: int) -> None:
    """Give every unmatured gift without a maturity time ``hold_ns`` after it was sent."""
    tx.execute(
        "UPDATE gifts SET matures_at = sent_at + ? WHERE matured_at = 0 AND matures_at = 0",
        (hold_ns,),
    )


def pending_holds(tx: Tx, creator_id: UserId, *, part_ns: int, limit: int) -> list[PendingHold]:
    """The creator's pending diamonds by part of time, earliest first (gifts reversed
    whole left out)."""
    rows = tx.named_all(
        f"SELECT SUM({_NET_UNITS}) AS units, COUNT(*) AS gifts,"
        " MIN(matures_at) AS first_matures_at, MAX(matures_at) AS matures_at FROM gifts"
        " WHERE creator_id = ? AND matured_at = 0 AND reversed_coins < coins"
        " GROUP BY matures_at / ? ORDER BY MIN(matures_at) LIMIT ?",
        (creator_id, part_ns, limit),
    )
    return [
        PendingHold(
            units=int(row["units"]),
            gifts=int(row["gifts"]),
            first_matures_at=int(row["first_matures_at"]),
            matures_at=int(row["matures_at"]),
        )
        for row in rows
    ]


def paid_out_diamonds(tx: Tx, creator_id: UserId) -> int:
    """Whole diamonds of the creator's paid payouts."""
    return int(
        tx.scalar(
            "SELECT COALESCE(SUM(diamonds), 0) FROM payouts"
            " WHERE creator_id = ? AND state = 'paid'",
            (creator_id,),
        )
    )


def payouts_by_reserve(tx: Tx, creator_id: UserId) -> dict[TransferId, str]:
    """The creator's payout ids by the id of the transfer that reserved their diamonds."""
    rows = tx.named_all(
        "SELECT reserve_transfer_id, id FROM payouts WHERE creator_id = ?", (creator_id,)
    )
    return {TransferId(int(row["reserve_transfer_id"])): str(row["id"]) for row in rows}


def wallet(tx: Tx, account_id: AccountId) -> WalletRow | None:
    """A wallet account's spendable coins and flags, as this transaction sees them."""
    row = tx.named(
        "SELECT credits_posted - debits_posted - debits_pending AS spendable, flags"
        " FROM accounts WHERE id = ?",
        (account_id,),
    )
    return None if row is None else WalletRow(int(row["spendable"]), int(row["flags"]))


def spendable(tx: Tx, account_ids: Sequence[AccountId]) -> dict[AccountId, WalletRow]:
    """The coins each of these accounts can spend and its flags, as this transaction
    sees them, by account id, in one statement."""
    if not account_ids:
        return {}
    clause, parameter = tx.any_of(list(dict.fromkeys(account_ids)))
    rows = tx.named_all(
        "SELECT id, credits_posted - debits_posted - debits_pending AS spendable, flags"
        f" FROM accounts WHERE id {clause}",
        (parameter,),
    )
    return {
        AccountId(int(row["id"])): WalletRow(int(row["spendable"]), int(row["flags"]))
        for row in rows
    }
