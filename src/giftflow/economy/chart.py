"""The chart of accounts and the transfer codes of the economy.

Every account id is derived from who owns it and what it is for, so the same account
is found again without a lookup table:

- a user's account: ``user_id << 8 | kind`` (user ids are 1 .. 2**32-1);
- a platform account in coins or diamonds: ``kind`` itself (1 .. 99);
- a platform account in a fiat currency: ``FIAT_BASE + (kind << 16) + currency number``.

See docs/chart-of-accounts.md for what each account holds and how each flow is booked.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final

from giftflow.ids import UserId
from giftflow.ledger.accounts import AccountFlags
from giftflow.ledger.limits import AccountId
from giftflow.ledger.units import COIN, DIAMOND, UnitCode, fiat

USER_ID_MAX: Final = 2**32 - 1
FIAT_BASE: Final = 2**41


class AccountKind(IntEnum):
    """What an account is for; stored as the ledger account's ``code``."""

    # platform, coins
    COIN_ISSUANCE = 1
    GIFT_REVENUE = 2
    CHARGEBACK_LOSS = 3
    PROMOTION_REVENUE = 4
    PRODUCT_REVENUE = 5
    # platform, diamonds
    DIAMOND_ISSUANCE = 10
    DIAMONDS_WITHDRAWN = 11
    # platform, fiat (one of each per currency)
    PROVIDER_CLEARING = 20
    COIN_SALES = 21
    PAYOUTS_GROSS = 22
    PAYOUTS_CASH_OUT = 23
    PAYOUT_FEES = 24
    # a user's own
    WALLET = 100
    EARNINGS_PENDING = 110
    EARNINGS_AVAILABLE = 111


USER_KINDS: Final = frozenset(
    {AccountKind.WALLET, AccountKind.EARNINGS_PENDING, AccountKind.EARNINGS_AVAILABLE}
)
FIAT_KINDS: Final = frozenset(
    {
        AccountKind.PROVIDER_CLEARING,
        AccountKind.COIN_SALES,
        AccountKind.PAYOUTS_GROSS,
        AccountKind.PAYOUTS_CASH_OUT,
        AccountKind.PAYOUT_FEES,
    }
)

_UNITS: Final[dict[AccountKind, UnitCode]] = {
    AccountKind.COIN_ISSUANCE: COIN,
    AccountKind.GIFT_REVENUE: COIN,
    AccountKind.CHARGEBACK_LOSS: COIN,
    AccountKind.PROMOTION_REVENUE: COIN,
    AccountKind.PRODUCT_REVENUE: COIN,
    AccountKind.DIAMOND_ISSUANCE: DIAMOND,
    AccountKind.DIAMONDS_WITHDRAWN: DIAMOND,
    AccountKind.WALLET: COIN,
    AccountKind.EARNINGS_PENDING: DIAMOND,
    AccountKind.EARNINGS_AVAILABLE: DIAMOND,
}

USER_ACCOUNT_FLAGS: Final = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
"""Users' accounts never go below zero: not a wallet, not earnings."""


class TransferCode(IntEnum):
    """Why a transfer happened; stored as the ledger transfer's ``code``."""

    PURCHASE = 1
    PURCHASE_FIAT = 2
    ADMIN_GRANT = 3
    GIFT_COINS = 10
    GIFT_DIAMONDS = 11
    MATURATION = 20
    PAYOUT_RESERVE = 30
    PAYOUT_PAID = 31
    PAYOUT_RETURNED = 32
    PAYOUT_CASH = 33
    PAYOUT_FEE = 34
    REFUND_COINS = 40
    REFUND_FIAT = 41
    CHARGEBACK_COINS = 42
    CHARGEBACK_FIAT = 43
    REVERSAL_DIAMONDS = 44
    REVERSAL_COINS = 45
    CHARGEBACK_LOSS = 46
    PROMOTION_RESERVE = 50
    PROMOTION_SPEND = 51
    PROMOTION_RELEASE = 52
    PRODUCT_COINS = 60
    PRODUCT_DIAMONDS = 61
    PRODUCT_REFUND_COINS = 62
    PRODUCT_REFUND_DIAMONDS = 63


def user_account(user_id: UserId, kind: AccountKind) -> AccountId:
    if kind not in USER_KINDS or not 0 < user_id <= USER_ID_MAX:
        raise ValueError(f"no {kind.name} account for user {user_id}")
    return AccountId(user_id << 8 | kind)


def platform_account(kind: AccountKind, currency: str | None = None) -> AccountId:
    if kind in USER_KINDS:
        raise ValueError(f"{kind.name} belongs to a user")
    if kind in FIAT_KINDS:
        if currency is None:
            raise ValueError(f"{kind.name} needs a currency")
        return AccountId(FIAT_BASE + (kind << 16) + currency_number(currency))
    return AccountId(int(kind))


def unit_of(kind: AccountKind, currency: str | None = None) -> UnitCode:
    if kind in FIAT_KINDS:
        if currency is None:
            raise ValueError(f"{kind.name} needs a currency")
        return fiat(currency)
    return _UNITS[kind]


def currency_number(currency: str) -> int:
    """A currency code as a number below 26**3 (for account ids only)."""
    fiat(currency)
    number = 0
    for letter in currency:
        number = number * 26 + ord(letter) - ord("A")
    return number
