"""The ``manual`` payout partner: a CSV file out, a CSV file of results back in.

An operator (or a bank's bulk-payment portal) pays the lines of the exported file and
returns a results file with one row per payout: ``payout_id,status,reference,reason``
where ``status`` is ``paid`` or ``failed``. Amounts are written both in minor units
(exact, what is checked) and as decimal text (what a person reads). Every cell is
written safe to open in a spreadsheet (``giftflow.spreadsheet``): a creator's name or
external id that starts like a formula gets a leading ``'``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from giftflow import spreadsheet, text
from giftflow.economy.money import Fiat
from giftflow.errors import GiftflowError
from giftflow.partners.base import PayoutLine, PayoutResult
from giftflow.text import TextError

BATCH_COLUMNS = (
    "payout_id",
    "creator_external_id",
    "creator_name",
    "region",
    "currency",
    "net_amount",
    "net_minor",
    "fee_minor",
    "gross_minor",
    "diamonds",
    "payee_kind",
    "payee_destination",
    "payee_holder_name",
)
RESULT_COLUMNS = ("payout_id", "status", "reference", "reason")
REQUIRED_COLUMNS = ("payout_id", "status")
DELIMITERS = (",", ";", "\t")
"""What a results file may separate its cells with: spreadsheets set to a language
with a decimal comma save CSV with ';'."""
RESULT_TEXT_MAX = {"payout_id": 40, "reference": 255, "reason": 255}
"""The widest each text may be (the columns of ``payouts`` it is stored in)."""


class PartnerFileError(GiftflowError):
    code = "partner_file_invalid"


class ManualPartner:
    name = "manual"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def export_batch(self, batch_id: str, lines: list[PayoutLine]) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{batch_id}.csv"
        if path.exists():
            raise PartnerFileError(f"a batch file {path} exists already")
        with path.open("x", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(BATCH_COLUMNS)
            for line in lines:
                amount = str(Fiat(line.net_minor, line.currency)).split(" ", 1)[1]
                writer.writerow(
                    spreadsheet.row(
                        line.payout_id,
                        line.creator_external_id,
                        line.creator_name,
                        line.region,
                        line.currency,
                        amount,
                        line.net_minor,
                        line.fee_minor,
                        line.gross_minor,
                        line.diamonds,
                        line.payee_kind or "",
                        line.payee_destination or "",
                        line.payee_holder_name or "",
                    )
                )
        return path

    def read_results(self, source: Path) -> list[PayoutResult]:
        try:
            # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte order mark.
            with source.open(newline="", encoding="utf-8-sig") as file:
                content = file.read()
            delimiter = _delimiter(content.partition("\n")[0])
            reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
            header = [name.strip().lower() for name in next(reader)]
            rows = [(reader.line_num, cells) for cells in reader if any(cells)]
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise PartnerFileError(f"cannot read {source.name}: {error}") from error
        return [_result(dict(zip(header, cells, strict=False)), line) for line, cells in rows]


def _delimiter(header: str) -> str:
    """The separator that makes the header name the required columns, or a refusal
    that says what the header holds and what it should."""
    for delimiter in DELIMITERS:
        names = [name.strip().lower() for name in header.strip().split(delimiter)]
        if all(column in names for column in REQUIRED_COLUMNS):
            return delimiter
    if not header.strip():
        raise PartnerFileError(
            f"line 1: the file is empty; it needs a header: {','.join(RESULT_COLUMNS)}"
        )
    raise PartnerFileError(
        f"line 1: the header {header.strip()[:120]!r} does not name the columns"
        f" {', '.join(REQUIRED_COLUMNS)}; expected {','.join(RESULT_COLUMNS)}, separated"
        " by ',' (or ';', or a tab)"
    )


def _result(row: dict[str, str], line: int) -> PayoutResult:
    missing = [column for column in ("payout_id", "status") if not row.get(column)]
    if missing:
        raise PartnerFileError(f"line {line}: missing {', '.join(missing)}")
    status = row["status"].strip().lower()
    if status not in ("paid", "failed"):
        raise PartnerFileError(f"line {line}: status must be paid or failed, not {status!r}")
    return PayoutResult(
        payout_id=_text(row, "payout_id", line) or "",
        paid=status == "paid",
        reference=_text(row, "reference", line),
        failure_reason=_text(row, "reason", line),
    )


def _text(row: dict[str, str], column: str, line: int) -> str | None:
    """Within the Unicode policy (``giftflow.text``: a failure reason is shown to the
    creator) and short enough for the column it is stored in (``None`` if empty)."""
    try:
        value = text.human((row.get(column) or "").strip())
    except TextError as error:
        raise PartnerFileError(f"line {line}: {column}: {error}") from None
    longest = RESULT_TEXT_MAX[column]
    if len(value) > longest:
        raise PartnerFileError(f"line {line}: {column} must be at most {longest} characters")
    return value or None
