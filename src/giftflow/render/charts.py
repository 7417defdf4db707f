"""Charts drawn on the server: pure functions from figures to HTML strings, each a
``<figure class="chart" data-chart="{name}">`` holding inline SVG (or, for cohorts, a
table), with no JavaScript and nothing fetched, so a saved or mailed page still shows
them.

Every data point is one element with ``class="point"`` and ``data-series``, ``data-x``
(its label) and ``data-y`` (its value exactly as given), plus a tooltip
``"label: value"``: a browser test, or a reader's tools, can read the numbers back
without trusting the geometry. Floating point is used for coordinates only; every
value shown is the integer or decimal string given, or exact integer arithmetic on it.

Here: the shared pieces (escaping, numbers, the figure and its points), line and bar
charts and the cohorts table; the Sankey of coin flows is ``giftflow.render.sankey``.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any, Final

from giftflow.i18n import gettext as _

Number = int | str
"""A value to plot: an int, or a decimal string (``"12.35"``) shown exactly as given."""

WIDTH: Final = 960
HEIGHT: Final = 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 32, 40
PLOT_WIDTH: Final = WIDTH - LEFT - RIGHT
PLOT_BOTTOM: Final = HEIGHT - BOTTOM
PALETTE: Final = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2")
X_TICKS_MAX: Final = 5
Y_TICKS_MAX: Final = 5
BAR_LABELS_MAX: Final = 12
LABEL_CHARS_MAX: Final = 14


def esc(text: object) -> str:
    """Text or attribute value, escaped (quotes included)."""
    return html.escape(str(text), quote=True)


def grouped(value: Number) -> str:
    """An int with thousands separators; a decimal string as given."""
    return f"{value:,}" if isinstance(value, int) else value


def coins(units: int, unit_scale: int = 10_000) -> str:
    """``units / unit_scale`` as an exact decimal with thousands separators and no
    trailing zeros: ``coins(123_455_000)`` is ``"12,345.5"``. The scale is a power of ten,
    so the decimal always terminates."""
    places = len(str(unit_scale)) - 1
    if unit_scale != 10**places:
        raise ValueError(f"unit_scale must be a power of ten, not {unit_scale}")
    whole, fraction = divmod(abs(units), unit_scale)
    sign = "-" if units < 0 else ""
    digits = str(fraction).rjust(places, "0").rstrip("0") if places else ""
    return f"{sign}{whole:,}" + (f".{digits}" if digits else "")


def figure(name: str, title: str, content: str) -> str:
    """The chart's ``<figure>``: its name for tests, its caption, its content."""
    return (
        f'<figure class="chart" data-chart="{esc(name)}">'
        f"<figcaption>{esc(title)}</figcaption>{content}</figure>"
    )


def svg(label: str, body: str, *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """An inline SVG of ``body``, labelled for screen readers."""
    return f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{esc(label)}">{body}</svg>'


def point_attributes(series: str, label: str, value: Number) -> str:
    """The attributes that make an element a data point a reader can read back."""
    return f'class="point" data-series="{esc(series)}" data-x="{esc(label)}" data-y="{esc(value)}"'


def tooltip(label: str, value: Number) -> str:
    """A point's ``<title>``: ``label: value``."""
    return f"<title>{esc(label)}: {esc(value)}</title>"


def empty(title: str) -> str:
    """The chart's place when there is nothing to draw."""
    return svg(title, _text("empty", WIDTH / 2, HEIGHT / 2, _("No data")))


@dataclass(frozen=True)
class _Axes:
    """The plot area of a line or bar chart; y runs from 0 to ``top`` in ``step``s."""

    top: int
    step: int

    @classmethod
    def over(cls, values: Sequence[Number]) -> _Axes:
        largest = max((Decimal(value) for value in values), default=Decimal(0))
        for exponent in itertools.count():
            for multiple in (1, 2, 5):
                step = multiple * 10**exponent
                if step * Y_TICKS_MAX >= largest:
                    steps = int((largest / step).to_integral_value(rounding=ROUND_CEILING))
                    return cls(top=max(step, steps * step), step=step)
        raise AssertionError("unreachable")

    def y(self, value: Number) -> float:
        return PLOT_BOTTOM - (PLOT_BOTTOM - TOP) * float(Decimal(value)) / self.top

    def grid(self, unit: str) -> str:
        lines = [
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{self.y(tick):.1f}"'
            f' y2="{self.y(tick):.1f}"/><text class="tick" x="{LEFT - 6}" y="{self.y(tick):.1f}"'
            f' text-anchor="end" dominant-baseline="middle">{tick:,}</text>'
            for tick in range(0, self.top + 1, self.step)
        ]
        if unit:
            lines.append(_text("unit", LEFT - 6, 14, unit, "end"))
        return "".join(lines)


def _x_ticks(labels: Sequence[str], x_of: Sequence[float]) -> str:
    count = min(len(labels), X_TICKS_MAX)
    last = len(labels) - 1
    indexes = sorted({round(i * last / (count - 1)) for i in range(count)}) if count > 1 else [0]
    ticks = []
    for index in indexes:
        anchor = "start" if index == 0 and last else "end" if index == last and last else "middle"
        ticks.append(_text("tick", x_of[index], PLOT_BOTTOM + 18, labels[index], anchor))
    return "".join(ticks)


def _text(css_class: str, x: float, y: float, content: str, anchor: str = "middle") -> str:
    return (
        f'<text class="{css_class}" x="{x:.1f}" y="{y:.1f}"'
        f' text-anchor="{anchor}">{esc(content)}</text>'
    )


def _legend(names: Sequence[str]) -> str:
    if len(names) < 2:
        return ""
    items = "".join(
        f'<li><span class="swatch" style="background:{PALETTE[i % len(PALETTE)]}"></span>'
        f"{esc(name)}</li>"
        for i, name in enumerate(names)
    )
    return f'<ul class="legend">{items}</ul>'


def line_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[Number]],
    *,
    unit: str = "",
) -> str:
    """One polyline per series over the labels (minutes, say), and one tiny circle per
    value carrying its data: thousands of points stay one path each to draw."""
    for key, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series {key!r} has {len(values)} values for {len(labels)} labels")
    if not labels or not series:
        return figure(name, title, empty(title))
    axes = _Axes.over([value for values in series.values() for value in values])
    span = max(len(labels) - 1, 1)
    x_of = [LEFT + PLOT_WIDTH * i / span for i in range(len(labels))]
    radius = 3 if len(labels) <= 60 else 2 if len(labels) <= 240 else 0.5
    body = [axes.grid(unit), _x_ticks(labels, x_of)]
    for index, (key, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        coordinates = " ".join(
            f"{x:.1f},{axes.y(v):.1f}" for x, v in zip(x_of, values, strict=True)
        )
        body.append(f'<polyline class="line" stroke="{color}" points="{coordinates}"/>')
        body.append(f'<g class="points" fill="{color}">')
        body.extend(
            f'<circle {point_attributes(key, label, value)} cx="{x:.1f}" cy="{axes.y(value):.1f}"'
            f' r="{radius}">{tooltip(label, value)}</circle>'
            for label, value, x in zip(labels, values, x_of, strict=True)
        )
        body.append("</g>")
    return figure(name, title, svg(title, "".join(body)) + _legend(list(series)))


def bar_chart(
    name: str, title: str, labels: Sequence[str], values: Sequence[Number], *, unit: str = ""
) -> str:
    """One ``<rect class="point">`` per value; the labels (shortened) under a dozen bars
    at most, the values above them when they fit."""
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values for {len(labels)} labels")
    if not labels:
        return figure(name, title, empty(title))
    axes = _Axes.over(values)
    slot = PLOT_WIDTH / len(labels)
    label_every = -(-len(labels) // BAR_LABELS_MAX)
    body = [axes.grid(unit)]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x, y = LEFT + slot * index, axes.y(value)
        body.append(
            f'<rect {point_attributes(name, label, value)} x="{x + slot * 0.15:.1f}"'
            f' y="{y:.1f}" width="{slot * 0.7:.1f}" height="{PLOT_BOTTOM - y:.1f}"'
            f' fill="{PALETTE[0]}">{tooltip(label, value)}</rect>'
        )
        middle = x + slot / 2
        if len(labels) <= BAR_LABELS_MAX:
            body.append(_text("value", middle, y - 4, grouped(value)))
        if index % label_every == 0:
            body.append(_text("tick", middle, PLOT_BOTTOM + 18, _shortened(label)))
    return figure(name, title, svg(title, "".join(body)))


def _shortened(label: str) -> str:
    return label if len(label) <= LABEL_CHARS_MAX else label[: LABEL_CHARS_MAX - 1] + "…"


# --- Cohorts ----------------------------------------------------------------------------


def cohort_table(name: str, title: str, cohorts_json: Mapping[str, Any]) -> str:
    """The cohorts document as a heatmap table: a row per cohort week (with its size), a
    column per week offset, each cell the share that gifted again, shaded by it."""
    cohorts: Sequence[Mapping[str, Any]] = cohorts_json.get("cohorts", [])
    offsets = max((r["offset"] for c in cohorts for r in c["returning"]), default=0)
    head = "".join(f'<th scope="col">+{offset} w</th>' for offset in range(1, offsets + 1))
    rows = "".join(_cohort_row(cohort, offsets) for cohort in cohorts)
    table = (
        f'<div class="table-wrap"><table class="cohorts"><thead><tr><th scope="col">Cohort</th>'
        f'<th scope="col">Gifters</th>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
    )
    if not cohorts:
        table = f'<p class="empty">{esc(_("No cohorts yet."))}</p>'
    return figure(name, title, table)


def _cohort_row(cohort: Mapping[str, Any], offsets: int) -> str:
    week, size = str(cohort["week"]), cohort["size"]
    by_offset = {r["offset"]: r for r in cohort["returning"]}
    cells = "".join(
        _cohort_cell(week, size, by_offset[offset])
        if offset in by_offset
        else '<td class="none"></td>'
        for offset in range(1, offsets + 1)
    )
    return (
        f'<tr data-cohort="{esc(week)}"><th scope="row">{esc(week)}</th>'
        f'<td class="size">{esc(grouped(size))}</td>{cells}</tr>'
    )


def _cohort_cell(week: str, size: int, returning: Mapping[str, Any]) -> str:
    share = Decimal(returning["share"])  # a number, so nothing else reaches the style
    gifters, offset = returning["gifters"], returning["offset"]
    strong = ' data-strong="true"' if share >= 55 else ""
    return (
        f"<td {point_attributes(week, str(offset), gifters)}{strong}"
        f' style="background-color: rgb(37 99 235 / {share}%)"'
        f' title="{esc(week)} +{offset} w: {esc(gifters)} of {esc(size)}">'
        f"{esc(returning['share'])}%</td>"
    )
