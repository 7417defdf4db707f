"""The administrators' page: whether the books reconcile, the fraud decisions waiting
for a person, the payouts waiting for approval, and the platform's coin flows. Pure
functions from what the economy returns to HTML; every action is a POST form back to
this server (``/admin/...``) that redirects here when done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from giftflow.i18n import gettext as _
from giftflow.i18n import money, number
from giftflow.ledger.reconcile import ReconcileReport
from giftflow.render.charts import esc, grouped
from giftflow.render.report_page import table
from giftflow.service.economy import LoggedDecision, Payout
from giftflow.store.credentials import ReconcileRun
from giftflow.web.dashboard.creator_page import flows_section, time_of
from giftflow.web.dashboard.period import Period


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
            f'<header><p class="eyebrow">{esc(_("Administration"))}</p><h1>giftflow</h1></header>',
            reconcile_section(view.reconcile),
            decisions_section(view.decisions),
            payouts_section(view.payouts),
            flows_section("/admin", view.coin_flows, view.period),
        )
    )


def _reconcile_now() -> str:
    return (
        '<form method="post" action="/admin/reconcile">'
        f'<button type="submit">{esc(_("Reconcile now"))}</button></form>'
    )


def reconcile_section(run: ReconcileRun | None) -> str:
    if run is None:
        return (
            f'<section data-reconcile="never"><h2>{esc(_("Reconcile"))}</h2>'
            f'<p class="empty">{esc(_("The books have not been reconciled yet."))}</p>'
            f"{_reconcile_now()}</section>"
        )
    report = run.report
    state = "ok" if report.ok else "mismatch"
    verdict = (
        '<p class="status-ok">'
        + esc(_("The books reconcile: every balance equals the one recomputed from the transfers."))
        + "</p>"
        if report.ok
        else f'<p class="status-bad">{esc(_("The books do not reconcile."))}</p>'
    )
    counts = (
        '<p class="meta">'
        + esc(_("{transfers} transfers, {accounts} accounts.")).format(
            transfers=f'<span data-field="transfers">{number(report.transfers)}</span>',
            accounts=f'<span data-field="accounts">{number(report.accounts)}</span>',
        )
        + "</p>"
    )
    last = esc(_("Last reconciled {when}.")).format(when=time_of(run.ran_at_ns))
    when = f'<p class="meta">{last}</p>'
    return (
        f'<section data-reconcile="{state}"><h2>{esc(_("Reconcile"))}</h2>{verdict}{counts}{when}'
        f"{_mismatches(report)}{_problems(report.problems)}{_reconcile_now()}</section>"
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
        heading, empty = esc(_("Fraud decisions")), esc(_("None to review."))
        return f'<section><h2>{heading}</h2><p class="empty">{empty}</p></section>'
    rows = [
        f'<tr data-decision="{d.id}"><td>{d.id}</td><td class="text">{esc(d.rule)}</td>'
        f'<td class="text">{esc(d.action)}</td><td>{esc(d.user_id or "—")}</td>'
        f'<td class="text">{esc(d.subject)}</td><td class="text">{esc(d.detail)}</td>'
        f"<td>{time_of(d.created_at)}</td>"
        f'<td class="actions">{_review_form(d.id)}</td></tr>'
        for d in decisions
    ]
    rule, action, subject, detail = _("Rule"), _("Action"), _("Subject"), _("Detail")
    columns = ["#", rule, action, _("User"), subject, detail, _("Logged (UTC)"), _("Review")]
    text = [rule, action, subject, detail]
    heading = esc(_("Fraud decisions to review"))
    return f"<section><h2>{heading}</h2>{table(columns, rows, text=text)}</section>"


def _review_form(decision_id: int) -> str:
    """``upheld`` as ``review_fraud_decision`` takes it: the rule was right, or not."""
    return (
        f'<form method="post" action="/admin/fraud-decisions/{decision_id}">'
        f'<button type="submit" name="upheld" value="true" class="primary">{esc(_("Uphold"))}'
        f'</button><button type="submit" name="upheld" value="false">{esc(_("Overturn"))}'
        "</button></form>"
    )


def payouts_section(payouts: Sequence[Payout]) -> str:
    if not payouts:
        heading, empty = esc(_("Payouts")), esc(_("None waiting."))
        return f'<section><h2>{heading}</h2><p class="empty">{empty}</p></section>'
    rows = [
        f'<tr data-payout="{esc(p.id)}" data-state="{esc(p.state)}">'
        f'<td class="text">{esc(p.id)}</td><td>{p.creator_id}</td>'
        f"<td>{time_of(p.requested_at)}</td>"
        f'<td data-field="diamonds">{number(p.diamonds)}</td>'
        f'<td data-field="gross_minor" data-amount-minor="{p.gross_minor}"'
        f' data-currency="{esc(p.currency)}">{esc(money(p.gross_minor, p.currency))}</td>'
        f'<td class="text" data-field="state">{esc(_(p.state))}</td>'
        f'<td class="actions">{_payout_forms(p)}</td></tr>'
        for p in payouts
    ]
    payout, state = _("Payout"), _("State")
    columns = [payout, _("Creator"), _("Requested (UTC)"), _("Diamonds"), _("Gross"), state]
    columns.append(_("Decide"))
    heading = esc(_("Payouts to approve"))
    return f"<section><h2>{heading}</h2>{table(columns, rows, text=[payout, state])}</section>"


def _payout_forms(payout: Payout) -> str:
    """A held payout can be approved; a requested one (its creator has open fraud
    decisions) is first cleared to held by a person. Either can be rejected."""
    base = f"/admin/payouts/{esc(payout.id)}"
    first = (
        f'<form method="post" action="{base}/approve">'
        f'<button type="submit" class="primary">{esc(_("Approve"))}</button></form>'
        if payout.state == "held"
        else f'<form method="post" action="{base}/hold">'
        f'<button type="submit" class="primary">{esc(_("Clear for approval"))}</button></form>'
    )
    reject = (
        f'<form method="post" action="{base}/reject">'
        '<input type="text" name="reason" required maxlength="200"'
        f' placeholder="{esc(_("Reason"))}" aria-label="{esc(_("Reason for rejecting"))}">'
        f'<button type="submit">{esc(_("Reject"))}</button></form>'
    )
    return first + reject
