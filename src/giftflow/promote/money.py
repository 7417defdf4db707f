"""Promotion money in milli-coins: a price per 1,000 impressions in coins is, per
impression, exactly that many thousandths of a coin, so billing is exact integer
arithmetic and the ledger is posted whole coins only.

The one rounding rule: a promotion is charged ``charged_coins(billed)``, the whole coins
of what its billed impressions cost; the fraction below one coin is never charged, and
returns to the creator with the rest of the reservation when the promotion closes.
"""

from __future__ import annotations

from typing import Final

MILLI_PER_COIN: Final = 1_000


def impression_price_millicoins(price_per_1000_coins: int) -> int:
    """What one billed impression costs, in milli-coins."""
    if price_per_1000_coins < 1:
        raise ValueError("a price per 1,000 impressions is at least 1 coin")
    return price_per_1000_coins


def budget_millicoins(budget_coins: int) -> int:
    return budget_coins * MILLI_PER_COIN


def charged_coins(billed_millicoins: int) -> int:
    """The whole coins of ``billed_millicoins`` (floor: a fraction is never charged)."""
    return billed_millicoins // MILLI_PER_COIN
