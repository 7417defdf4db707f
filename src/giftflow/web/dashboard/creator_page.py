"""A creator's dashboard page, drawn from what the services return: pure functions
from values to HTML. Every figure carries its exact value in ``data-*`` attributes
(``data-balance``, ``data-session``, ``data-payout``; the charts' ``data-y``), so a
test or a reader's tools read the numbers without trusting the drawing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from giftflow.analytics.formats import diamonds, instant
from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.economy.users import User
from giftflow.live.sessions import LiveSession
from giftflow.service.economy import EarningsView, Payout
from giftflow.service.live.sessions import SessionTotals
from giftflow.web.charts import cohort_table, esc, grouped, sankey
from giftflow.web.dashboard.period import Period, period_form
from giftflow.web.report_page import instant as time_element
from giftflow.web.report_page import table

IN_PAYOUT_STATES: Final = frozenset({"requested", "held", "approved"})
"""Payouts whose diamonds are reserved and not yet paid or returned."""
Json = Mapping[str, Any]


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


def time_of(at_ns: int) -> str:
    """An instant as the report shows one: ``<time>`` holding ``2026-11-25 14:03:07 UTC``."""
    return time_element(instant(at_ns))


def in_payout_units(payouts: Sequence[Payout]) -> int:
    return sum(p.diamonds * UNITS_PER_DIAMOND for p in payouts if p.state in IN_PAYOUT_STATES)


def nav(principal_label: str, *, admin: bool) -> str:
    """The bar on top of every signed-in page, with the sign-out form."""
    admin_link = '<a href="/admin">Admin</a>' if admin else ""
    return (
        f'<nav class="top"><a href="/dashboard">Dashboard</a>{admin_link}'
        f'<span class="meta">Signed in as {esc(principal_label)}</span>'
        '<form method="post" action="/dashboard/sign-out">'
        '<button type="submit">Sign out</button></form></nav>'
    )


def creator_body(view: CreatorView) -> str:
    creator = view.creator
    return "".join(
        (
            f'<header data-creator="{creator.id}"><p class="eyebrow">Creator dashboard</p>'
            f"<h1>{esc(creator.display_name)}</h1>"
            f'<p class="meta">Creator #{creator.id} · {esc(creator.region)}</p></header>',
            balances_section(view.earnings, in_payout_units(view.payouts)),
            sessions_section(creator.id, view.sessions, view.sessions_page, view.more_sessions),
            schedules_section(view.schedules or {}),
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
            _balance("pending", "Pending", earnings.pending_units, "diamonds maturing"),
            _balance("available", "Available", earnings.available_units, "diamonds to cash out"),
            _balance("in_payout", "In payout", in_payout, "diamonds requested, held, approved"),
        )
    )
    return (
        '<section class="figures" data-figures="balance"><h2>Earnings</h2>'
        f'<dl class="stats">{stats}</dl></section>'
    )


def sessions_section(
    creator_id: int,
    sessions: Sequence[tuple[LiveSession, SessionTotals]],
    page: int = 0,
    more: bool = False,
) -> str:
    if not sessions:
        return '<section><h2>LIVEs</h2><p class="empty">No LIVEs yet.</p></section>'
    rows = [
        f'<tr data-session="{s.id}"><td class="text"><a href="/dashboard/creators/{creator_id}'
        f'/sessions/{s.id}">{esc(s.title or f"LIVE #{s.id}")}</a></td>'
        f"<td>{time_of(s.started_at)}</td>"
        f"<td>{'live now' if s.ended_at is None else time_of(s.ended_at)}</td>"
        f'<td data-field="coins">{grouped(t.coins)}</td>'
        f'<td data-field="gift_events">{grouped(t.gifts)}</td></tr>'
        for s, t in sessions
    ]
    columns = ["LIVE", "Started (UTC)", "Ended (UTC)", "Coins", "Gift events"]
    pages = _pages(f"/dashboard/creators/{creator_id}", page, more)
    return f"<section><h2>LIVEs</h2>{table(columns, rows, text=['LIVE'])}{pages}</section>"


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
        f"{grouped(counts.get(key, 0))}</span><small>{esc(hint)}</small></dd></div>"
        for key, label, hint in SCHEDULE_STATES
    )
    return (
        '<section class="figures" data-figures="schedules"><h2>Scheduled LIVEs</h2>'
        f'<dl class="stats">{stats}</dl></section>'
    )


def _pages(path: str, page: int, more: bool) -> str:
    links = []
    if page > 0:
        links.append(f'<a rel="prev" href="{path}?sessions_page={page - 1}">Newer LIVEs</a>')
    if more:
        links.append(f'<a rel="next" href="{path}?sessions_page={page + 1}">Older LIVEs</a>')
    return f'<p class="meta pages">{" · ".join(links)}</p>' if links else ""


def cohorts_section(cohorts: Json) -> str:
    chart = cohort_table("cohorts", "Returning gifters by week of their first gift", cohorts)
    return f"<section><h2>Gifter cohorts</h2>{chart}</section>"


def flows_section(action: str, flows: Json, period: Period) -> str:
    chart = sankey(
        "coin_flows",
        f"Coin flows, {period.start.isoformat()} to {period.end.isoformat()} (excluded)",
        flows["nodes"],
        flows["links"],
        unit_scale=int(flows["unit_scale"]),
    )
    return (
        f'<section data-from="{period.start.isoformat()}" data-to="{period.end.isoformat()}">'
        f"<h2>Coin flows</h2>{period_form(action, period)}{chart}"
        '<p class="meta">In coins; a diamond is the creator\'s share of one coin.</p></section>'
    )


def payouts_section(payouts: Sequence[Payout]) -> str:
    if not payouts:
        return '<section><h2>Payouts</h2><p class="empty">No payouts yet.</p></section>'
    rows = [
        f'<tr data-payout="{esc(p.id)}" data-state="{esc(p.state)}">'
        f'<td class="text">{esc(p.id)}</td><td>{time_of(p.requested_at)}</td>'
        f'<td data-field="diamonds">{grouped(p.diamonds)}</td>'
        f'<td data-field="net_minor">{grouped(p.net_minor)} {esc(p.currency)}</td>'
        f'<td class="text" data-field="state">{esc(p.state)}</td></tr>'
        for p in payouts
    ]
    columns = ["Payout", "Requested (UTC)", "Diamonds", "Net (minor units)", "State"]
    return f"<section><h2>Payouts</h2>{table(columns, rows, text=['Payout', 'State'])}</section>"
