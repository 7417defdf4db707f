"""A donation as gifts (pure): dollars to coins, coins to catalog gifts.

A donation of ``amount_usd_cents`` is worth ``amount_usd_cents x coins_per_usd / 100``
coins, rounded down (at the default 100 coins per US dollar, one coin per cent, so
nothing is rounded). Those coins are sent as catalog gifts chosen greedily by coin
value, largest first, each as many times as it fits; the 1-coin Rose closes any
remainder, so the gifts always add up to the coins exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.economy.catalog.model import Gift
from giftflow.ids import GiftId

COINS_PER_USD_DEFAULT: Final = 100
"""Coins a donated US dollar buys in the demo (documented; a pack's own price differs)."""
ROSE: Final = GiftId(5655)
"""The 1-coin gift that closes every decomposition."""


@dataclass(frozen=True, slots=True)
class GiftLine:
    """``count`` times the same gift, within one donation."""

    gift: Gift
    count: int

    @property
    def coins(self) -> int:
        return self.gift.coins * self.count

    @property
    def is_streak(self) -> bool:
        """Identical streakable gifts in a row are sent as one streak."""
        return self.gift.streakable and self.count > 1


def coins_for_donation(amount_usd_cents: int, coins_per_usd: int = COINS_PER_USD_DEFAULT) -> int:
    """Rounding rule: down (a fraction of a coin is not sent)."""
    if amount_usd_cents < 0 or coins_per_usd <= 0:
        raise ValueError(f"cannot convert {amount_usd_cents} cents at {coins_per_usd} coins/USD")
    return amount_usd_cents * coins_per_usd // 100


def _preference(gift: Gift) -> tuple[bool, bool, bool]:
    """Among gifts of one coin value: the Rose, then those on the panel, then those
    that can streak; ties keep catalog order."""
    return (gift.id != ROSE, not gift.on_panel, not gift.streakable)


def gift_palette(gifts: Iterable[Gift]) -> tuple[Gift, ...]:
    """One gift per coin value, largest value first, ending with the 1-coin Rose."""
    chosen: dict[int, Gift] = {}
    for gift in gifts:
        current = chosen.get(gift.coins)
        if current is None or _preference(gift) < _preference(current):
            chosen[gift.coins] = gift
    if chosen.get(1) is None or chosen[1].id != ROSE:
        raise ValueError("the gifts must include the 1-coin Rose (gift 5655)")
    return tuple(chosen[coins] for coins in sorted(chosen, reverse=True))


def decompose(coins: int, palette: Sequence[Gift]) -> list[GiftLine]:
    """Greedy, largest first: the lines add up to ``coins`` exactly."""
    if coins < 0:
        raise ValueError(f"cannot send {coins} coins")
    lines: list[GiftLine] = []
    remaining = coins
    for gift in palette:
        count, remaining = divmod(remaining, gift.coins)
        if count:
            lines.append(GiftLine(gift, count))
    if remaining:
        raise ValueError(f"the palette leaves {remaining} of {coins} coins (no 1-coin gift)")
    return lines
