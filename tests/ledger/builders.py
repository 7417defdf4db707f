"""Ledger values the ledger, store and engine tests build alike: accounts, transfers,
the post or void that closes a pending transfer, the flags by name and the result codes
of a batch. One module, so that a change to ``Account`` or ``Transfer`` is made once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from giftflow.ledger import (
    COIN,
    Account,
    AccountFlags,
    AccountId,
    Transfer,
    TransferFlags,
    TransferId,
    TransferResult,
    TransferResultCode,
    UnitCode,
)

Code = TransferResultCode
WALLET = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
"""A user's wallet: never spends more than it holds."""
LIMITED = AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
"""Holds no more than was put in (an escrow)."""
PENDING = TransferFlags.PENDING
POST = TransferFlags.POST_PENDING
VOID = TransferFlags.VOID_PENDING
LINKED = TransferFlags.LINKED


def account(
    account_id: int, unit: UnitCode = COIN, flags: int = AccountFlags.NONE, **kw: Any
) -> Account:
    """An account of ``unit`` (code 1 unless ``code=`` says otherwise)."""
    return Account(id=AccountId(account_id), unit=unit, code=kw.pop("code", 1), flags=flags, **kw)


def move(
    transfer_id: int,
    debit: int,
    credit: int,
    amount: int,
    *,
    unit: UnitCode = COIN,
    flags: int = TransferFlags.NONE,
    **kw: Any,
) -> Transfer:
    """``amount`` of ``unit`` from ``debit`` to ``credit`` (code 1 unless ``code=``)."""
    return Transfer(
        id=TransferId(transfer_id),
        debit_account_id=AccountId(debit),
        credit_account_id=AccountId(credit),
        amount=amount,
        unit=unit,
        code=kw.pop("code", 1),
        flags=flags,
        **kw,
    )


def closing(
    transfer_id: int, pending_id: int, flags: int = POST, amount: int = 0, **kw: Any
) -> Transfer:
    """A post or void that leaves the copied fields (accounts, unit, code) empty, as
    clients usually send it, unless given."""
    return Transfer(
        id=TransferId(transfer_id),
        debit_account_id=AccountId(kw.pop("debit_account_id", 0)),
        credit_account_id=AccountId(kw.pop("credit_account_id", 0)),
        amount=amount,
        unit=UnitCode(kw.pop("unit", "")),
        code=kw.pop("code", 0),
        flags=flags,
        pending_id=TransferId(pending_id),
        **kw,
    )


def codes(results: Sequence[TransferResult]) -> list[Code]:
    """The result code of each request, in order."""
    return [result.code for result in results]
