"""The administrators' page: whether the books reconcile, the fraud decisions waiting
for a person, the payouts waiting for approval, and the platform's coin flows. Pure
functions from what the economy returns to HTML; every action is a POST form back to
this server (``/admin/...``) that redirects here when done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from giftflow.ledger.reconcile import ReconcileReport
from giftflow.service.credentials import ReconcileRun
from giftflow.service.economy import LoggedDecision, Payout
from giftflow.web.charts import esc, grouped
from giftflow.web.dashboard.creator_page import flows_section, time_of
from giftflow.web.dashboard.period import Period
from giftflow.web.report_page import table


@dataclass(frozen=True, slots=True)
class AdminView:
    reconcile: ReconcileRun | None
    """The last reconcile (None: never run)."""
    decisions: Sequence[LoggedDecision]
    """Open ones only."""
    payouts: Sequence[Payout]
    """Requested or held ones."""
    coin_flows: Mapping[str, Any]
    period: Period


def admin_body(view: AdminView) -> str:
    return "".join(
        (
            '<header><p class="eyebrow">Administration</p><h1>giftflow</h1></header>',
            reconcile_section(view.reconcile),
            decisions_section(view.decisions),
            payouts_section(view.payouts),
            flows_section("/admin", view.coin_flows, view.period),
        )
    )


_RECONCILE_NOW: Final = (
    '<form method="post" action="/admin/reconcile">'
    '<button type="submit">Reconcile now</button></form>'
)


def reconcile_section(run: ReconcileRun | None) -> str:
    if run is None:
        return (
            '<section data-reconcile="never"><h2>Reconcile</h2>'
            '<p class="empty">The books have not been reconciled yet.</p>'
            f"{_RECONCILE_NOW}</section>"
        )
    report = run.report
    state = "ok" if report.ok else "mismatch"
    verdict = (
        '<p class="status-ok">The books reconcile: every balance equals the one recomputed'
        " from the transfers.</p>"
        if report.ok
        else '<p class="status-bad">The books do not reconcile.</p>'
    )
    counts = (
        f'<p class="meta"><span data-field="transfers">{grouped(report.transfers)}</span>'
        f' transfers, <span data-field="accounts">{grouped(report.accounts)}</span> accounts.</p>'
    )
    when = f'<p class="meta">Last reconciled {time_of(run.ran_at_ns)}.</p>'
    return (
        f'<section data-reconcile="{state}"><h2>Reconcile</h2>{verdict}{counts}{when}'
        f"{_mismatches(report)}{_problems(report.problems)}{_RECONCILE_NOW}</section>"
    )


def _mismatches(report: ReconcileReport) -> str:
    rows = [
        f'<tr data-mismatch="{m.account_id}"><td>{m.account_id}</td>'
        f'<td class="text">{esc(m.field)}</td><td>{grouped(m.stored)}</td>'
        f"<td>{grouped(m.recomputed)}</td></tr>"
        for m in report.mismatches
    ]
    rows += [
        f'<tr data-unbalanced="{esc(t.unit)}"><td>—</td><td class="text">unit {esc(t.unit)}'
        f" debits - credits</td><td>{grouped(t.debits_posted - t.credits_posted)}</td>"
        "<td>0</td></tr>"
        for t in report.units
        if not t.balanced
    ]
    if not rows:
        return ""
    columns = ["Account", "Field", "Stored", "Recomputed"]
    return table(columns, rows, text=["Field"])


def _problems(problems: Sequence[str]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{esc(problem)}</li>" for problem in problems)
    return f'<ul class="problems">{items}</ul>'


def decisions_section(decisions: Sequence[LoggedDecision]) -> str:
    if not decisions:
        return '<section><h2>Fraud decisions</h2><p class="empty">None to review.</p></section>'
    rows = [
        f'<tr data-decision="{d.id}"><td>{d.id}</td><td class="text">{esc(d.rule)}</td>'
        f'<td class="text">{esc(d.action)}</td><td>{esc(d.user_id or "—")}</td>'
        f'<td class="text">{esc(d.subject)}</td><td class="text">{esc(d.detail)}</td>'
        f"<td>{time_of(d.created_at)}</td>"
        f'<td class="actions">{_review_form(d.id)}</td></tr>'
        for d in decisions
    ]
    columns = ["#", "Rule", "Action", "User", "Subject", "Detail", "Logged (UTC)", "Review"]
    text = ["Rule", "Action", "Subject", "Detail"]
    return f"<section><h2>Fraud decisions to review</h2>{table(columns, rows, text=text)}</section>"


def _review_form(decision_id: int) -> str:
    """``upheld`` as ``review_fraud_decision`` takes it: the rule was right, or not."""
    return (
        f'<form method="post" action="/admin/fraud-decisions/{decision_id}">'
        '<button type="submit" name="upheld" value="true" class="primary">Uphold</button>'
        '<button type="submit" name="upheld" value="false">Overturn</button></form>'
    )


def payouts_section(payouts: Sequence[Payout]) -> str:
    if not payouts:
        return '<section><h2>Payouts</h2><p class="empty">None waiting.</p></section>'
    rows = [
        f'<tr data-payout="{esc(p.id)}" data-state="{esc(p.state)}">'
        f'<td class="text">{esc(p.id)}</td><td>{p.creator_id}</td>'
        f"<td>{time_of(p.requested_at)}</td>"
        f'<td data-field="diamonds">{grouped(p.diamonds)}</td>'
        f'<td data-field="gross_minor">{grouped(p.gross_minor)} {esc(p.currency)}</td>'
        f'<td class="text" data-field="state">{esc(p.state)}</td>'
        f'<td class="actions">{_payout_forms(p)}</td></tr>'
        for p in payouts
    ]
    columns = ["Payout", "Creator", "Requested (UTC)", "Diamonds", "Gross", "State", "Decide"]
    text = ["Payout", "State"]
    return f"<section><h2>Payouts to approve</h2>{table(columns, rows, text=text)}</section>"


def _payout_forms(payout: Payout) -> str:
    """A held payout can be approved; a requested one (its creator has open fraud
    decisions) is first cleared to held by a person. Either can be rejected."""
    base = f"/admin/payouts/{esc(payout.id)}"
    first = (
        f'<form method="post" action="{base}/approve">'
        '<button type="submit" class="primary">Approve</button></form>'
        if payout.state == "held"
        else f'<form method="post" action="{base}/hold">'
        '<button type="submit" class="primary">Clear for approval</button></form>'
    )
    reject = (
        f'<form method="post" action="{base}/reject">'
        '<input type="text" name="reason" required maxlength="200" placeholder="Reason"'
        ' aria-label="Reason for rejecting">'
        '<button type="submit">Reject</button></form>'
    )
    return first + reject
