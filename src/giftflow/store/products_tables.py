"""Perks that deliver and digital products: the creators' files (their bytes too, so
that every server process serves them), the perks that deliver (a file, early access),
the products and the files they deliver, the purchases (one row per purchase, written
in the transaction of its transfers) and the priority Q&A queue.

A partial unique index keeps one paid purchase per buyer and product: a second one,
from any server process, fails in the database itself."""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.schema import belongs_to, metadata

creator_files = sa.Table(
    "creator_files",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("filename", sa.String(120), nullable=False),
    sa.Column("content_type", sa.String(80), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.CheckConstraint("size_bytes > 0", name="creator_files_size_positive"),
    sa.Index("creator_files_creator", "creator_id", "created_at"),
)

products = sa.Table(
    "products",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("price_coins", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.CheckConstraint("price_coins > 0", name="products_price_positive"),
    sa.CheckConstraint("state IN ('active', 'archived')", name="products_state_known"),
    sa.Index("products_creator", "creator_id", "state"),
)

product_files = sa.Table(
    "product_files",
    metadata,
    belongs_to("product_id", sa.String(40), "products.id", primary_key=True),
    sa.Column("file_id", sa.String(40), sa.ForeignKey("creator_files.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

delivering_perks = sa.Table(
    "delivering_perks",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("file_id", sa.String(40), sa.ForeignKey("creator_files.id")),
    sa.Column("product_id", sa.String(40), sa.ForeignKey("products.id"), unique=True),
    sa.Column("schedule_id", sa.String(40), sa.ForeignKey("scheduled_lives.id"), unique=True),
    sa.Column("opens_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("early_s", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.CheckConstraint("level >= 1", name="delivering_perks_level_positive"),
    sa.CheckConstraint(
        "(kind = 'file' AND file_id IS NOT NULL AND product_id IS NULL AND schedule_id IS NULL)"
        " OR (kind = 'early_access' AND file_id IS NULL"
        " AND (product_id IS NULL) <> (schedule_id IS NULL))",
        name="delivering_perks_target",
    ),
    sa.Index("delivering_perks_creator", "creator_id", "level"),
)

product_purchases = sa.Table(
    "product_purchases",
    metadata,
    # The coin transfer's id, as a gift's row has its coin transfer's.
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("product_id", sa.String(40), sa.ForeignKey("products.id"), nullable=False),
    sa.Column("buyer_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("price_coins", sa.BigInteger, nullable=False),
    sa.Column("share_bps", sa.Integer, nullable=False),
    sa.Column("diamond_units", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("purchased_at", sa.BigInteger, nullable=False),
    sa.Column("matures_at", sa.BigInteger, nullable=False),
    sa.Column("matured_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("refunded_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("clawed_back_units", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("state IN ('paid', 'refunded')", name="product_purchases_state_known"),
    sa.CheckConstraint(
        "diamond_units = price_coins * share_bps", name="product_purchases_exact_share"
    ),
    sa.UniqueConstraint("product_id", "buyer_id", "attempt", name="product_purchases_attempt"),
    sa.Index(
        "product_purchases_one_paid",
        "product_id",
        "buyer_id",
        unique=True,
        sqlite_where=sa.text("state = 'paid'"),
        postgresql_where=sa.text("state = 'paid'"),
    ),
    sa.Index("product_purchases_buyer", "buyer_id", "purchased_at"),
    sa.Index("product_purchases_due", "matured_at", "matures_at"),
)

questions = sa.Table(
    "questions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), nullable=False),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("text", sa.String(500), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("submitted_at", sa.BigInteger, nullable=False),
    sa.Column("closed_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("state IN ('queued', 'answered', 'skipped')", name="questions_state_known"),
    sa.Index("questions_queue", "session_id", "state", "level", "submitted_at"),
)

PRODUCT_TABLES = (
    creator_files,
    products,
    product_files,
    delivering_perks,
    product_purchases,
    questions,
)
