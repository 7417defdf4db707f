"""Units of value: coins, diamonds and fiat currencies, never mixed.

The ledger core only sees a unit *code* (a short string). Coins and diamonds have scale
0; a fiat unit is its ISO 4217 code and counts minor units (cents for USD, yen for JPY).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, NewType

UnitCode = NewType("UnitCode", str)

COIN: Final = UnitCode("COIN")
DIAMOND: Final = UnitCode("DIAMOND")

_ISO_4217 = re.compile(r"^[A-Z]{3}$")

# ISO 4217 minor-unit exponents that differ from the usual 2.
_FIAT_SCALE_EXCEPTIONS: Final[dict[str, int]] = {
    **dict.fromkeys(
        (
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}


class UnitKind(StrEnum):
    COIN = "coin"
    DIAMOND = "diamond"
    FIAT = "fiat"


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit's description: its code, kind and decimal scale (minor-unit exponent)."""

    code: UnitCode
    kind: UnitKind
    scale: int


def fiat(currency: str) -> UnitCode:
    """The unit code of an ISO 4217 currency (``fiat("USD") == "USD"``)."""
    if not _ISO_4217.match(currency):
        raise ValueError(f"not an ISO 4217 currency code: {currency!r}")
    return UnitCode(currency)


def is_valid_unit(code: str) -> bool:
    return code in (COIN, DIAMOND) or bool(_ISO_4217.match(code))


def describe(code: UnitCode) -> Unit:
    """The full description of a unit code; raises ``ValueError`` for an unknown one."""
    if code == COIN:
        return Unit(code, UnitKind.COIN, 0)
    if code == DIAMOND:
        return Unit(code, UnitKind.DIAMOND, 0)
    fiat(code)
    return Unit(code, UnitKind.FIAT, _FIAT_SCALE_EXCEPTIONS.get(code, 2))
