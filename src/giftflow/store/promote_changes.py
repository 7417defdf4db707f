"""Promote's change counter (decisions/0123): every write of a promotion's row, and of
an impression's insert or viewable event, takes the next number in its transaction and
stamps the rows it writes with it. The counter's one row is locked by the update until
the commit (and SQLite has one writer), so numbers are taken in commit order: a
snapshot that reads the counter at ``n`` sees every change numbered ``n`` or less, and
none above. A process that read the changes up to ``n`` reads those above ``n`` next."""

from __future__ import annotations

from giftflow.store.tx import Tx


def next_seq(tx: Tx) -> int:
    """The number of this write's changes (each call a new one)."""
    row = tx.named("UPDATE promote_changes SET seq = seq + 1 WHERE id = 1 RETURNING seq")
    assert row is not None, "migration 0016 writes promote_changes' row"
    return int(row["seq"])


def current_seq(tx: Tx) -> int:
    """The last number this snapshot sees taken."""
    row = tx.named("SELECT seq FROM promote_changes WHERE id = 1")
    assert row is not None, "migration 0016 writes promote_changes' row"
    return int(row["seq"])
