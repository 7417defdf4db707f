"""The creator dashboard's link-in-bio section: the page's figures as the API answers
them (``Bio.figures``), each number in a ``data-bio-*`` attribute holding its exact
value, so a test reads what the page shows."""

from __future__ import annotations

from typing import Final

from giftflow.creator.bio import BioFigures, LinkFigures
from giftflow.i18n import N_, number
from giftflow.i18n import gettext as _
from giftflow.render.charts import esc
from giftflow.render.report_page import table

TOTALS: Final = (
    ("views", N_("Views")),
    ("clicks", N_("Clicks")),
    ("click_through_bps", N_("Click-through (basis points)")),
)


def bio_section(figures: BioFigures | None) -> str:
    """Nothing for a creator without a page."""
    if figures is None:
        return ""
    stats = "".join(
        f'<div class="stat"><dt>{esc(_(label))}</dt><dd data-bio="{key}">'
        f"{number(getattr(figures, key))}</dd></div>"
        for key, label in TOTALS
    )
    rows = [_link_row(f) for f in figures.links]
    link, clicks = _("Link"), _("Clicks")
    columns = [link, clicks, _("Click-through (basis points)")]
    links = table(columns, rows, text=[link]) if rows else ""
    return (
        f'<section class="figures" data-figures="bio"><h2>{esc(_("Link-in-bio page"))}</h2>'
        f'<dl class="stats">{stats}</dl>{_counts(_("Referrers"), "referrer", figures.referrers)}'
        f"{_counts(_('Regions'), 'region', figures.regions)}"
        f"{links}</section>"
    )


def _counts(heading: str, kind: str, counts: tuple[tuple[str, int], ...]) -> str:
    if not counts:
        return ""
    unknown = _("none")
    items = "".join(
        f'<li><span>{esc(value or unknown)}</span> <strong data-bio-{kind}="{esc(value)}">'
        f"{number(views)}</strong></li>"
        for value, views in counts
    )
    return f"<h3>{esc(heading)}</h3><ul>{items}</ul>"


def _link_row(figures: LinkFigures) -> str:
    removed = f" ({esc(_('removed'))})" if figures.removed else ""
    link_id = esc(figures.link_id)
    return (
        f'<tr><td class="text" data-bio-link="{link_id}">{esc(figures.title)}{removed}</td>'
        f'<td data-bio-clicks="{link_id}">{number(figures.clicks)}</td>'
        f'<td data-bio-click-through="{link_id}">{number(figures.click_through_bps)}</td></tr>'
    )
