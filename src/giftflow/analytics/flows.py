"""The coin-flow statement of a period, drawn as a Sankey diagram (docs/analytics.md,
Coin flows).

The totals come from the ledger (the service reads balances and transfers); this module
only lays them out and checks that every node balances, so a diagram that does not add
up is named, not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .formats import JsonObject

UNIT_SCALE: Final = 10_000
"""Values are ten-thousandths of a coin: a diamond unit and a coin unit are one scale."""


@dataclass(frozen=True, slots=True)
class FlowTotals:
    """A period's flows, all in units (``value / 10000`` coins)."""

    wallets_opening: int
    bought: int
    gifted: int
    clawed_back: int
    wallets_closing: int
    diamonds: int
    platform_share: int
    earnings_opening: int
    withdrawn: int
    reversed: int
    earnings_closing: int
    products: int = 0
    """Coins spent on digital products, less those refunded in the period."""
    product_diamonds: int = 0
    """The creators' shares of those, less what refunds clawed back."""


NODE_LABELS: Final[dict[str, str]] = {
    "wallets_opening": "In wallets at the start",
    "bought": "Bought",
    "wallets": "Viewers' wallets",
    "gifted": "Gifted",
    "products": "Spent on products",
    "clawed_back": "Clawed back by refunds and chargebacks",
    "wallets_closing": "In wallets at the end",
    "diamonds": "Creators' diamonds",
    "platform_share": "Platform's share",
    "earnings_opening": "Earnings held at the start",
    "earnings": "Creators' earnings",
    "withdrawn": "Withdrawn",
    "reversed": "Reversed by chargebacks",
    "earnings_closing": "Earnings held at the end",
}
WALLET_NODES: Final = frozenset(
    {"wallets_opening", "bought", "wallets", "clawed_back", "wallets_closing"}
)


def _links(totals: FlowTotals) -> list[tuple[str, str, int]]:
    """``(source, target, value)`` in the order of the contract's table."""
    return [
        ("wallets_opening", "wallets", totals.wallets_opening),
        ("bought", "wallets", totals.bought),
        ("wallets", "gifted", totals.gifted),
        ("wallets", "products", totals.products),
        ("wallets", "clawed_back", totals.clawed_back),
        ("wallets", "wallets_closing", totals.wallets_closing),
        ("gifted", "diamonds", totals.diamonds),
        ("gifted", "platform_share", totals.platform_share),
        ("products", "diamonds", totals.product_diamonds),
        ("products", "platform_share", totals.products - totals.product_diamonds),
        ("earnings_opening", "earnings", totals.earnings_opening),
        ("diamonds", "earnings", totals.diamonds + totals.product_diamonds),
        ("earnings", "withdrawn", totals.withdrawn),
        ("earnings", "reversed", totals.reversed),
        ("earnings", "earnings_closing", totals.earnings_closing),
    ]


def coin_flows(
    scope: str, start_day: str, end_day: str, totals: FlowTotals, *, include_wallets: bool
) -> JsonObject:
    """The statement for ``[start_day, end_day)``. Without wallets (a creator's scope:
    whose coins they were is not theirs to see) the flows start at ``gifted`` (and at
    ``products``, in a period with digital products sold or refunded: net of refunds)."""
    kept = [node for node in NODE_LABELS if include_wallets or node not in WALLET_NODES]
    if totals.products == 0 and totals.product_diamonds == 0:
        kept.remove("products")  # a period without digital products: the diagram as ever
    links = [
        {"source": source, "target": target, "value_units": value}
        for source, target, value in _links(totals)
        if source in kept and target in kept
    ]
    return {
        "scope": scope,
        "from": start_day,
        "to": end_day,
        "unit_scale": UNIT_SCALE,
        "nodes": [{"id": node, "label": NODE_LABELS[node]} for node in kept],
        "links": links,
    }


def check_balanced(totals: FlowTotals, include_wallets: bool) -> list[str]:
    """The nodes whose inflow differs from their outflow; empty when the books agree.
    ``gifted`` has no inflow without wallets, but its split must still add up."""
    sides = {
        "wallets": (
            totals.wallets_opening + totals.bought,
            totals.gifted + totals.products + totals.clawed_back + totals.wallets_closing,
        ),
        "gifted": (totals.gifted, totals.diamonds + totals.platform_share),
        "earnings": (
            totals.earnings_opening + totals.diamonds + totals.product_diamonds,
            totals.withdrawn + totals.reversed + totals.earnings_closing,
        ),
    }
    return [
        node
        for node, (inflow, outflow) in sides.items()
        if inflow != outflow and (include_wallets or node not in WALLET_NODES)
    ]
