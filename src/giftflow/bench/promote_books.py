"""The books of ``giftflow bench promote``: every promotion's budget reserved by a
pending transfer on a real (SQLite) ledger, settled every simulated hour by the
service's own chains (post what is billed, reserve the rest), closed at its end, and
the money checked against what the simulation billed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from giftflow.economy.chart import (
    USER_ACCOUNT_FLAGS,
    AccountKind,
    TransferCode,
    platform_account,
    user_account,
)
from giftflow.economy.ids import derived_id
from giftflow.ids import UserId
from giftflow.ledger.accounts import Account
from giftflow.ledger.limits import TransferId
from giftflow.ledger.transfers import Transfer
from giftflow.ledger.units import COIN
from giftflow.promote.money import charged_coins
from giftflow.promote.promotions import (
    Plan,
)
from giftflow.service.ledger import Ledger
from giftflow.service.promote.money import (
    closing_transfer,
    reserve_transfer,
    settlement_chain,
)

BATCH: Final = 4_000


@dataclass(slots=True)
class State:
    """One promotion's billing as the simulation runs it."""

    billed: int = 0
    served: int = 0
    viewable: int = 0
    outstanding: int = 0
    posted: int = 0
    released: int = 0
    seq: int = 0
    pending_id: TransferId = TransferId(0)
    closed: bool = False
    hourly: list[int] = field(default_factory=list)


def open_books(
    ledger: Ledger,
    ids: list[str],
    creators: list[UserId],
    plans: list[Plan],
    states: dict[str, State],
) -> None:
    issuance = platform_account(AccountKind.COIN_ISSUANCE)
    revenue = platform_account(AccountKind.PROMOTION_REVENUE)
    accounts = [
        Account(issuance, COIN, AccountKind.COIN_ISSUANCE),
        Account(revenue, COIN, AccountKind.PROMOTION_REVENUE),
    ]
    accounts += [
        Account(
            user_account(c, AccountKind.WALLET),
            COIN,
            AccountKind.WALLET,
            owner_id=c,
            flags=USER_ACCOUNT_FLAGS,
        )
        for c in creators
    ]
    for first in range(0, len(accounts), BATCH):
        ledger.create_accounts(accounts[first : first + BATCH])
    funding = [
        Transfer(
            id=derived_id("bench-fund", c),
            debit_account_id=issuance,
            credit_account_id=user_account(c, AccountKind.WALLET),
            amount=plan.budget_coins,
            unit=COIN,
            code=TransferCode.PURCHASE,
        )
        for c, plan in zip(creators, plans, strict=True)
    ]
    reserves = [
        reserve_transfer(pid, c, 0, plan.budget_coins)
        for pid, c, plan in zip(ids, creators, plans, strict=True)
    ]
    for transfers in (funding, reserves):
        for first in range(0, len(transfers), BATCH):
            results = ledger.create_transfers(transfers[first : first + BATCH])
            assert all(result.ok for result in results), "the bench's books refused a transfer"
    for pid, reserve in zip(ids, reserves, strict=True):
        states[pid].pending_id = reserve.id


def settle_and_close(
    ledger: Ledger,
    now: int,
    ids: list[str],
    creators: list[UserId],
    plans: list[Plan],
    states: dict[str, State],
) -> None:
    chains: list[Transfer] = []
    for pid, creator, plan in zip(ids, creators, plans, strict=True):
        state = states[pid]
        state.hourly.append(state.billed)
        if state.closed:
            continue
        due = charged_coins(state.billed) - state.posted
        reserved = plan.budget_coins - state.posted
        if plan.ends_at <= now:
            chains.append(closing_transfer(pid, state.seq, state.pending_id, due=due))
            state.posted += due
            state.released = reserved - due
            state.closed = True
        elif due > 0:
            chain = settlement_chain(
                pid,
                creator,
                state.seq,
                state.pending_id,
                due=due,
                rest=reserved - due,
            )
            chains.extend(chain)
            state.posted += due
            state.seq += 1
            state.pending_id = chain[1].id if len(chain) > 1 else TransferId(0)
            if not state.pending_id:
                state.closed = True
    for first in range(0, len(chains), BATCH):
        batch = chains[first : first + BATCH]
        if batch[-1].flags & 1:  # never split a linked chain
            batch = chains[first : first + BATCH + 1]
        results = ledger.create_transfers(batch)
        assert all(result.ok for result in results), "a settlement was refused"


def money_adds_up(
    ledger: Ledger, plans: list[Plan], ids: list[str], states: dict[str, State]
) -> bool:
    revenue = ledger.account(platform_account(AccountKind.PROMOTION_REVENUE))
    posted = sum(state.posted for state in states.values())
    budgets = all(
        states[pid].posted + states[pid].released == plan.budget_coins or not states[pid].closed
        for pid, plan in zip(ids, plans, strict=True)
    )
    return (
        revenue is not None
        and revenue.balance_posted == posted
        and budgets
        and all(s.closed for s in states.values())
    )
