"""The gift list: a CSV file of gifts, one a row, read into ``Gift`` values.

Columns, in this order: ``gift_id,name,coins,streakable,broadcast,on_panel`` (the
format of the May 2024 reference list; see data/PROVENANCE.md). Booleans are ``true``
or ``false``. Regional restrictions live in the economy file, not here, so that the
reference list stays an unchanged copy.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from functools import partial

from giftflow.economy.catalog.fields import EntryError, Problems
from giftflow.economy.catalog.model import Gift
from giftflow.economy.money import Coins
from giftflow.ids import GiftId

COLUMNS = ("gift_id", "name", "coins", "streakable", "broadcast", "on_panel")
_BOOLEANS = {"true": True, "false": False}


def read_gifts(text: str, source: str, problems: Problems) -> list[Gift]:
    """Every well-formed row as a gift; each bad row and each duplicate id recorded."""
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None or tuple(header) != COLUMNS:
        problems.add(f"{source} line 1: expected the columns {','.join(COLUMNS)}")
        return []
    gifts: list[Gift] = []
    first_line: dict[int, int] = {}
    for line, row in enumerate(rows, start=2):
        if not row:
            continue
        gift = problems.collect(partial(_gift, row, f"{source} line {line}"))
        if gift is None:
            continue
        if gift.id in first_line:
            problems.add(
                f"{source} line {line}: duplicate gift_id {gift.id}"
                f" (first on line {first_line[gift.id]})"
            )
            continue
        first_line[gift.id] = line
        gifts.append(gift)
    if not gifts and not problems.found:
        problems.add(f"{source}: no gifts")
    return gifts


def _gift(row: list[str], where: str) -> Gift:
    if len(row) != len(COLUMNS):
        raise EntryError(f"{where}: expected {len(COLUMNS)} fields, got {len(row)}")
    cells = dict(zip(COLUMNS, row, strict=True))
    name = cells["name"]  # as written: the reference has "Garland " with its space
    if not name.strip():
        raise EntryError(f"{where}: the name is empty")
    return Gift(
        id=GiftId(_positive(cells, "gift_id", where)),
        name=name,
        coins=Coins(_positive(cells, "coins", where)),
        streakable=_boolean(cells, "streakable", where),
        broadcast=_boolean(cells, "broadcast", where),
        on_panel=_boolean(cells, "on_panel", where),
    )


def _positive(cells: Mapping[str, str], column: str, where: str) -> int:
    text = cells[column].strip()
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise EntryError(f"{where}: {column} must be a positive integer, got {text!r}")
    return int(text)


def _boolean(cells: Mapping[str, str], column: str, where: str) -> bool:
    text = cells[column].strip()
    if text not in _BOOLEANS:
        raise EntryError(f"{where}: {column} must be true or false, got {text!r}")
    return _BOOLEANS[text]
