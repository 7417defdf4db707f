"""The link-in-bio page's statements (tables in ``bio_tables``): typed functions over a
``Tx`` that read rows by column name and return the domain's frozen values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from giftflow.creator.bio import BioLink, BioPage, LinkWanted, Visit
from giftflow.creator.leads import Consent, Lead, LeadState
from giftflow.ids import UserId
from giftflow.store.tx import NamedRow, Tx

_PAGE: Final = "creator_id, slug, title, about, consent_version, created_at, updated_at"
_LINK: Final = "id, creator_id, position, title, url, created_at, removed_at"
_LEAD: Final = (
    "id, creator_id, email, state, consent_version, consent_text_sha256, consented_at,"
    " confirmed_at, unsubscribed_at"
)
_CONSENT: Final = "creator_id, version, text, text_sha256, created_at"


def _page(row: NamedRow) -> BioPage:
    return BioPage(
        creator_id=UserId(int(row["creator_id"])),
        slug=row["slug"],
        title=row["title"],
        about=row["about"],
        consent_version=int(row["consent_version"]),
        created_at=int(row["created_at"]),
        updated_at=int(row["updated_at"]),
    )


def _link(row: NamedRow) -> BioLink:
    return BioLink(
        id=row["id"],
        creator_id=UserId(int(row["creator_id"])),
        position=int(row["position"]),
        title=row["title"],
        url=row["url"],
        created_at=int(row["created_at"]),
        removed_at=int(row["removed_at"]) or None,
    )


def _lead(row: NamedRow) -> Lead:
    return Lead(
        id=row["id"],
        creator_id=UserId(int(row["creator_id"])),
        email=row["email"],
        state=LeadState(row["state"]),
        consent_version=int(row["consent_version"]),
        consent_text_sha256=row["consent_text_sha256"],
        consented_at=int(row["consented_at"]),
        confirmed_at=int(row["confirmed_at"]) or None,
        unsubscribed_at=int(row["unsubscribed_at"]) or None,
    )


def _consent(row: NamedRow) -> Consent:
    return Consent(
        creator_id=UserId(int(row["creator_id"])),
        version=int(row["version"]),
        text=row["text"],
        text_sha256=row["text_sha256"],
        created_at=int(row["created_at"]),
    )


# --- the page -------------------------------------------------------------------------


def page_of(tx: Tx, creator_id: UserId) -> BioPage | None:
    row = tx.named(f"SELECT {_PAGE} FROM bio_pages WHERE creator_id = ?", (creator_id,))
    return None if row is None else _page(row)


def page_by_slug(tx: Tx, slug: str) -> BioPage | None:
    row = tx.named(f"SELECT {_PAGE} FROM bio_pages WHERE slug = ?", (slug,))
    return None if row is None else _page(row)


def slug_owner(tx: Tx, slug: str) -> UserId | None:
    owner = tx.scalar("SELECT creator_id FROM bio_pages WHERE slug = ?", (slug,))
    return None if owner is None else UserId(int(owner))


def save_page(tx: Tx, creator_id: UserId, *, slug: str, title: str, about: str, now: int) -> None:
    tx.execute(
        "INSERT INTO bio_pages (creator_id, slug, title, about, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (creator_id) DO UPDATE SET slug = excluded.slug,"
        " title = excluded.title, about = excluded.about, updated_at = excluded.updated_at",
        (creator_id, slug, title, about, now, now),
    )


# --- consent texts ----------------------------------------------------------------------


def consent(tx: Tx, creator_id: UserId, version: int) -> Consent | None:
    row = tx.named(
        f"SELECT {_CONSENT} FROM bio_consents WHERE creator_id = ? AND version = ?",
        (creator_id, version),
    )
    return None if row is None else _consent(row)


def add_consent(tx: Tx, creator_id: UserId, *, text: str, text_sha256: str, now: int) -> int:
    """The text as the next version, which the page shows from now on."""
    version = int(
        tx.scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM bio_consents WHERE creator_id = ?",
            (creator_id,),
        )
    )
    tx.execute(
        "INSERT INTO bio_consents (creator_id, version, text, text_sha256, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (creator_id, version, text, text_sha256, now),
    )
    tx.execute(
        "UPDATE bio_pages SET consent_version = ? WHERE creator_id = ?", (version, creator_id)
    )
    return version


# --- links ------------------------------------------------------------------------------


def links(tx: Tx, creator_id: UserId, *, removed: bool = False) -> list[BioLink]:
    """The page's links by position; with ``removed``, those taken off too (last)."""
    where = "" if removed else " AND removed_at = 0"
    rows = tx.named_all(
        f"SELECT {_LINK} FROM bio_links WHERE creator_id = ?{where}"
        " ORDER BY removed_at <> 0, position, id",
        (creator_id,),
    )
    return [_link(row) for row in rows]


def link(tx: Tx, creator_id: UserId, link_id: str) -> BioLink | None:
    """The creator's link on the page now (a removed one is not)."""
    row = tx.named(
        f"SELECT {_LINK} FROM bio_links WHERE id = ? AND creator_id = ? AND removed_at = 0",
        (link_id, creator_id),
    )
    return None if row is None else _link(row)


def replace_links(
    tx: Tx, creator_id: UserId, wanted: Sequence[tuple[str, LinkWanted]], *, now: int
) -> None:
    """The page's links become ``wanted`` (id, link) in order: a known id is updated in
    place, a new one inserted, and the links on the page not listed are removed."""
    tx.execute(
        "UPDATE bio_links SET removed_at = ? WHERE creator_id = ? AND removed_at = 0",
        (now, creator_id),
    )
    for position, (link_id, link_) in enumerate(wanted):
        tx.execute(
            "INSERT INTO bio_links (id, creator_id, position, title, url, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " position = excluded.position, title = excluded.title, url = excluded.url,"
            " removed_at = 0",
            (link_id, creator_id, position, link_.title, link_.url, now),
        )


def link_ids(tx: Tx, creator_id: UserId) -> set[str]:
    """Every link the creator ever had on the page (removed ones too)."""
    rows = tx.named_all("SELECT id FROM bio_links WHERE creator_id = ?", (creator_id,))
    return {row["id"] for row in rows}


# --- views and clicks -----------------------------------------------------------------


def add_visits(tx: Tx, visits: Sequence[Visit]) -> None:
    tx.executemany(
        "INSERT INTO bio_visits (creator_id, at, link_id, referrer_host, region)"
        " VALUES (?, ?, ?, ?, ?)",
        [(v.creator_id, v.at, v.link_id or "", v.referrer_host, v.region) for v in visits],
    )


def views(tx: Tx, creator_id: UserId) -> int:
    return int(
        tx.scalar(
            "SELECT COUNT(*) FROM bio_visits WHERE creator_id = ? AND link_id = ''",
            (creator_id,),
        )
    )


def clicks_by_link(tx: Tx, creator_id: UserId) -> dict[str, int]:
    rows = tx.named_all(
        "SELECT link_id, COUNT(*) AS clicks FROM bio_visits"
        " WHERE creator_id = ? AND link_id <> '' GROUP BY link_id",
        (creator_id,),
    )
    return {row["link_id"]: int(row["clicks"]) for row in rows}


def views_by(tx: Tx, creator_id: UserId, column: str) -> dict[str, int]:
    """Views per ``referrer_host`` or per ``region``."""
    assert column in ("referrer_host", "region"), column
    rows = tx.named_all(
        f"SELECT {column} AS value, COUNT(*) AS views FROM bio_visits"
        f" WHERE creator_id = ? AND link_id = '' GROUP BY {column}",
        (creator_id,),
    )
    return {row["value"]: int(row["views"]) for row in rows}


# --- leads ------------------------------------------------------------------------------


def lead(tx: Tx, lead_id: str) -> Lead | None:
    row = tx.named(f"SELECT {_LEAD} FROM bio_leads WHERE id = ?", (lead_id,))
    return None if row is None else _lead(row)


def lead_by_email(tx: Tx, creator_id: UserId, email: str) -> Lead | None:
    row = tx.named(
        f"SELECT {_LEAD} FROM bio_leads WHERE creator_id = ? AND email = ?", (creator_id, email)
    )
    return None if row is None else _lead(row)


def leads(tx: Tx, creator_id: UserId, *, limit: int | None = None, offset: int = 0) -> list[Lead]:
    """The creator's leads, first left first (all of them without ``limit``)."""
    page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
    rows = tx.named_all(
        f"SELECT {_LEAD} FROM bio_leads WHERE creator_id = ? ORDER BY consented_at, id{page}",
        (creator_id,),
    )
    return [_lead(row) for row in rows]


def request_lead(tx: Tx, lead_: Lead) -> None:
    """Insert the lead, or make the creator's lead of that address pending again with
    this consent (a new confirmation to follow)."""
    tx.execute(
        "INSERT INTO bio_leads (id, creator_id, email, state, consent_version,"
        " consent_text_sha256, consented_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)"
        " ON CONFLICT (creator_id, email) DO UPDATE SET state = 'pending',"
        " consent_version = excluded.consent_version,"
        " consent_text_sha256 = excluded.consent_text_sha256,"
        " consented_at = excluded.consented_at, confirmed_at = 0, unsubscribed_at = 0",
        (
            lead_.id,
            lead_.creator_id,
            lead_.email,
            lead_.consent_version,
            lead_.consent_text_sha256,
            lead_.consented_at,
        ),
    )


def confirm_lead(tx: Tx, lead_id: str, *, consented_at: int, now: int) -> bool:
    """Pending → confirmed, for the request ``consented_at`` names; True if it moved."""
    tx.execute(
        "UPDATE bio_leads SET state = 'confirmed', confirmed_at = ?"
        " WHERE id = ? AND state = 'pending' AND consented_at = ?",
        (now, lead_id, consented_at),
    )
    return tx.rowcount == 1


def unsubscribe_lead(tx: Tx, lead_id: str, *, now: int) -> bool:
    tx.execute(
        "UPDATE bio_leads SET state = 'unsubscribed', unsubscribed_at = ?"
        " WHERE id = ? AND state <> 'unsubscribed'",
        (now, lead_id),
    )
    return tx.rowcount == 1


def delete_lead(tx: Tx, lead_id: str) -> bool:
    tx.execute("DELETE FROM bio_leads WHERE id = ?", (lead_id,))
    return tx.rowcount == 1
