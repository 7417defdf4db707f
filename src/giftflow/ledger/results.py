"""Result codes: one per submitted transfer or account, naming exactly what happened."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class TransferResultCode(StrEnum):
    OK = "ok"
    EXISTS = "exists"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    LINKED_EVENT_FAILED = "linked_event_failed"
    LINKED_EVENT_CHAIN_OPEN = "linked_event_chain_open"
    ID_INVALID = "id_invalid"
    FLAGS_INVALID = "flags_invalid"
    TIMESTAMP_MUST_BE_ZERO = "timestamp_must_be_zero"
    AMOUNT_INVALID = "amount_invalid"
    UNIT_INVALID = "unit_invalid"
    CODE_INVALID = "code_invalid"
    USER_DATA_INVALID = "user_data_invalid"
    TIMEOUT_INVALID = "timeout_invalid"
    ACCOUNTS_MUST_BE_DIFFERENT = "accounts_must_be_different"
    ACCOUNT_NOT_FOUND = "account_not_found"
    UNIT_MISMATCH = "unit_mismatch"
    ACCOUNT_FROZEN = "account_frozen"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    EXCEEDS_DEBITS = "exceeds_debits"
    OVERFLOW = "overflow"
    PENDING_ID_INVALID = "pending_id_invalid"
    PENDING_NOT_FOUND = "pending_not_found"
    PENDING_ALREADY_CLOSED = "pending_already_closed"
    PENDING_MISMATCH = "pending_mismatch"
    EXCEEDS_PENDING_AMOUNT = "exceeds_pending_amount"


class AccountResultCode(StrEnum):
    OK = "ok"
    EXISTS = "exists"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    ID_INVALID = "id_invalid"
    UNIT_INVALID = "unit_invalid"
    CODE_INVALID = "code_invalid"
    FLAGS_INVALID = "flags_invalid"
    BALANCES_MUST_BE_ZERO = "balances_must_be_zero"
    TIMESTAMP_MUST_BE_ZERO = "timestamp_must_be_zero"
    OWNER_INVALID = "owner_invalid"
    ACCOUNT_NOT_FOUND = "account_not_found"


class TransferResult(NamedTuple):
    """The outcome of one submitted transfer. ``detail`` names the field that differed,
    the account side that failed (``debit_account_id`` / ``credit_account_id``) or how a
    pending transfer was closed, where that helps; ``timestamp`` is the stored transfer's
    timestamp for ``ok`` and ``exists``, else 0. (A ``NamedTuple``: one is built per
    transfer on the hot path.)"""

    code: TransferResultCode
    detail: str | None = None
    timestamp: int = 0

    @property
    def ok(self) -> bool:
        """True when the transfer is in the ledger (applied now, or already before)."""
        return self.code in (TransferResultCode.OK, TransferResultCode.EXISTS)


@dataclass(frozen=True, slots=True)
class AccountResult:
    code: AccountResultCode
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.code in (AccountResultCode.OK, AccountResultCode.EXISTS)
