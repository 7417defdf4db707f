"""The Sankey chart of coin flows (docs/analytics.md): nodes in columns by their
longest path from a source, links as bezier bands as wide as their value, drawn on the
server as inline SVG like the other charts (``giftflow.render.charts``: one
``class="point"`` element per link, carrying its data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from giftflow.render.charts import (
    PALETTE,
    coins,
    empty,
    esc,
    figure,
    point_attributes,
    svg,
    tooltip,
)

SANKEY_WIDTH: Final = 900
SANKEY_HEIGHT: Final = 420
SANKEY_MARGIN: Final = 24
NODE_WIDTH: Final = 14
NODE_GAP: Final = 36
NODE_HEIGHT_MIN: Final = 2.0
HAIRLINE: Final = 0.5


def node_columns(node_ids: Sequence[str], links: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Each node's column: the longest path to it from a node without inflow. The
    flows form a DAG; a cycle or a link to an unknown node is a ValueError."""
    column = dict.fromkeys(node_ids, 0)
    inflows = dict.fromkeys(node_ids, 0)
    for link in links:
        if link["source"] not in column or link["target"] not in column:
            raise ValueError(f"link {link['source']}->{link['target']} names an unknown node")
        inflows[link["target"]] += 1
    inflows_at_start = dict(inflows)
    ready = [node for node in node_ids if inflows[node] == 0]
    for node in ready:  # grows while it is walked: Kahn's topological order
        for link in (link for link in links if link["source"] == node):
            column[link["target"]] = max(column[link["target"]], column[node] + 1)
            inflows[link["target"]] -= 1
            if inflows[link["target"]] == 0:
                ready.append(link["target"])
    if len(ready) < len(node_ids):
        raise ValueError("the links form a cycle")
    # A source feeding a later column (earnings held at the start) sits just before
    # its first target, so its link does not cross the whole diagram.
    for node in node_ids:
        targets = [column[link["target"]] for link in links if link["source"] == node]
        if inflows_at_start[node] == 0 and targets:
            column[node] = min(targets) - 1
    return column


@dataclass
class _Node:
    id: str
    label: str
    column: int
    value_units: int
    x: float = 0.0
    y: float = 0.0
    height: float = NODE_HEIGHT_MIN
    out_offset: float = 0.0
    in_offset: float = 0.0


def _sankey_nodes(
    nodes: Sequence[Mapping[str, str]], links: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, _Node], float]:
    """The nodes placed, and the pixels per value unit."""
    columns = node_columns([node["id"] for node in nodes], links)
    inflow = dict.fromkeys(columns, 0)
    outflow = dict.fromkeys(columns, 0)
    for link in links:
        outflow[link["source"]] += int(link["value_units"])
        inflow[link["target"]] += int(link["value_units"])
    value = {node: max(inflow[node], outflow[node]) for node in columns}
    placed = {n["id"]: _Node(n["id"], n["label"], columns[n["id"]], value[n["id"]]) for n in nodes}
    stacks = [
        [n for n in placed.values() if n.column == c] for c in range(max(columns.values()) + 1)
    ]
    room = SANKEY_HEIGHT - 2 * SANKEY_MARGIN
    scales = [
        (room - NODE_GAP * (len(stack) - 1)) / total
        for stack in stacks
        if (total := sum(n.value_units for n in stack)) > 0
    ]
    scale = max(min(scales, default=0.0), 0.0)
    step = (SANKEY_WIDTH - 2 * SANKEY_MARGIN - NODE_WIDTH) / max(len(stacks) - 1, 1)
    for stack in stacks:
        for node in stack:
            node.height = max(node.value_units * scale, NODE_HEIGHT_MIN)
        used = sum(node.height for node in stack) + NODE_GAP * (len(stack) - 1)
        y = SANKEY_MARGIN + max(room - used, 0) / 2
        for node in stack:
            node.x, node.y = SANKEY_MARGIN + node.column * step, y
            y += node.height + NODE_GAP
    return placed, scale


def _sankey_link(link: Mapping[str, Any], placed: Mapping[str, _Node], scale: float) -> str:
    source, target = placed[link["source"]], placed[link["target"]]
    value = int(link["value_units"])
    width = value * scale
    y0 = source.y + source.out_offset + width / 2
    y1 = target.y + target.in_offset + width / 2
    source.out_offset += width
    target.in_offset += width
    x0, x1 = source.x + NODE_WIDTH, target.x
    middle = (x0 + x1) / 2
    label = f"{source.id}->{target.id}"
    kind = "link" if value else "link hairline"
    return (
        f'<path {point_attributes("link", label, value)} data-kind="{kind}"'
        f' d="M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} {middle:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"'
        f' stroke="{PALETTE[source.column % len(PALETTE)]}"'
        f' stroke-width="{max(width, HAIRLINE):.2f}" fill="none">'
        f"{tooltip(label, value)}</path>"
    )


def _sankey_node(node: _Node, *, last_column: int, unit_scale: int) -> str:
    shown = coins(node.value_units, unit_scale)
    on_left = node.column == last_column and last_column > 0
    x = node.x - 6 if on_left else node.x + NODE_WIDTH + 6
    anchor = "end" if on_left else "start"
    middle = node.y + node.height / 2
    return (
        f'<g class="node" data-node="{esc(node.id)}" data-value-units="{node.value_units}">'
        f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_WIDTH}" height="{node.height:.1f}"'
        f' fill="{PALETTE[node.column % len(PALETTE)]}"/>'
        f'<text x="{x:.1f}" y="{middle - 7:.1f}" text-anchor="{anchor}">'
        f'<tspan class="label">{esc(node.label)}</tspan>'
        f'<tspan class="value" x="{x:.1f}" dy="14">{esc(shown)}</tspan></text>'
        f"<title>{esc(node.label)}: {esc(shown)}</title></g>"
    )


def sankey(
    name: str,
    title: str,
    nodes: Sequence[Mapping[str, str]],
    links: Sequence[Mapping[str, Any]],
    *,
    unit_scale: int = 10_000,
) -> str:
    """A flow statement (docs/analytics.md, coin flows): columns by longest path, node
    heights by the larger of inflow and outflow, links as bezier bands; a zero link is
    a hairline, still there with its data."""
    if not nodes:
        return figure(name, title, empty(title))
    placed, scale = _sankey_nodes(nodes, links)
    last_column = max(node.column for node in placed.values())
    body = [
        '<g class="links">',
        *(_sankey_link(link, placed, scale) for link in links),
        '</g><g class="nodes">',
        *(_sankey_node(n, last_column=last_column, unit_scale=unit_scale) for n in placed.values()),
        "</g>",
    ]
    chart = svg(title, "".join(body), width=SANKEY_WIDTH, height=SANKEY_HEIGHT)
    return figure(name, title, chart)
