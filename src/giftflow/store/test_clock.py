"""The test clock's row: one offset per economy, kept in the database so every server
process and every restart reads the same time (decision 0055)."""

from __future__ import annotations

from giftflow.store.tx import Tx


def offset_ns(tx: Tx) -> int:
    """How far ahead of the host's clock the economy's clock runs."""
    return int(tx.scalar("SELECT offset_ns FROM test_clock WHERE id = 1"))


def move(tx: Tx, by_ns: int, *, now_ns: int) -> None:
    """Move the offset forward by ``by_ns``."""
    tx.execute(
        "UPDATE test_clock SET offset_ns = offset_ns + ?, updated_at = ? WHERE id = 1",
        (by_ns, now_ns),
    )
