"""The link-in-bio page: its settings, the versions of its consent text, its links, the
leads of its form, and its counted views and clicks (docs/bio.md).

Views and clicks hold no visitor: a moment, the referring host and a region code.
Leads hold an email address with the consent text's version and fingerprint; deleting
a lead deletes its row.
"""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.economy_tables import AUTO_ID
from giftflow.store.schema import belongs_to, metadata

bio_pages = sa.Table(
    "bio_pages",
    metadata,
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("slug", sa.String(32), nullable=False, unique=True),
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("about", sa.String(500), nullable=False, server_default=""),
    sa.Column("consent_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

bio_consents = sa.Table(
    "bio_consents",
    metadata,
    belongs_to("creator_id", sa.BigInteger, "bio_pages.creator_id", primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("text_sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.CheckConstraint("version >= 1", name="bio_consents_version_positive"),
)

bio_links = sa.Table(
    "bio_links",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    belongs_to("creator_id", sa.BigInteger, "bio_pages.creator_id", nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    # 0 while on the page; when it was taken off (its clicks stay).
    sa.Column("removed_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Index("bio_links_creator", "creator_id", "position"),
)

bio_leads = sa.Table(
    "bio_leads",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    belongs_to("creator_id", sa.BigInteger, "bio_pages.creator_id", nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("consent_version", sa.Integer, nullable=False),
    sa.Column("consent_text_sha256", sa.String(64), nullable=False),
    sa.Column("consented_at", sa.BigInteger, nullable=False),
    sa.Column("confirmed_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("unsubscribed_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.UniqueConstraint("creator_id", "email", name="bio_leads_one_per_address"),
    sa.ForeignKeyConstraint(
        ["creator_id", "consent_version"],
        ["bio_consents.creator_id", "bio_consents.version"],
        name="bio_leads_consent_known",
    ),
    sa.CheckConstraint(
        "state IN ('pending', 'confirmed', 'unsubscribed')", name="bio_leads_state_known"
    ),
)

bio_visits = sa.Table(
    "bio_visits",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    belongs_to("creator_id", sa.BigInteger, "bio_pages.creator_id", nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
    # "" for a view of the page, else the link clicked (its id, which stays).
    sa.Column("link_id", sa.String(40), nullable=False, server_default=""),
    sa.Column("referrer_host", sa.String(253), nullable=False, server_default=""),
    sa.Column("region", sa.String(8), nullable=False, server_default=""),
    sa.Index("bio_visits_creator", "creator_id", "link_id"),
)

BIO_TABLES = (bio_pages, bio_consents, bio_links, bio_leads, bio_visits)
