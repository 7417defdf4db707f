"""Reconciliation: recompute every balance from the transfer log and compare.

Pure: it takes what a store streams out (accounts, transfers, pending statuses) and
returns a report. A ledger is reconciled when every stored balance equals the one
recomputed from the log, every unit sums to zero, every transfer's unit matches both
accounts, and no account breaks its flags.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from giftflow.ledger.accounts import Account, AccountFlags
from giftflow.ledger.limits import AccountId, TransferId
from giftflow.ledger.transfers import PendingStatus, Transfer, TransferFlags

Counters = list[int]  # debits_pending, debits_posted, credits_pending, credits_posted
_FIELDS = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


@dataclass(frozen=True, slots=True)
class UnitTotals:
    unit: str
    accounts: int
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int

    @property
    def balanced(self) -> bool:
        return (
            self.debits_posted == self.credits_posted
            and self.debits_pending == self.credits_pending
        )


@dataclass(frozen=True, slots=True)
class Mismatch:
    account_id: AccountId
    field: str
    stored: int
    recomputed: int


@dataclass(slots=True)
class ReconcileReport:
    transfers: int = 0
    accounts: int = 0
    units: list[UnitTotals] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        units_ok = all(totals.balanced for totals in self.units)
        return units_ok and not self.mismatches and not self.problems


def _effect(transfer: Transfer, statuses: Mapping[TransferId, str]) -> tuple[int, int] | None:
    """Which counter pair a logged transfer still moves: (debit index, credit index)."""
    flags = transfer.flags
    if flags & TransferFlags.VOID_PENDING:
        return None
    if flags & TransferFlags.PENDING:
        return (0, 2) if statuses.get(transfer.id) == PendingStatus.PENDING else None
    return (1, 3)


def recompute(
    transfers: Iterable[Transfer],
    statuses: Mapping[TransferId, str],
    units: Mapping[AccountId, str],
    report: ReconcileReport,
) -> dict[AccountId, Counters]:
    """Balances from the log alone; checks units and that each pending closed once."""
    counters: dict[AccountId, Counters] = defaultdict(lambda: [0, 0, 0, 0])
    closings: dict[TransferId, int] = defaultdict(int)
    for transfer in transfers:
        report.transfers += 1
        debit_unit = units.get(transfer.debit_account_id)
        credit_unit = units.get(transfer.credit_account_id)
        if not debit_unit == credit_unit == transfer.unit:
            report.problems.append(f"transfer {transfer.id} mixes units")
        if transfer.flags & (TransferFlags.POST_PENDING | TransferFlags.VOID_PENDING):
            closings[transfer.pending_id] += 1
        effect = _effect(transfer, statuses)
        if effect is None:
            continue
        counters[transfer.debit_account_id][effect[0]] += transfer.amount
        counters[transfer.credit_account_id][effect[1]] += transfer.amount
    for pending_id, count in closings.items():
        if count > 1:
            report.problems.append(f"pending transfer {pending_id} closed {count} times")
        if statuses.get(pending_id) not in (PendingStatus.POSTED, PendingStatus.VOIDED):
            report.problems.append(f"pending transfer {pending_id} closed but not marked")
    return counters


def _check_account(account: Account, computed: Counters, report: ReconcileReport) -> None:
    for index, name in enumerate(_FIELDS):
        stored = getattr(account, name)
        if stored != computed[index]:
            report.mismatches.append(Mismatch(account.id, name, stored, computed[index]))
    if account.flags & AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS and (
        account.debits_pending + account.debits_posted > account.credits_posted
    ):
        report.problems.append(f"account {account.id} is overdrawn")
    if account.flags & AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS and (
        account.credits_pending + account.credits_posted > account.debits_posted
    ):
        report.problems.append(f"account {account.id} holds more credits than debits")


def reconcile(
    accounts: Iterable[Account], transfers: Iterable[Transfer], statuses: Mapping[TransferId, str]
) -> ReconcileReport:
    """Prove the ledger: recomputed balances equal stored ones; every unit sums to zero."""
    report = ReconcileReport()
    stored = list(accounts)
    units: dict[AccountId, str] = {account.id: account.unit for account in stored}
    computed = recompute(transfers, statuses, units, report)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for account in stored:
        report.accounts += 1
        _check_account(account, computed.get(account.id, [0, 0, 0, 0]), report)
        unit_totals = totals[account.unit]
        unit_totals[0] += 1
        for index, name in enumerate(_FIELDS):
            unit_totals[index + 1] += getattr(account, name)
    report.units = [
        UnitTotals(unit, count, debits_posted, credits_posted, debits_pending, credits_pending)
        for unit, (count, debits_pending, debits_posted, credits_pending, credits_posted) in sorted(
            totals.items()
        )
    ]
    return report
