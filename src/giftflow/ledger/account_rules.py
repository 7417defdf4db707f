"""Creating accounts and changing their flags: validation with one result per account."""

from __future__ import annotations

from dataclasses import replace

from giftflow.ledger.accounts import USER_FLAGS, Account, AccountBalance, AccountFlags
from giftflow.ledger.limits import CODE_MAX, INT64_MAX, AccountId
from giftflow.ledger.results import AccountResult
from giftflow.ledger.results import AccountResultCode as Code
from giftflow.ledger.units import is_valid_unit

_BOTH_LIMITS = (
    AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
)
_COMPARED = ("unit", "code", "owner_id", "flags")


def _invalid(account: Account) -> AccountResult | None:
    if account.timestamp != 0:
        return AccountResult(Code.TIMESTAMP_MUST_BE_ZERO)
    if not 0 < account.id <= INT64_MAX:
        return AccountResult(Code.ID_INVALID)
    if not is_valid_unit(account.unit):
        return AccountResult(Code.UNIT_INVALID)
    if not 0 < account.code <= CODE_MAX:
        return AccountResult(Code.CODE_INVALID)
    if not 0 <= account.owner_id <= INT64_MAX:
        return AccountResult(Code.OWNER_INVALID)
    flags = account.flags
    if flags & ~(USER_FLAGS | AccountFlags.FROZEN) or flags & _BOTH_LIMITS == _BOTH_LIMITS:
        return AccountResult(Code.FLAGS_INVALID)
    if any(AccountBalance.of(account).counters()):
        return AccountResult(Code.BALANCES_MUST_BE_ZERO)
    return None


def _compare(account: Account, existing: Account) -> AccountResult:
    """FROZEN is state, not identity: re-creating a frozen account is still ``exists``."""
    for name in _COMPARED:
        given, stored = getattr(account, name), getattr(existing, name)
        if name == "flags":
            given, stored = given & ~AccountFlags.FROZEN, stored & ~AccountFlags.FROZEN
        if given != stored:
            return AccountResult(Code.EXISTS_WITH_DIFFERENT_FIELDS, name)
    return AccountResult(Code.EXISTS)


def apply_accounts(
    existing: dict[AccountId, Account], requests: list[Account], *, timestamp: int
) -> tuple[list[AccountResult], list[Account], int]:
    """Validate ``requests`` against ``existing`` (which it extends with the new ones).

    Returns one result per request, the accounts to store (with their creation
    timestamps, each greater than ``timestamp``) and the last timestamp used.
    """
    results: list[AccountResult] = []
    created: list[Account] = []
    for account in requests:
        failure = _invalid(account)
        if failure is not None:
            results.append(failure)
            continue
        stored = existing.get(account.id)
        if stored is not None:
            results.append(_compare(account, stored))
            continue
        timestamp += 1
        stored = replace(account, timestamp=timestamp)
        existing[account.id] = stored
        created.append(stored)
        results.append(AccountResult(Code.OK))
    return results, created, timestamp


def set_frozen(balance: AccountBalance | None, *, frozen: bool) -> AccountResult:
    """Freeze or unfreeze an account; balances are untouched."""
    if balance is None:
        return AccountResult(Code.ACCOUNT_NOT_FOUND)
    if frozen:
        balance.flags |= AccountFlags.FROZEN
    else:
        balance.flags &= ~AccountFlags.FROZEN
    return AccountResult(Code.OK)
