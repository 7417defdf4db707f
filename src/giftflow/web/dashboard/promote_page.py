"""Promote on the dashboard: a creator's promotions, one promotion's report with its
pacing chart, and the administrators' review queue. Pure functions from the HTTP API's
own documents (``PromotionPublic``, ``ReportPublic`` as JSON) to HTML, so a page and
``GET /v1/promotions/{id}/report`` never disagree. Every figure carries its exact
value in ``data-*`` attributes; the pacing chart's points carry the report's
milli-coins as given (``data-series`` ``target`` / ``actual``, ``data-x`` the
checkpoint's ``at``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from giftflow.i18n import gettext as _
from giftflow.promote.promotions import OPEN_STATES
from giftflow.render.charts import esc, grouped, line_chart
from giftflow.render.report_page import instant, table

Json = Mapping[str, Any]
REVIEW_PAGE: Final = "/admin/promotions"
REPORT_COUNTS: Final = (
    ("served", "Impressions served"),
    ("viewable", "Viewable"),
    ("billed", "Billed"),
    ("clicks", "Clicks"),
    ("live_entries", "LIVE entries"),
    ("profile_visits", "Profile visits"),
)
FOLLOWS: Final = (
    ("follows_click_7d", "Follows within 7 days of a click"),
    ("follows_view_1d", "Follows within 1 day of a view (no click)"),
    ("follows_attributed", "Follows attributed"),
)
COINS: Final = (
    ("budget_coins", "Budget"),
    ("spent_coins", "Spent"),
    ("released_coins", "Released"),
    ("reserved_coins", "Still reserved"),
)


def promotion_path(promotion: Json) -> str:
    return f"/dashboard/creators/{promotion['creator_id']}/promotions/{esc(promotion['id'])}"


def _schedule(promotion: Json) -> str:
    return f"{instant(promotion['starts_at'])}<br>to {instant(promotion['ends_at'])}"


def promotions_body(creator: Json, promotions: Sequence[Json], wallet: Json) -> str:
    """A creator's promotions, newest first, each a link to its page, under the coins
    their wallet can spend now (``WalletPublic``: a budget in review or running is
    reserved, so not among them; a cancelled one's rest is back)."""
    header = (
        f'<header data-creator="{creator["id"]}"><p class="eyebrow">Promotions</p>'
        f"<h1>{esc(creator['display_name'])}</h1>"
        f'<p class="meta">{esc(_("Wallet"))}: <span data-wallet="coins">'
        f"{grouped(wallet['coins'])}</span> {esc(_('coins to spend now'))}</p>"
        f'<p class="meta"><a href="/dashboard/creators/{creator["id"]}">'
        "&larr; dashboard</a></p></header>"
    )
    if not promotions:
        return header + '<section><h2>Promotions</h2><p class="empty">None yet.</p></section>'
    rows = [
        f'<tr data-promotion="{esc(p["id"])}" data-state="{esc(p["state"])}">'
        f'<td class="text"><a href="{promotion_path(p)}">{esc(p["id"])}</a></td>'
        f'<td class="text">{esc(p["content_kind"])} {esc(p["content_id"])}</td>'
        f'<td class="text">{esc(p["goal"])}</td><td>{_schedule(p)}</td>'
        f'<td data-field="budget_coins">{grouped(p["budget_coins"])}</td>'
        f'<td data-field="posted_coins">{grouped(p["posted_coins"])}</td>'
        f'<td data-field="released_coins">{grouped(p["released_coins"])}</td>'
        f'<td class="text" data-field="state">{esc(p["state"])}</td></tr>'
        for p in promotions
    ]
    columns = ["Promotion", "Content", "Goal", "Runs (UTC)", "Budget", "Spent", "Released"]
    columns.append("State")
    text = ["Promotion", "Content", "Goal", "State"]
    return header + f"<section><h2>Promotions</h2>{table(columns, rows, text=text)}</section>"


def promotion_body(promotion: Json, report: Json) -> str:
    """One promotion: what it is, its report, its pacing chart and its statement."""
    return "".join(
        (
            _header(promotion),
            cancel_form(promotion),
            _figures("Delivery", "report", REPORT_COUNTS, report),
            _reasons("Invalid traffic (never billed)", "invalid", report["invalid"]),
            _reasons("Viewable, valid, not charged", "unbilled", report["unbilled"]),
            _figures("Follows (from the real follows table)", "report", FOLLOWS, report),
            _coins(report),
            pacing_section(report["pacing"]),
            _statement(report["statement"]),
        )
    )


def _header(promotion: Json) -> str:
    reason = promotion.get("reason")
    return (
        f'<header data-promotion="{esc(promotion["id"])}" data-state="{esc(promotion["state"])}">'
        f'<p class="eyebrow">Promotion · {esc(promotion["state"])}</p>'
        f"<h1>{esc(promotion['content_kind'])} {esc(promotion['content_id'])}</h1>"
        f'<p class="meta">Goal {esc(promotion["goal"])} · {_schedule(promotion)} · '
        f"{grouped(promotion['price_per_1000_coins'])} coins per 1,000 billed impressions"
        f" · cap {promotion['frequency_cap']} per viewer per "
        f"{promotion['frequency_window_s']} s</p>"
        + (f'<p class="meta" data-field="reason">{esc(reason)}</p>' if reason else "")
        + f'<p class="meta"><a href="/dashboard/creators/{promotion["creator_id"]}/promotions">'
        "&larr; promotions</a></p></header>"
    )


def cancel_form(promotion: Json) -> str:
    """The creator's cancel button, in every state a promotion can be cancelled from
    (draft, in review, active, paused): what was billed is spent, the rest of the budget
    returns to the wallet at once. Nothing once it is closed."""
    if promotion["state"] not in OPEN_STATES:
        return ""
    note = _(
        "Cancelling stops delivery at once: what was billed is spent, the rest of the"
        " budget returns to your wallet."
    )
    return (
        f'<section data-cancel><form method="post" action="{promotion_path(promotion)}/cancel">'
        f'<p class="meta">{esc(note)}</p>'
        f'<button type="submit">{esc(_("Cancel promotion"))}</button></form></section>'
    )


def _stat(label: str, attribute: str, shown: str) -> str:
    return f'<div class="stat"><dt>{esc(label)}</dt><dd><span {attribute}>{shown}</span></dd></div>'


def _figures(heading: str, kind: str, keys: Sequence[tuple[str, str]], report: Json) -> str:
    stats = "".join(
        _stat(label, f'data-{kind}="{key}"', grouped(report[key])) for key, label in keys
    )
    return (
        f'<section class="figures"><h2>{esc(heading)}</h2><dl class="stats">{stats}</dl></section>'
    )


def _reasons(heading: str, kind: str, counts: Mapping[str, int]) -> str:
    if not counts:
        return f'<section data-{kind}><h2>{esc(heading)}</h2><p class="empty">None.</p></section>'
    rows = [
        f'<tr data-{kind}="{esc(reason)}"><td class="text">{esc(reason)}</td>'
        f'<td data-field="count">{grouped(count)}</td></tr>'
        for reason, count in sorted(counts.items())
    ]
    return (
        f"<section data-{kind}><h2>{esc(heading)}</h2>"
        f"{table(['Reason', 'Impressions'], rows, text=['Reason'])}</section>"
    )


def _coins(report: Json) -> str:
    per_follow = report["coins_per_follow"]
    shown = "—" if per_follow is None else f"{per_follow:,.2f}"
    exact = "" if per_follow is None else f' data-exact="{per_follow!r}"'
    stats = "".join(
        _stat(label, f'data-coins="{key}"', grouped(report[key])) for key, label in COINS
    )
    stats += _stat("Coins per follow", f'data-coins="coins_per_follow"{exact}', shown)
    billed = (
        f'<p class="meta">Billed exactly <span data-coins="billed_millicoins">'
        f"{grouped(report['billed_millicoins'])}</span> milli-coins; a fraction of a coin is"
        " never charged.</p>"
    )
    return (
        f'<section class="figures"><h2>Coins</h2><dl class="stats">{stats}</dl>{billed}</section>'
    )


def pacing_section(points: Sequence[Json]) -> str:
    """Target against actual cumulative spend at the report's checkpoints (milli-coins)."""
    labels = [str(p["at"]) for p in points]
    series = {
        "target": [int(p["target_millicoins"]) for p in points],
        "actual": [int(p["actual_millicoins"]) for p in points],
    }
    chart = line_chart(
        "pacing", "Cumulative spend: target and actual", labels, series, unit="milli-coins"
    )
    return f"<section><h2>Pacing</h2>{chart}</section>"


def _statement(entries: Sequence[Json]) -> str:
    if not entries:
        return '<section><h2>Statement</h2><p class="empty">Nothing reserved yet.</p></section>'
    rows = [
        f'<tr data-transfer="{e["transfer_id"]}" data-kind="{esc(e["kind"])}">'
        f'<td>{e["transfer_id"]}</td><td class="text">{esc(e["kind"])}</td>'
        f'<td data-field="coins">{grouped(e["coins"])}</td><td>{instant(e["at"])}</td></tr>'
        for e in entries
    ]
    columns = ["Transfer", "Kind", "Coins", "At (UTC)"]
    return f"<section><h2>Statement</h2>{table(columns, rows, text=['Kind'])}</section>"


def review_body(promotions: Sequence[Json]) -> str:
    """Promotions waiting for review, oldest submission first, each with an approve and
    a reject (with a reason) form posting back here."""
    header = '<header><p class="eyebrow">Administration</p><h1>Promotions to review</h1></header>'
    if not promotions:
        return header + '<section data-review><p class="empty">None to review.</p></section>'
    rows = [
        f'<tr data-promotion="{esc(p["id"])}" data-state="{esc(p["state"])}">'
        f'<td class="text"><a href="{promotion_path(p)}">{esc(p["id"])}</a></td>'
        f"<td>{p['creator_id']}</td>"
        f'<td class="text">{esc(p["content_kind"])} {esc(p["content_id"])}</td>'
        f"<td>{_schedule(p)}</td>"
        f'<td data-field="budget_coins">{grouped(p["budget_coins"])}</td>'
        f'<td class="actions">{_review_forms(str(p["id"]))}</td></tr>'
        for p in promotions
    ]
    columns = ["Promotion", "Creator", "Content", "Runs (UTC)", "Budget", "Review"]
    text = ["Promotion", "Content"]
    return header + f"<section data-review>{table(columns, rows, text=text)}</section>"


def _review_forms(promotion_id: str) -> str:
    base = f"{REVIEW_PAGE}/{esc(promotion_id)}"
    return (
        f'<form method="post" action="{base}/approve">'
        '<button type="submit" class="primary">Approve</button></form>'
        f'<form method="post" action="{base}/reject">'
        '<input type="text" name="reason" required maxlength="200" placeholder="Reason"'
        ' aria-label="Reason for rejecting">'
        '<button type="submit">Reject</button></form>'
    )
