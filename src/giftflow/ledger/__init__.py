"""The ledger: double-entry, append-only, pure (standard library only, no I/O).

See ``docs.md`` in this folder for what each module is for.
"""

from giftflow.ledger.accounts import Account, AccountBalance, AccountFlags
from giftflow.ledger.book import Book
from giftflow.ledger.clock import Clock, ManualClock, SystemClock
from giftflow.ledger.limits import INT64_MAX, AccountId, TransferId
from giftflow.ledger.reconcile import ReconcileReport, reconcile
from giftflow.ledger.results import (
    AccountResult,
    AccountResultCode,
    TransferResult,
    TransferResultCode,
)
from giftflow.ledger.state_machine import BatchOutcome, BatchView, apply_transfers
from giftflow.ledger.transfers import PendingState, PendingStatus, Transfer, TransferFlags
from giftflow.ledger.units import COIN, DIAMOND, UnitCode, fiat

__all__ = [
    "COIN",
    "DIAMOND",
    "INT64_MAX",
    "Account",
    "AccountBalance",
    "AccountFlags",
    "AccountId",
    "AccountResult",
    "AccountResultCode",
    "BatchOutcome",
    "BatchView",
    "Book",
    "Clock",
    "ManualClock",
    "PendingState",
    "PendingStatus",
    "ReconcileReport",
    "SystemClock",
    "Transfer",
    "TransferFlags",
    "TransferId",
    "TransferResult",
    "TransferResultCode",
    "UnitCode",
    "apply_transfers",
    "fiat",
    "reconcile",
]
