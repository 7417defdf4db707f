"""The lead form's flows: a visitor leaves an address with consent, confirms it from the
email the platform sends (``lead.confirmation_requested`` through webhooks out, with
the signed links), unsubscribes or deletes it from a signed link; the creator lists,
exports and deletes leads. Each change is one transaction with its outbox rows (only
there: a room's overlays never hear an address).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from giftflow.analytics.formats import instant
from giftflow.creator.bio import BioError, BioNotFoundError
from giftflow.creator.leads import (
    Lead,
    LeadNotFoundError,
    LeadState,
    Purpose,
    check_email,
    confirmable,
    leads_csv,
    signature,
    signed,
)
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.service.creator.bio import Bio
from giftflow.store import bio as rows
from giftflow.store.tx import Tx

RESEND_AFTER_S: Final = 600
"""A pending address left again within this time asks for no second email."""
LEADS_PATH: Final = "/bio-leads"
CONFIRMATION_REQUESTED: Final = "lead.confirmation_requested"
CONFIRMED: Final = "lead.confirmed"
UNSUBSCRIBED: Final = "lead.unsubscribed"
DELETED: Final = "lead.deleted"


def link(bio: Bio, lead: Lead, purpose: Purpose) -> str:
    """The signed link of ``purpose`` (a confirmation's for the lead's latest request)."""
    at = lead.consented_at if purpose is Purpose.CONFIRM else 0
    sig = signature(bio.settings.secret, purpose, lead.id, at)
    return f"{bio.settings.public_url.rstrip('/')}{LEADS_PATH}/{lead.id}/{purpose}?sig={sig}"


def _links(bio: Bio, lead: Lead) -> dict[str, str]:
    return {
        "unsubscribe_url": link(bio, lead, Purpose.UNSUBSCRIBE),
        "delete_url": link(bio, lead, Purpose.DELETE),
    }


def _data(lead: Lead, **extra: Any) -> Mapping[str, Any]:
    return {"lead_id": lead.id, "creator_id": lead.creator_id, "email": lead.email, **extra}


def leave(bio: Bio, slug: str, *, email: str, consent_version: int, consented: bool) -> Lead:
    """The form sent: refused (``lead_consent_missing``, ``lead_consent_outdated``,
    ``lead_email_invalid``) with nothing stored, else the lead pending and a
    confirmation requested. An address already confirmed stays as it is, and the
    answer does not say so; a pending one asks again after ``RESEND_AFTER_S``."""
    if not consented:
        raise BioError("the consent box is not ticked", code="lead_consent_missing")
    address = check_email(email)
    now = bio.context.now()
    economy = bio.context.economy

    def add(tx: Tx) -> Lead:
        page = rows.page_by_slug(tx, slug)
        if page is None:
            raise BioNotFoundError(f"no page {slug!r}")
        consent = rows.consent(tx, page.creator_id, page.consent_version)
        if consent is None or consent.version != consent_version:
            raise BioError(
                "the consent text changed since the form was shown", code="lead_consent_outdated"
            )
        known = rows.lead_by_email(tx, page.creator_id, address)
        if known is not None and _unchanged(known, now):
            return known
        wanted = Lead(
            economy.new_id("ld"), page.creator_id, address, LeadState.PENDING,
            consent.version, consent.text_sha256, now,
        )  # fmt: skip
        rows.request_lead(tx, wanted)
        lead = rows.lead_by_email(tx, page.creator_id, address)
        assert lead is not None
        expires_at = now + bio.settings.confirm_ttl_s * NS_PER_S
        data = _data(
            lead,
            slug=page.slug,
            consent_version=lead.consent_version,
            consent_text_sha256=lead.consent_text_sha256,
            consented_at=lead.consented_at,
            confirm_url=link(bio, lead, Purpose.CONFIRM),
            confirm_expires_at=expires_at,
            **_links(bio, lead),
        )
        economy.notify(tx, lead.creator_id, CONFIRMATION_REQUESTED, lambda: data, now)
        return lead

    return bio.context.write(add)


def _unchanged(lead: Lead, now: int) -> bool:
    if lead.state is LeadState.CONFIRMED:
        return True
    recent = now - lead.consented_at < RESEND_AFTER_S * NS_PER_S
    return lead.state is LeadState.PENDING and recent


def _signed_lead(bio: Bio, tx: Tx, lead_id: str, purpose: Purpose, sig: str) -> Lead:
    lead = rows.lead(tx, lead_id)
    at = 0 if lead is None or purpose is not Purpose.CONFIRM else lead.consented_at
    if lead is None or not signed(bio.settings.secret, purpose, lead_id, sig, at):
        raise LeadNotFoundError("this link is not (or no longer) valid", code="lead_link_invalid")
    return lead


def check_link(bio: Bio, lead_id: str, purpose: Purpose, sig: str) -> Lead:
    """The lead a signed link names (the page before its button is pressed)."""
    return bio.context.read(lambda tx: _signed_lead(bio, tx, lead_id, purpose, sig))


def confirm(bio: Bio, lead_id: str, sig: str) -> Lead:
    """The confirmation link followed: ``lead.confirmed``. Again, or after unsubscribing,
    it changes nothing; past its time, ``lead_link_expired``."""
    now = bio.context.now()
    ttl_ns = bio.settings.confirm_ttl_s * NS_PER_S

    def move(tx: Tx) -> Lead:
        lead = _signed_lead(bio, tx, lead_id, Purpose.CONFIRM, sig)
        if lead.state is not LeadState.PENDING:
            return lead
        if not confirmable(lead, now=now, ttl_ns=ttl_ns):
            raise BioError("this confirmation link has expired", code="lead_link_expired")
        rows.confirm_lead(tx, lead_id, consented_at=lead.consented_at, now=now)
        confirmed = rows.lead(tx, lead_id)
        assert confirmed is not None
        data = _data(confirmed, confirmed_at=now, **_links(bio, confirmed))
        bio.context.economy.notify(tx, lead.creator_id, CONFIRMED, lambda: data, now)
        return confirmed

    return bio.context.write(move)


def unsubscribe(bio: Bio, lead_id: str, sig: str) -> Lead:
    """The unsubscribe link followed: ``lead.unsubscribed``; again changes nothing."""
    now = bio.context.now()

    def move(tx: Tx) -> Lead:
        lead = _signed_lead(bio, tx, lead_id, Purpose.UNSUBSCRIBE, sig)
        if rows.unsubscribe_lead(tx, lead_id, now=now):
            data = _data(lead, unsubscribed_at=now)
            bio.context.economy.notify(tx, lead.creator_id, UNSUBSCRIBED, lambda: data, now)
        found = rows.lead(tx, lead_id)
        assert found is not None
        return found

    return bio.context.write(move)


def delete_signed(bio: Bio, lead_id: str, sig: str) -> None:
    """The lead's own delete link followed: the row is gone (``lead.deleted``)."""
    bio.context.write(
        lambda tx: _delete(bio, tx, _signed_lead(bio, tx, lead_id, Purpose.DELETE, sig))
    )


def delete(bio: Bio, creator_id: UserId, lead_id: str) -> bool:
    """The creator deletes a lead on request; False if there was none."""

    def remove(tx: Tx) -> bool:
        lead = rows.lead(tx, lead_id)
        if lead is None or lead.creator_id != creator_id:
            return False
        _delete(bio, tx, lead)
        return True

    return bio.context.write(remove)


def _delete(bio: Bio, tx: Tx, lead: Lead) -> None:
    rows.delete_lead(tx, lead.id)
    now = bio.context.now()
    data = {"lead_id": lead.id, "creator_id": lead.creator_id, "deleted_at": now}
    bio.context.economy.notify(tx, lead.creator_id, DELETED, lambda: data, now)


def leads(bio: Bio, creator_id: UserId, *, limit: int, offset: int = 0) -> list[Lead]:
    bio.page(creator_id)
    return bio.context.read(lambda tx: rows.leads(tx, creator_id, limit=limit, offset=offset))


def export_csv(bio: Bio, creator_id: UserId) -> str:
    """Every lead of the creator as CSV (``giftflow.creator.leads.leads_csv``)."""
    bio.page(creator_id)
    every = bio.context.read(lambda tx: rows.leads(tx, creator_id))
    return leads_csv(every, instant=instant)
