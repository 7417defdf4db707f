"""Numeric limits shared by the ledger and both stores.

Every amount, counter and id fits a signed 64-bit integer, because that is the widest
integer that both SQLite and PostgreSQL store natively (``INTEGER`` / ``BIGINT``).
"""

from __future__ import annotations

from typing import Final, NewType

INT64_MAX: Final = 2**63 - 1
"""Largest amount, balance counter, id or user-data value the ledger accepts."""

CODE_MAX: Final = 2**16 - 1
"""Largest transfer or account ``code`` (a small enum owned by the domain)."""

AccountId = NewType("AccountId", int)
TransferId = NewType("TransferId", int)


def is_valid_id(value: int) -> bool:
    """Ids are chosen by the client: 1 .. 2**63-1 (0 means "none" in optional fields)."""
    return 0 < value <= INT64_MAX


def is_valid_amount(value: int) -> bool:
    return 0 < value <= INT64_MAX
