"""Payments' rows: what the provider's events did to each purchase (the flows are
``giftflow.service.economy.recharge``)."""

from __future__ import annotations

from giftflow.store.tx import Tx


def mark_disputed(tx: Tx, payment_id: str) -> None:
    """The payment's status becomes ``disputed`` (a dispute's decision comes with it)."""
    tx.execute(
        "UPDATE payments SET status = 'disputed' WHERE id = ? AND status <> 'disputed'",
        (payment_id,),
    )
