"""The lead form of the link-in-bio page: a visitor leaves an email address with their
explicit consent to a text the creator wrote, confirms it from an email (double opt-in),
and can unsubscribe or have it deleted from a signed link, without an account.

Pure rules only: what an address may be, the consent text's fingerprint, the signed
links, the states, and the CSV export (quoted, and safe to open in a spreadsheet).

States: ``pending`` (left on the page, confirmation requested) → ``confirmed`` (the
confirmation link was followed) → ``unsubscribed`` (the unsubscribe link); leaving the
address again on the page asks for a new confirmation. Deleting removes the row.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from giftflow.creator.bio import BioError
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs

EMAIL_MAX: Final = 254
LOCAL_MAX: Final = 64
CONSENT_TEXT_MAX: Final = 2_000
EMAIL_PATTERN: Final = re.compile(
    r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+"
)
"""The address forms people type (HTML's ``type=email`` rule, with a dot in the domain):
no quoted local parts, no address literals, no internationalised domains."""
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list)."""
CSV_COLUMNS: Final = (
    "lead_id",
    "email",
    "state",
    "consent_version",
    "consent_text_sha256",
    "consented_at",
    "confirmed_at",
    "unsubscribed_at",
)


class Purpose(StrEnum):
    """What a signed link does; each purpose has signatures of its own."""

    CONFIRM = "confirm"
    UNSUBSCRIBE = "unsubscribe"
    DELETE = "delete"


class LeadState(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"


class LeadNotFoundError(BioError):
    code = "lead_not_found"


@dataclass(frozen=True, slots=True)
class Consent:
    """A version of the creator's consent text, as the form showed it."""

    creator_id: UserId
    version: int
    text: str
    text_sha256: str
    created_at: UnixNs


@dataclass(frozen=True, slots=True)
class Lead:
    id: str
    creator_id: UserId
    email: str
    state: LeadState
    consent_version: int
    consent_text_sha256: str
    consented_at: UnixNs
    """When the visitor ticked the consent and sent the form (the last time): the
    confirmation link is signed for it, so only the latest request's link confirms."""
    confirmed_at: UnixNs | None = None
    unsubscribed_at: UnixNs | None = None


def check_email(text: str) -> str:
    """The address in lower case (one lead per address and creator), or ``BioError``."""
    email = text.strip().lower()
    local = email.partition("@")[0]
    if len(email) > EMAIL_MAX or len(local) > LOCAL_MAX or not EMAIL_PATTERN.fullmatch(email):
        raise BioError("an email address like name@example.com", code="lead_email_invalid")
    return email


def check_consent_text(text: str) -> str:
    if not 1 <= len(text.strip()) <= CONSENT_TEXT_MAX:
        raise BioError(
            f"a consent text is 1 to {CONSENT_TEXT_MAX} characters", code="bio_consent_invalid"
        )
    return text


def text_sha256(text: str) -> str:
    """The fingerprint stored with each lead: SHA-256 of the NFC text in UTF-8."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode()).hexdigest()


def signature(secret: bytes, purpose: Purpose, lead_id: str, requested_at: int = 0) -> str:
    """An HMAC-SHA-256 of the purpose and the lead (and, for a confirmation, the request
    it answers), URL-safe base64 without padding."""
    message = f"giftflow.bio.lead:{purpose}:{lead_id}:{requested_at}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed(
    secret: bytes, purpose: Purpose, lead_id: str, given: str, requested_at: int = 0
) -> bool:
    expected = signature(secret, purpose, lead_id, requested_at)
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def confirmable(lead: Lead, *, now: int, ttl_ns: int) -> bool:
    """A confirmation link (signed for the lead's ``consented_at``: the latest form
    sent) works while the lead is pending, until its time is up."""
    return lead.state is LeadState.PENDING and now < lead.consented_at + ttl_ns


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a ``'``."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def leads_csv(leads: Iterable[Lead], *, instant: Callable[[int], str]) -> str:
    """RFC 4180 CSV (CRLF, quoted where needed), a header and a row per lead; times as
    ``instant`` writes them (empty for "not yet")."""
    show = instant
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for lead in leads:
        cells = (
            lead.id,
            lead.email,
            str(lead.state),
            str(lead.consent_version),
            lead.consent_text_sha256,
            show(lead.consented_at),
            "" if lead.confirmed_at is None else show(lead.confirmed_at),
            "" if lead.unsubscribed_at is None else show(lead.unsubscribed_at),
        )
        writer.writerow([safe_cell(str(cell)) for cell in cells])
    return out.getvalue()
