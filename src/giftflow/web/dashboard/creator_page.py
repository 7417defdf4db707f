"""A creator's dashboard page, drawn from what the services return: pure functions
from values to HTML. Every figure carries its exact value in ``data-*`` attributes
(``data-balance``, ``data-session``, ``data-payout``; the charts' ``data-y``), so a
test or a reader's tools read the numbers without trusting the drawing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from giftflow.analytics.formats import diamonds, instant
from giftflow.creator.bio import BioFigures
from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.economy.users import User
from giftflow.i18n import N_, money, number
from giftflow.i18n import gettext as _
from giftflow.ids import UserId
from giftflow.live.sessions import LiveSession
from giftflow.render.charts import cohort_table, esc
from giftflow.render.report_page import instant as time_element
from giftflow.render.report_page import table
from giftflow.render.sankey import sankey
from giftflow.service.economy import EarningsView, Payout
from giftflow.service.live.sessions import SessionTotals
from giftflow.web.dashboard.bio_section import bio_section
from giftflow.web.dashboard.period import Period, period_form

IN_PAYOUT_STATES: Final = frozenset({"requested", "held", "approved"})
"""Payouts whose diamonds are reserved and not yet paid or returned."""
Json = Mapping[str, Any]
FLOWS_NOTE: Final = N_("In coins; a diamond is the creator's share of one coin.")
PAYOUT_STATES: Final = (
    N_("requested"),
    N_("held"),
    N_("approved"),
    N_("paid"),
    N_("failed"),
    N_("rejected"),
)
"""A payout's states, as the page shows them (``PayoutState``'s values)."""


@dataclass(frozen=True, slots=True)
class CreatorView:
    """Everything the page shows, read by the route."""

    creator: User
    earnings: EarningsView
    payouts: Sequence[Payout]
    sessions: Sequence[tuple[LiveSession, SessionTotals]]
    cohorts: Json
    coin_flows: Json
    period: Period
    sessions_page: int = 0
    """Which page of LIVEs ``sessions`` is (0: the newest)."""
    more_sessions: bool = False
    """Whether older LIVEs are on the next page."""
    schedules: Mapping[str, int] | None = None
    """The creator's scheduled LIVEs per state (``missed`` among them)."""
    bio: BioFigures | None = None
    """The link-in-bio page's figures (``None``: no page)."""


def time_of(at_ns: int) -> str:
    """An instant as the report shows one: ``<time>`` holding ``2026-11-25 14:03:07 UTC``."""
    return time_element(instant(at_ns))


def in_payout_units(payouts: Sequence[Payout]) -> int:
    return sum(p.diamonds * UNITS_PER_DIAMOND for p in payouts if p.state in IN_PAYOUT_STATES)


def nav(principal_label: str, *, admin: bool) -> str:
    """The bar on top of every signed-in page, with the sign-out form."""
    admin_link = (
        f'<a href="/admin">{esc(_("Admin"))}</a>'
        f'<a href="/admin/promotions">{esc(_("Promotions to review"))}</a>'
        if admin
        else ""
    )
    signed_in = _("Signed in as {name}").format(name=principal_label)
    return (
        f'<nav class="top"><a href="/dashboard">{esc(_("Dashboard"))}</a>{admin_link}'
        f'<span class="meta">{esc(signed_in)}</span>'
        '<form method="post" action="/dashboard/sign-out">'
        f'<button type="submit">{esc(_("Sign out"))}</button></form></nav>'
    )


def creator_body(view: CreatorView) -> str:
    creator = view.creator
    return "".join(
        (
            f'<header data-creator="{creator.id}">'
            f'<p class="eyebrow">{esc(_("Creator dashboard"))}</p>'
            f"<h1>{esc(creator.display_name)}</h1>"
            f'<p class="meta">{esc(_("Creator #{id}").format(id=creator.id))}'
            f" · {esc(creator.region)} · "
            f'<a href="/dashboard/creators/{creator.id}/promotions">{esc(_("Promotions"))}</a>'
            "</p></header>",
            balances_section(view.earnings, in_payout_units(view.payouts)),
            sessions_section(creator.id, view.sessions, view.sessions_page, view.more_sessions),
            schedules_section(view.schedules or {}),
            bio_section(view.bio),
            cohorts_section(view.cohorts),
            flows_section(f"/dashboard/creators/{creator.id}", view.coin_flows, view.period),
            payouts_section(view.payouts),
        )
    )


def _balance(key: str, label: str, units: int, hint: str) -> str:
    return (
        f'<div class="stat"><dt>{esc(label)}</dt><dd><span data-balance="{key}"'
        f' data-diamond-units="{units}">{diamonds(units)}</span>'
        f"<small>{esc(hint)}</small></dd></div>"
    )


def balances_section(earnings: EarningsView, in_payout: int) -> str:
    stats = "".join(
        (
            _balance("pending", _("Pending"), earnings.pending_units, _("diamonds maturing")),
            _balance(
                "available",
                _("Available"),
                earnings.available_units,
                _("diamonds to cash out"),
            ),
            _balance(
                "in_payout", _("In payout"), in_payout, _("diamonds requested, held, approved")
            ),
        )
    )
    return (
        f'<section class="figures" data-figures="balance"><h2>{esc(_("Earnings"))}</h2>'
        f'<dl class="stats">{stats}</dl></section>'
    )


def sessions_section(
    creator_id: UserId,
    sessions: Sequence[tuple[LiveSession, SessionTotals]],
    page: int = 0,
    more: bool = False,
) -> str:
    if not sessions:
        empty = esc(_("No LIVEs yet."))
        return f'<section><h2>{esc(_("LIVEs"))}</h2><p class="empty">{empty}</p></section>'
    rows = [
        f'<tr data-session="{s.id}"><td class="text"><a href="/dashboard/creators/{creator_id}'
        f'/sessions/{s.id}">{esc(s.title or _("LIVE #{id}").format(id=s.id))}</a></td>'
        f"<td>{time_of(s.started_at)}</td>"
        f"<td>{_live_now(creator_id, s.id) if s.ended_at is None else time_of(s.ended_at)}</td>"
        f'<td data-field="coins">{number(t.coins)}</td>'
        f'<td data-field="gift_events">{number(t.gifts)}</td></tr>'
        for s, t in sessions
    ]
    live = _("LIVE")
    columns = [live, _("Started (UTC)"), _("Ended (UTC)"), _("Coins"), _("Gift events")]
    pages = _pages(f"/dashboard/creators/{creator_id}", page, more)
    heading = esc(_("LIVEs"))
    return f"<section><h2>{heading}</h2>{table(columns, rows, text=[live])}{pages}</section>"


def _live_now(creator_id: UserId, session_id: int) -> str:
    """A LIVE still running, with the link to its priority Q&A queue."""
    path = f"/dashboard/creators/{creator_id}/sessions/{session_id}/questions"
    return f'{esc(_("live now"))} · <a data-questions href="{path}">{esc(_("Questions"))}</a>'


SCHEDULE_STATES: Final = (
    ("scheduled", "Scheduled", "announced, not started yet"),
    ("done", "Done", "went live as scheduled"),
    ("missed", "Missed", "never started within the grace period"),
    ("cancelled", "Cancelled", "called off"),
)


def schedules_section(counts: Mapping[str, int]) -> str:
    """The creator's own scheduled LIVEs by outcome: missed ones counted, so a cadence
    that slips shows."""
    stats = "".join(
        f'<div class="stat"><dt>{esc(label)}</dt><dd><span data-schedules="{key}">'
        f"{number(counts.get(key, 0))}</span><small>{esc(hint)}</small></dd></div>"
        for key, label, hint in SCHEDULE_STATES
    )
    return (
        '<section class="figures" data-figures="schedules"><h2>Scheduled LIVEs</h2>'
        f'<dl class="stats">{stats}</dl></section>'
    )


def _pages(path: str, page: int, more: bool) -> str:
    links = []
    if page > 0:
        links.append(
            f'<a rel="prev" href="{path}?sessions_page={page - 1}">{esc(_("Newer LIVEs"))}</a>'
        )
    if more:
        links.append(
            f'<a rel="next" href="{path}?sessions_page={page + 1}">{esc(_("Older LIVEs"))}</a>'
        )
    return f'<p class="meta pages">{" · ".join(links)}</p>' if links else ""


def cohorts_section(cohorts: Json) -> str:
    chart = cohort_table("cohorts", _("Returning gifters by week of their first gift"), cohorts)
    return f"<section><h2>{esc(_('Gifter cohorts'))}</h2>{chart}</section>"


def flows_section(action: str, flows: Json, period: Period) -> str:
    chart = sankey(
        "coin_flows",
        _("Coin flows, {start} to {end} (excluded)").format(
            start=period.start.isoformat(), end=period.end.isoformat()
        ),
        flows["nodes"],
        flows["links"],
        unit_scale=int(flows["unit_scale"]),
    )
    return (
        f'<section data-from="{period.start.isoformat()}" data-to="{period.end.isoformat()}">'
        f"<h2>{esc(_('Coin flows'))}</h2>{period_form(action, period)}{chart}"
        f'<p class="meta">{esc(_(FLOWS_NOTE))}</p></section>'
    )


def payouts_section(payouts: Sequence[Payout]) -> str:
    if not payouts:
        empty = esc(_("No payouts yet."))
        return f'<section><h2>{esc(_("Payouts"))}</h2><p class="empty">{empty}</p></section>'
    rows = [
        f'<tr data-payout="{esc(p.id)}" data-state="{esc(p.state)}">'
        f'<td class="text">{esc(p.id)}</td><td>{time_of(p.requested_at)}</td>'
        f'<td data-field="diamonds">{number(p.diamonds)}</td>'
        f'<td data-field="net_minor" data-amount-minor="{p.net_minor}"'
        f' data-currency="{esc(p.currency)}">{esc(money(p.net_minor, p.currency))}</td>'
        f'<td class="text" data-field="state">{esc(_(p.state))}</td></tr>'
        for p in payouts
    ]
    payout, state = _("Payout"), _("State")
    columns = [payout, _("Requested (UTC)"), _("Diamonds"), _("Net"), state]
    table_html = table(columns, rows, text=[payout, state])
    return f"<section><h2>{esc(_('Payouts'))}</h2>{table_html}</section>"
