"""Promote's change counter (decisions/0123): a transaction that writes a promotion's
row, or an impression's insert or viewable event, takes the next number (once, at its
first such write) and stamps the rows it writes with it. The counter's one row is
locked by the update until the commit (and SQLite has one writer), so numbers are
taken in commit order: a snapshot that reads the counter at ``n`` sees every change
numbered ``n`` or less, and none above. A process that read the changes up to ``n``
reads those above ``n`` next.

One number per transaction, not per row: a batch of a thousand events would otherwise
update the counter's row a thousand times in one transaction, and PostgreSQL walks
every version the transaction left of it on each update."""

from __future__ import annotations

from typing import Final

from giftflow.store.tx import Tx

_MEMO: Final = "promote_changes.seq"
"""Where a transaction keeps the number it took (``Tx.memo``)."""


def next_seq(tx: Tx) -> int:
    """The number of this transaction's changes, taken at its first call."""
    taken = tx.memo.get(_MEMO)
    if taken is None:
        row = tx.named("UPDATE promote_changes SET seq = seq + 1 WHERE id = 1 RETURNING seq")
        assert row is not None, "migration 0016 writes promote_changes' row"
        taken = tx.memo[_MEMO] = int(row["seq"])
    return int(taken)


def current_seq(tx: Tx) -> int:
    """The last number this snapshot sees taken."""
    row = tx.named("SELECT seq FROM promote_changes WHERE id = 1")
    assert row is not None, "migration 0016 writes promote_changes' row"
    return int(row["seq"])
