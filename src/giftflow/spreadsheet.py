"""Cells of the CSV files giftflow writes for people, who open them in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK("https://…","Payout")``: a creator's chosen name would run on the
operator's machine), and tab or carriage return start one after a field separator.
Such a cell gets a leading ``'``, the OWASP rule ("CSV Injection"), which every
spreadsheet shows as text and hides; everything else is written as it is. The ``csv``
module quotes separators and quotes inside cells.
"""

from __future__ import annotations

from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """``value`` as text that a spreadsheet shows and never evaluates."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def row(*values: object) -> list[str]:
    return [cell(value) for value in values]
