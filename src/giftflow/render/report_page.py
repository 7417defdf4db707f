"""The post-LIVE report as one self-contained HTML page (docs/analytics.md): inline CSS
and SVG, no scripts, no requests, so it can be saved, mailed or printed as it is.

``page`` wraps any body in the shared document and style, and ``report_sections`` is the
report without the document around it, for the dashboard to embed; the figures, totals
and rows carry ``data-*`` attributes holding the JSON's exact values.

Every text a reader sees is in the active locale (``giftflow.i18n``): labels are marked
``N_`` where they are defined and translated where they are shown; the figures keep
the JSON's values, so a translated page carries the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from giftflow.i18n import N_, active_locale
from giftflow.i18n import gettext as _
from giftflow.render.charts import bar_chart, esc, line_chart

Report = Mapping[str, Any]

PAGE_CSS: Final = """
:root { color-scheme: light; --ink: #1f2430; --muted: #5b6272; --line: #e3e6ee;
  --card: #ffffff; --ground: #f5f6fa; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--ground); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 1.15rem; margin: 32px 0 12px; }
.eyebrow { margin: 0; color: var(--accent); font-weight: 600; text-transform: uppercase;
  letter-spacing: 0.06em; font-size: 0.8rem; }
.meta { margin: 0; color: var(--muted); }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr));
  gap: 12px; margin: 0; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 10px 14px; }
.stat dt { color: var(--muted); font-size: 0.8rem; }
.stat dd { margin: 2px 0 0; font-size: 1.35rem; font-weight: 650;
  font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.stat small { display: block; color: var(--muted); font-size: 0.75rem; font-weight: 400; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 720px), 1fr));
  gap: 16px; }
.chart { margin: 0; background: var(--card); border: 1px solid var(--line);
  border-radius: 10px; padding: 12px 14px; min-width: 0; }
.chart figcaption { font-weight: 600; margin-bottom: 6px; }
.chart svg { display: block; width: 100%; height: auto; overflow: visible; }
.chart text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.chart .value { fill: var(--ink); font-weight: 600; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .line { fill: none; stroke-width: 2; stroke-linejoin: round; }
.chart path.point { stroke-opacity: 0.45; }
.chart path.point:hover { stroke-opacity: 0.7; }
.chart .node text { fill: var(--ink); paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.chart .node .label { font-weight: 600; }
.chart .empty { fill: var(--muted); font-size: 14px; }
.legend { display: flex; gap: 14px; list-style: none; padding: 0; margin: 6px 0 0;
  font-size: 0.85rem; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 6px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: var(--card);
  font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right;
  white-space: nowrap; }
th.text, td.text, th[scope="row"], .cohorts thead th:first-child { text-align: left; }
thead th { color: var(--muted); font-weight: 600; font-size: 0.8rem; }
table.cohorts td[data-strong] { color: #fff; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 4px 0; }
.empty { color: var(--muted); }
@media print { body { background: #fff; } .chart, .stat, .card { break-inside: avoid; } }
"""

TOTAL_LABELS: Final = {
    "gifts": N_("Gifts"),
    "gift_events": N_("Gift events"),
    "coins": N_("Coins"),
    "diamond_units": N_("Diamond units"),
    "diamonds": N_("Diamonds"),
    "gifters_unique": N_("Gifters"),
    "viewers_unique": N_("Viewers"),
    "peak_concurrent_viewers": N_("Peak viewers"),
    "watch_time_s": N_("Watch time (s)"),
    "new_followers": N_("New followers"),
    "comments": N_("Comments"),
    "likes": N_("Likes"),
    "shares": N_("Shares"),
    "peak_gifts_per_minute": N_("Peak gifts / min"),
    "mean_gifts_per_minute": N_("Mean gifts / min"),
    "peak_coins_per_minute": N_("Peak coins / min"),
    "mean_coins_per_minute": N_("Mean coins / min"),
    "peak_minute": N_("Peak minute"),
    "registered": N_("Registered"),
    "attended": N_("Attended"),
    "gifted": N_("Gifted"),
    "during": N_("During the LIVE"),
    "after_24h": N_("In the 24 h after"),
}
CHAPTER_COLUMNS: Final = {
    "coins": N_("Coins"),
    "gifts": N_("Gifts"),
    "gift_events": N_("Gift events"),
    "gifters": N_("Gifters"),
    "watch_time_s": N_("Watch time (s)"),
    "new_followers": N_("New followers"),
}

MINUTE_CHARTS: Final = (
    ("coins", N_("Coins per minute"), N_("coins")),
    ("gifts", N_("Gifts per minute"), N_("gifts")),
    ("viewers", N_("Viewers per minute"), N_("viewers")),
)


def page(title: str, body_html: str) -> str:
    """A complete HTML5 document with the shared style around ``body_html``."""
    return (
        f'<!DOCTYPE html>\n<html lang="{active_locale()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{PAGE_CSS}</style></head>"
        f"<body><main>{body_html}</main></body></html>\n"
    )


def render_report(report: Report) -> str:
    """The whole post-LIVE report page."""
    session = report["session"]
    title = _("{title} · {creator} · report").format(
        title=session["title"], creator=session["creator_name"]
    )
    return page(title, report_sections(report))


def report_sections(report: Report) -> str:
    """The report's body: header, figures, charts and tables, without the document."""
    return "".join(
        (
            header_section(report["session"]),
            figures_section(_("Totals"), "total", report["totals"]),
            figures_section(_("Velocity"), "velocity", report["velocity"]),
            schedule_section(report.get("schedule")),
            minutes_section(report["minutes"]),
            chapters_section(report["chapters"]),
            supporters_section(report["top_supporters"]),
            growth_section(report["follower_growth"]),
            previous_section(report["session"], report["totals"], report["previous"]),
        )
    )


def duration(seconds: int) -> str:
    """``5400`` is ``"1 h 30 min"``; under a minute, seconds."""
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    parts = [f"{hours} h"] * bool(hours) + [f"{minutes} min"] * bool(minutes)
    return " ".join(parts) or f"{seconds} s"


def instant(text: str | None, *, time_only: bool = False) -> str:
    """An ISO instant as a ``<time>``, readably: ``2026-11-25 14:03:07 UTC``, or with
    ``time_only`` ``14:03:07``."""
    if text is None:
        return f"<span>{esc(_('still live'))}</span>"
    shown = text[11:19] if time_only else text.replace("T", " ").replace("Z", " UTC")
    return f'<time datetime="{esc(text)}">{esc(shown)}</time>'


def header_section(session: Mapping[str, Any]) -> str:
    return (
        f'<header class="report-header" data-session="{esc(session["id"])}">'
        f'<p class="eyebrow">{esc(_("Post-LIVE report"))}</p>'
        f"<h1>{esc(session['title'])}</h1>"
        f'<p class="meta"><strong>{esc(session["creator_name"])}</strong> · '
        f"{instant(session['started_at'])} &ndash; {instant(session['ended_at'])} · "
        f'<span data-duration-s="{esc(session["duration_s"])}">'
        f"{esc(duration(session['duration_s']))}</span></p></header>"
    )


def figures_section(heading: str, kind: str, figures: Mapping[str, Any]) -> str:
    """A grid of figures, each value in a ``data-{kind}="{key}"`` element holding the
    JSON value exactly (``—`` for null)."""
    stats = "".join(
        f'<div class="stat"><dt>{esc(_label(key))}</dt>'
        f'<dd><span data-{kind}="{esc(key)}">{esc("—" if value is None else value)}</span>'
        f"{_hint(key, value)}</dd></div>"
        for key, value in figures.items()
    )
    return (
        f'<section class="figures" data-figures="{esc(kind)}"><h2>{esc(heading)}</h2>'
        f'<dl class="stats">{stats}</dl></section>'
    )


def _label(key: str) -> str:
    label = TOTAL_LABELS.get(key)
    return key.replace("_", " ") if label is None else _(label)


def schedule_section(schedule: Mapping[str, Any] | None) -> str:
    """Of a LIVE that took up a scheduled one: registered, attended, gifted."""
    if schedule is None:
        return ""
    counts = {key: schedule[key] for key in ("registered", "attended", "gifted")}
    return figures_section(_("Scheduled LIVE"), "schedule", counts)


def _hint(key: str, value: Any) -> str:
    if key.endswith("_s") and isinstance(value, int) and value >= 60:
        return f"<small>{esc(duration(value))}</small>"
    return ""


def minutes_section(minutes: Sequence[Mapping[str, Any]]) -> str:
    labels = [minute["minute"] for minute in minutes]
    charts = "".join(
        line_chart(
            f"{field}_per_minute",
            _(title),
            labels,
            {field: [minute[field] for minute in minutes]},
            unit=_(unit),
        )
        for field, title, unit in MINUTE_CHARTS
    )
    heading = esc(_("Minute by minute"))
    return f'<section><h2>{heading}</h2><div class="charts">{charts}</div></section>'


def table(columns: Sequence[str], rows: Sequence[str], *, text: Sequence[str] = ()) -> str:
    """Numbers align right; the ``text`` columns left."""
    head = "".join(
        f'<th scope="col" class="{"text" if column in text else "number"}">{esc(column)}</th>'
        for column in columns
    )
    return (
        f'<div class="table-wrap card"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _cells(row: Mapping[str, Any], keys: Iterable[str]) -> str:
    return "".join(f'<td data-field="{esc(key)}">{esc(row[key])}</td>' for key in keys)


def chapters_section(chapters: Sequence[Mapping[str, Any]]) -> str:
    heading = f"<h2>{esc(_('Chapters'))}</h2>"
    if not chapters:
        return f'<section>{heading}<p class="empty">{esc(_("No chapters."))}</p></section>'
    chart = bar_chart(
        "chapters_coins",
        _("Coins per chapter"),
        [chapter["title"] for chapter in chapters],
        [chapter["coins"] for chapter in chapters],
        unit=_("coins"),
    )
    rows = [
        f'<tr data-chapter="{esc(chapter["position"])}"><td>{esc(chapter["position"])}</td>'
        f'<td class="text">{esc(chapter["title"])}</td><td class="text">{esc(chapter["kind"])}</td>'
        f"<td>{instant(chapter['start'], time_only=True)}</td>"
        f"<td>{instant(chapter['end'], time_only=True)}</td>"
        f"{_cells(chapter, CHAPTER_COLUMNS)}</tr>"
        for chapter in chapters
    ]
    title, kind = _("Title"), _("Kind")
    columns = [
        "#",
        title,
        kind,
        _("Start (UTC)"),
        _("End (UTC)"),
        *(_(label) for label in CHAPTER_COLUMNS.values()),
    ]
    figures = table(columns, rows, text=(title, kind))
    return f"<section>{heading}{chart}<h2>{esc(_('Chapter figures'))}</h2>{figures}</section>"


def supporters_section(supporters: Sequence[Mapping[str, Any]]) -> str:
    heading = f"<h2>{esc(_('Top supporters'))}</h2>"
    if not supporters:
        return f'<section>{heading}<p class="empty">{esc(_("No gifts."))}</p></section>'
    rows = [
        f'<tr data-supporter="{esc(supporter["user_id"])}"><td>{rank}</td>'
        f'<td class="text">{esc(supporter["name"])}</td>'
        f"{_cells(supporter, ('coins', 'gifts'))}</tr>"
        for rank, supporter in enumerate(supporters, start=1)
    ]
    name = _("Name")
    columns = ["#", name, _("Coins"), _("Gifts")]
    return f"<section>{heading}{table(columns, rows, text=[name])}</section>"


def growth_section(growth: Mapping[str, Any]) -> str:
    figures = figures_section(
        _("Follower growth"), "growth", {k: growth[k] for k in ("during", "after_24h")}
    )
    hours = growth["after_hours"]
    chart = bar_chart(
        "follower_growth",
        _("New followers in the hours after the LIVE"),
        [f"+{hour['hour']}h" for hour in hours],
        [hour["new_followers"] for hour in hours],
        unit=_("followers"),
    )
    return figures + f'<section><div class="charts">{chart}</div></section>'


def previous_section(
    session: Mapping[str, Any], totals: Mapping[str, Any], previous: Sequence[Mapping[str, Any]]
) -> str:
    """This LIVE's coins after the previous ones', oldest first."""
    sessions = [
        *reversed(previous),
        {"started_at": session["started_at"], "coins": totals["coins"]},
    ]
    chart = bar_chart(
        "previous_coins",
        _("Coins: the previous LIVEs and this one (last)"),
        [str(s["started_at"])[:10] for s in sessions],
        [s["coins"] for s in sessions],
        unit=_("coins"),
    )
    heading = esc(_("Compared with earlier LIVEs"))
    return f'<section><h2>{heading}</h2><div class="charts">{chart}</div></section>'
