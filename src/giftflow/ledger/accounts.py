"""Accounts: a unit, an owner, a kind, flags and four running balance counters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.ledger.limits import AccountId
from giftflow.ledger.units import UnitCode


class AccountFlags:
    """Account flags, combined with ``|``; plain ints like ``TransferFlags``."""

    NONE: Final = 0
    DEBITS_MUST_NOT_EXCEED_CREDITS: Final = 1
    """A wallet: it can never be overdrawn (debits posted + pending <= credits posted)."""
    CREDITS_MUST_NOT_EXCEED_DEBITS: Final = 2
    """A liability-style account that must never hold more than was put in."""
    FROZEN: Final = 4
    """No transfer may debit or credit it until it is unfrozen (fraud, chargebacks)."""


USER_FLAGS: Final = (
    AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
)


@dataclass(frozen=True, slots=True)
class Account:
    """One account. ``code`` is the account kind (an enum of the domain); balances are
    the four counters, all non-negative integers in the account's unit."""

    id: AccountId
    unit: UnitCode
    code: int
    owner_id: int = 0
    flags: int = 0
    """A combination of ``AccountFlags``."""
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    timestamp: int = 0

    @property
    def balance_posted(self) -> int:
        """Credits minus debits that have been posted (for a wallet: what it holds)."""
        return self.credits_posted - self.debits_posted

    @property
    def balance_pending(self) -> int:
        """Credits minus debits that are reserved but not yet posted or voided."""
        return self.credits_pending - self.debits_pending

    @property
    def balance_available(self) -> int:
        """What a wallet may still spend: posted credits minus every debit, pending too."""
        return self.credits_posted - self.debits_posted - self.debits_pending

    @property
    def frozen(self) -> bool:
        return bool(self.flags & AccountFlags.FROZEN)


@dataclass(slots=True)
class AccountBalance:
    """The mutable working copy of an account that the state machine updates."""

    id: AccountId
    unit: str
    flags: int
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int

    @classmethod
    def of(cls, account: Account) -> AccountBalance:
        return cls(
            account.id,
            account.unit,
            account.flags,
            account.debits_pending,
            account.debits_posted,
            account.credits_pending,
            account.credits_posted,
        )

    def counters(self) -> tuple[int, int, int, int]:
        return (self.debits_pending, self.debits_posted, self.credits_pending, self.credits_posted)
