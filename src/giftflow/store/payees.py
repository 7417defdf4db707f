"""Payee destinations' rows: one per creator, copied onto each payout when it is
requested (decision 0059)."""

from __future__ import annotations

from giftflow.economy.payees import Payee, PayeeKind
from giftflow.ids import UserId
from giftflow.store.tx import Tx


def put(tx: Tx, creator_id: UserId, payee: Payee, *, now_ns: int) -> None:
    """Set or replace the creator's destination."""
    tx.execute(
        "INSERT INTO payee_destinations (creator_id, kind, destination, holder_name,"
        " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (creator_id) DO UPDATE SET"
        " kind = excluded.kind, destination = excluded.destination,"
        " holder_name = excluded.holder_name, updated_at = excluded.updated_at",
        (creator_id, payee.kind.value, payee.destination, payee.holder_name, now_ns),
    )


def of_creator(tx: Tx, creator_id: UserId) -> Payee | None:
    row = tx.named(
        "SELECT kind, destination, holder_name FROM payee_destinations WHERE creator_id = ?",
        (creator_id,),
    )
    if row is None:
        return None
    return Payee(PayeeKind(row["kind"]), row["destination"], row["holder_name"])
