"""Users of the economy: viewers who buy and send, creators who earn and cash out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from giftflow.economy.chart import AccountKind, user_account
from giftflow.economy.errors import AgeRestrictedError
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.ledger.limits import AccountId


@dataclass(frozen=True, slots=True)
class User:
    id: UserId
    external_id: str
    display_name: str
    birth_date: date
    region: str
    is_creator: bool
    identity_verified: bool
    created_at: UnixNs

    @property
    def wallet(self) -> AccountId:
        return user_account(self.id, AccountKind.WALLET)

    @property
    def earnings_pending(self) -> AccountId:
        return user_account(self.id, AccountKind.EARNINGS_PENDING)

    @property
    def earnings_available(self) -> AccountId:
        return user_account(self.id, AccountKind.EARNINGS_AVAILABLE)


def age_on(birth_date: date, today: date) -> int:
    """Completed years (a birthday on 29 February counts on 1 March in other years)."""
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def require_adult(user: User, today: date, *, minimum_age: int, role: str) -> None:
    if age_on(user.birth_date, today) < minimum_age:
        raise AgeRestrictedError(f"the {role} must be at least {minimum_age} years old")
