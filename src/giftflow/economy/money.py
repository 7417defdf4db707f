"""Money of the economy: coins, diamonds and fiat, integers all, each rounding named.

Diamonds are counted in *diamond units*, ten-thousandths of a diamond, so that a gift
converts to diamonds exactly: a gift of ``c`` coins at a revenue share of ``s`` basis
points earns ``c * s`` units, with nothing rounded. A creator's whole diamonds are
``floor(units / 10_000)``; the fraction below one diamond stays booked in their
account (the carry), and over any sequence of gifts their diamonds earned equal
``floor(total coins x share / 10_000)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, NewType

Coins = NewType("Coins", int)
DiamondUnits = NewType("DiamondUnits", int)
Diamonds = NewType("Diamonds", int)
BasisPoints = NewType("BasisPoints", int)

BPS_SCALE: Final = 10_000
"""Basis points in a whole: 10,000 bps = 100 %."""
UNITS_PER_DIAMOND: Final = 10_000
"""Diamond units (what the ledger counts) in one diamond."""


def diamond_units(coins: int, share_bps: int) -> DiamondUnits:
    """Exact conversion: one coin at ``share_bps`` earns ``share_bps`` diamond units."""
    if coins < 0 or not 0 <= share_bps <= BPS_SCALE:
        raise ValueError(f"cannot convert {coins} coins at {share_bps} bps")
    return DiamondUnits(coins * share_bps)


def whole_diamonds(units: int) -> Diamonds:
    """Rounding rule: floor. The rest (< 1 diamond) stays in the account it is in."""
    return Diamonds(units // UNITS_PER_DIAMOND)


def units_of(diamonds: int) -> DiamondUnits:
    return DiamondUnits(diamonds * UNITS_PER_DIAMOND)


@dataclass(frozen=True, slots=True)
class Fiat:
    """An amount of a currency in its minor unit (cents for USD, yen for JPY)."""

    amount_minor: int
    currency: str

    def __str__(self) -> str:
        from giftflow.ledger.units import describe, fiat  # noqa: PLC0415 (tiny, pure)

        scale = describe(fiat(self.currency)).scale
        if scale == 0:
            return f"{self.currency} {self.amount_minor}"
        sign = "-" if self.amount_minor < 0 else ""
        whole, minor = divmod(abs(self.amount_minor), 10**scale)
        return f"{self.currency} {sign}{whole}.{minor:0{scale}d}"


def share_of(amount_minor: int, rate_bps: int) -> int:
    """``amount x rate / 10,000`` rounded down (the caller books what is left over)."""
    return amount_minor * rate_bps // BPS_SCALE
