"""The rules one transfer must pass on its own, before any account is looked at:
header and field ranges, a closing transfer's amount, and how a replay of a stored id
is compared. Pure, like the state machine that applies them
(``giftflow.ledger.state_machine``); a broken rule raises ``ChainFailedError`` with
the result code, which fails the transfer's linked chain."""

from __future__ import annotations

from typing import Final

from giftflow.ledger.limits import CODE_MAX, INT64_MAX
from giftflow.ledger.results import TransferResult
from giftflow.ledger.results import TransferResultCode as Code
from giftflow.ledger.transfers import CLOSING_FLAGS, COMPARED_FIELDS, Transfer, TransferFlags
from giftflow.ledger.units import is_valid_unit

TIMEOUT_S_MAX: Final = 10 * 365 * 24 * 3600
"""The longest a pending transfer may stay open (ten years)."""
_PENDING = TransferFlags.PENDING
_POST = TransferFlags.POST_PENDING
_VOID = TransferFlags.VOID_PENDING
_CLOSING = CLOSING_FLAGS
_KNOWN_FLAGS = TransferFlags.LINKED | _PENDING | _POST | _VOID | TransferFlags.OVERRIDE_FROZEN
_ONE_KIND = frozenset((0, _PENDING, _POST, _VOID))
_CLOSING_OR_PENDING = _PENDING | _POST | _VOID


class ChainFailedError(Exception):
    """Raised inside one chain to abandon it; carries the failing transfer's result
    (``giftflow.ledger.state_machine`` undoes the chain and answers it)."""

    def __init__(self, code: Code, detail: str | None = None) -> None:
        self.result = TransferResult(code, detail)


def check_header(transfer: Transfer) -> None:
    """The fields a replay is not even compared without: no timestamp, an id, known
    flags of one kind (plain, pending, post or void)."""
    if transfer.timestamp != 0:
        raise ChainFailedError(Code.TIMESTAMP_MUST_BE_ZERO)
    if not 0 < transfer.id <= INT64_MAX:
        raise ChainFailedError(Code.ID_INVALID)
    flags = transfer.flags
    if flags & ~_KNOWN_FLAGS or flags & _CLOSING_OR_PENDING not in _ONE_KIND:
        raise ChainFailedError(Code.FLAGS_INVALID)


def check_fields(transfer: Transfer) -> None:
    """The fields of a new transfer within their ranges (a closing transfer may leave
    its code and unit to its pending transfer)."""
    closing = transfer.flags & _CLOSING
    if not (0 < transfer.code <= CODE_MAX or (closing and transfer.code == 0)):
        raise ChainFailedError(Code.CODE_INVALID)
    unit = transfer.unit
    if not (is_valid_unit(unit) or (closing and unit == "")):
        raise ChainFailedError(Code.UNIT_INVALID)
    if not (
        0 <= transfer.user_data_1 <= INT64_MAX
        and 0 <= transfer.user_data_2 <= INT64_MAX
        and 0 <= transfer.user_data_3 <= INT64_MAX
    ):
        raise ChainFailedError(Code.USER_DATA_INVALID)
    if not 0 <= transfer.timeout_s <= TIMEOUT_S_MAX:
        raise ChainFailedError(Code.TIMEOUT_INVALID)


def closing_amount(transfer: Transfer, pending: Transfer, *, posting: bool) -> int:
    """Posting may take part of the reserve (0 = all of it); voiding releases all."""
    if transfer.amount < 0 or transfer.amount > INT64_MAX:
        raise ChainFailedError(Code.AMOUNT_INVALID)
    if transfer.amount == 0:
        return pending.amount
    if transfer.amount > pending.amount:
        raise ChainFailedError(Code.EXCEEDS_PENDING_AMOUNT)
    if not posting and transfer.amount != pending.amount:
        raise ChainFailedError(Code.PENDING_MISMATCH, "amount")
    return transfer.amount


def compare_existing(transfer: Transfer, existing: Transfer) -> TransferResult:
    """``exists`` when a replay matches what is stored, else fail (with its linked
    chain) naming the first difference. A closing transfer's omitted fields (0 or "")
    were filled in from its pending transfer, so they are not compared."""
    closing = bool(transfer.flags & _CLOSING)
    field_name = transfer.differing_field(existing)
    if field_name is not None and closing:
        field_name = _first_given_difference(transfer, existing)
    if field_name is not None:
        raise ChainFailedError(Code.EXISTS_WITH_DIFFERENT_FIELDS, field_name)
    return TransferResult(Code.EXISTS, None, existing.timestamp)


def _first_given_difference(transfer: Transfer, existing: Transfer) -> str | None:
    for name in COMPARED_FIELDS:
        given = getattr(transfer, name)
        if given != getattr(existing, name) and (given or name == "flags"):
            return name
    return None
