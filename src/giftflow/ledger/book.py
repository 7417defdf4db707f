"""An in-memory ledger over the pure state machine: the reference model.

It is what the stores must behave like, and what the property tests compare them to.
It keeps everything in dictionaries; nothing is durable.
"""

from __future__ import annotations

from dataclasses import replace

from giftflow.ledger.account_rules import apply_accounts, set_frozen
from giftflow.ledger.accounts import Account, AccountBalance
from giftflow.ledger.clock import Clock, SystemClock
from giftflow.ledger.limits import AccountId, TransferId
from giftflow.ledger.reconcile import ReconcileReport, reconcile
from giftflow.ledger.results import AccountResult, TransferResult
from giftflow.ledger.state_machine import BatchView, apply_transfers
from giftflow.ledger.transfers import PendingState, PendingStatus, Transfer


class Book:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self.accounts: dict[AccountId, Account] = {}
        self.balances: dict[AccountId, AccountBalance] = {}
        self.transfers: dict[TransferId, Transfer] = {}
        self.log: list[Transfer] = []
        self.pendings: dict[TransferId, PendingState] = {}
        self.last_timestamp = 0

    def create_accounts(self, accounts: list[Account]) -> list[AccountResult]:
        results, created, self.last_timestamp = apply_accounts(
            self.accounts, accounts, timestamp=max(self.clock.now_ns(), self.last_timestamp)
        )
        for account in created:
            self.balances[account.id] = AccountBalance.of(account)
        return results

    def create_transfers(self, transfers: list[Transfer]) -> list[TransferResult]:
        now = self.clock.now_ns()
        expiring = [
            state
            for state in self.pendings.values()
            if state.status == PendingStatus.PENDING and 0 < state.expires_at <= now
        ]
        view = BatchView(self.balances, self.transfers, self.pendings, expiring)
        outcome = apply_transfers(view, transfers, now=now, last_timestamp=self.last_timestamp)
        self.log.extend(outcome.transfers)
        self.last_timestamp = outcome.last_timestamp
        return outcome.results

    def set_frozen(self, account_id: AccountId, *, frozen: bool) -> AccountResult:
        result = set_frozen(self.balances.get(account_id), frozen=frozen)
        if result.ok:
            flags = self.balances[account_id].flags
            self.accounts[account_id] = replace(self.accounts[account_id], flags=flags)
        return result

    def account(self, account_id: AccountId) -> Account | None:
        account = self.accounts.get(account_id)
        if account is None:
            return None
        balance = self.balances[account_id]
        return replace(
            account,
            flags=balance.flags,
            debits_pending=balance.debits_pending,
            debits_posted=balance.debits_posted,
            credits_pending=balance.credits_pending,
            credits_posted=balance.credits_posted,
        )

    def reconcile(self) -> ReconcileReport:
        accounts = [self.account(account_id) for account_id in self.accounts]
        statuses = {pending_id: state.status for pending_id, state in self.pendings.items()}
        return reconcile([a for a in accounts if a is not None], self.log, statuses)
