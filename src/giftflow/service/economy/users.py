"""Users: registration (with their ledger accounts), look-ups, creator and identity
status, and the platform's own accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from giftflow.economy.chart import (
    FIAT_KINDS,
    USER_ACCOUNT_FLAGS,
    USER_KINDS,
    AccountKind,
    platform_account,
    unit_of,
    user_account,
)
from giftflow.economy.errors import UserExistsError, UserNotFoundError
from giftflow.economy.users import User
from giftflow.ids import UserId
from giftflow.ledger.accounts import Account
from giftflow.service.economy.context import EconomyContext
from giftflow.store import users as stored_users
from giftflow.store.tx import Tx


def ensure_platform_accounts(context: EconomyContext) -> None:
    """Create the platform's accounts: coins, diamonds, and fiat for every currency."""
    currencies = sorted({region.currency for region in context.catalog.regions})
    accounts = [
        Account(platform_account(kind), unit_of(kind), kind)
        for kind in AccountKind
        if kind not in USER_KINDS and kind not in FIAT_KINDS
    ]
    accounts += [
        Account(platform_account(kind, currency), unit_of(kind, currency), kind)
        for kind in FIAT_KINDS
        for currency in currencies
    ]
    _create_accounts(context, accounts)


def _create_accounts(context: EconomyContext, accounts: list[Account]) -> None:
    results = context.ledger.create_accounts(accounts)
    failed = [(a.id, r) for a, r in zip(accounts, results, strict=True) if not r.ok]
    if failed:
        raise RuntimeError(f"platform or user accounts could not be created: {failed}")


@dataclass(frozen=True, slots=True)
class Registration:
    external_id: str
    display_name: str
    birth_date: date
    region: str
    is_creator: bool = False
    identity_verified: bool = False


def register(context: EconomyContext, registration: Registration) -> User:
    """Register a user (idempotent on ``external_id`` when the details agree) and open
    their wallet and earnings accounts."""
    return register_many(context, [registration])[0]


def register_many(context: EconomyContext, registrations: Sequence[Registration]) -> list[User]:
    """Register users together (an import, a replay): their rows in one transaction,
    their accounts in one ledger batch. All or nothing: one refusal registers none."""
    for registration in registrations:
        context.catalog.region(registration.region)
    now = context.now()
    registered = context.ledger.write(
        lambda tx: [_insert(tx, registration, now) for registration in registrations]
    )
    _create_accounts(
        context, [account for user in registered for account in user_accounts(user.id)]
    )
    return registered


def _insert(tx: Tx, registration: Registration, now: int) -> User:
    r = registration
    existing = stored_users.by_external_id(tx, r.external_id)
    if existing is not None:
        found = (
            existing.display_name,
            existing.birth_date,
            existing.region,
            existing.is_creator,
        )
        if found != (r.display_name, r.birth_date, r.region, r.is_creator):
            raise UserExistsError(f"user {r.external_id!r} exists with other details")
        return existing
    return stored_users.insert(
        tx,
        external_id=r.external_id,
        display_name=r.display_name,
        birth_date=r.birth_date,
        region=r.region,
        is_creator=r.is_creator,
        identity_verified=r.identity_verified,
        now_ns=now,
    )


def user_accounts(user_id: UserId) -> list[Account]:
    return [
        Account(user_account(user_id, kind), unit_of(kind), kind, user_id, USER_ACCOUNT_FLAGS)
        for kind in (
            AccountKind.WALLET,
            AccountKind.EARNINGS_PENDING,
            AccountKind.EARNINGS_AVAILABLE,
        )
    ]


def find(tx: Tx, user_id: UserId) -> User:
    """The user, or ``UserNotFoundError``."""
    user = stored_users.by_id(tx, user_id)
    if user is None:
        raise UserNotFoundError(f"no user {user_id}")
    return user


def get(context: EconomyContext, user_id: UserId) -> User:
    return context.ledger.read(lambda tx: find(tx, user_id))


def by_external_id(context: EconomyContext, external_id: str) -> User:
    user = context.ledger.read(lambda tx: stored_users.by_external_id(tx, external_id))
    if user is None:
        raise UserNotFoundError(f"no user {external_id!r}")
    return user


def update(
    context: EconomyContext,
    user_id: UserId,
    *,
    is_creator: bool | None = None,
    identity_verified: bool | None = None,
) -> User:
    def change(tx: Tx) -> User:
        user = find(tx, user_id)
        stored_users.set_status(
            tx,
            user_id,
            is_creator=user.is_creator if is_creator is None else is_creator,
            identity_verified=(
                user.identity_verified if identity_verified is None else identity_verified
            ),
        )
        return find(tx, user_id)

    return context.ledger.write(change)


def frozen(context: EconomyContext, user: User) -> bool:
    account = context.ledger.account(user.wallet)
    return account is not None and account.frozen
