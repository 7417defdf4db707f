"""What migration 0016 adds to Promote's tables so that a process reads only what
changed since its last read of the candidates (decisions/0123): the change counter
(``promote_changes``, one row), a ``change_seq`` on promotions and on impressions, an
impression's ``served_seq``, and the indexes the readers of the changes walk.

The columns are fresh objects per call (a column belongs to one table), as
``endpoint_columns`` of migration 0013: the tables of 0008 are created from their own
metadata, and 0016 adds these to them."""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.schema import metadata

promote_changes = sa.Table(
    "promote_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    # Bumped by every write of a promotion's row or of an impression's served or viewable
    # state, in that write's transaction: its row lock (and SQLite's one writer) makes
    # the numbers grow in commit order, so a snapshot that sees a number sees every
    # change numbered below it.
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.CheckConstraint("id = 1", name="promote_changes_one_row"),
)

PROMOTE_CHANGE_TABLES = (promote_changes,)

PROMOTION_CHANGE_INDEX = ("promotions_change", "promotions", ["change_seq"])
IMPRESSION_CHANGE_INDEX = ("promotion_impressions_change", "promotion_impressions", ["change_seq"])
IMPRESSION_SERVED_INDEX = ("promotion_impressions_served", "promotion_impressions", ["served_at"])
INDEXES = (PROMOTION_CHANGE_INDEX, IMPRESSION_CHANGE_INDEX, IMPRESSION_SERVED_INDEX)
"""(name, table, columns): the changes since a number, and the impressions that leave
the 24-hour window by when they were served."""


def promotion_columns() -> tuple[sa.Column[int]]:
    """``change_seq``: the change counter's number at the row's last write."""
    return (sa.Column("change_seq", sa.BigInteger, nullable=False, server_default="0"),)


def impression_columns() -> tuple[sa.Column[int], sa.Column[int]]:
    """``served_seq``: the number of the impression's insert, never changed;
    ``change_seq``: of its last counted change (the insert, then its viewable event)."""
    return (
        sa.Column("served_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("change_seq", sa.BigInteger, nullable=False, server_default="0"),
    )
