"""Wallets, earnings and statements."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel

from giftflow.api.schemas.common import at
from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.service.economy import EarningsView, StatementLine, WalletView


class WalletPublic(BaseModel):
    user_id: int
    coins: int
    """Coins the user can spend now."""
    frozen: bool

    @classmethod
    def of(cls, wallet: WalletView) -> Self:
        return cls(user_id=wallet.user_id, coins=wallet.coins, frozen=wallet.frozen)


class EarningsPublic(BaseModel):
    """Diamonds in diamond units (10,000 units = 1 diamond), and whole diamonds."""

    user_id: int
    pending_units: int
    available_units: int
    in_payout_units: int
    withdrawn_units: int
    earned_units: int
    pending_diamonds: int
    available_diamonds: int

    @classmethod
    def of(cls, view: EarningsView) -> Self:
        return cls(
            user_id=view.user_id,
            pending_units=view.pending_units,
            available_units=view.available_units,
            in_payout_units=view.in_payout_units,
            withdrawn_units=view.withdrawn_units,
            earned_units=view.earned_units,
            pending_diamonds=view.pending_diamonds,
            available_diamonds=view.available_diamonds,
        )


class StatementLinePublic(BaseModel):
    at: datetime
    kind: str
    account: Literal["pending", "available"]
    units: int
    """Diamond units: positive in, negative out."""
    transfer_id: int
    reference: int

    @classmethod
    def of(cls, line: StatementLine) -> Self:
        account: Literal["pending", "available"]
        account = "pending" if line.account == "pending" else "available"
        return cls(
            at=at(line.timestamp),
            kind=line.kind,
            account=account,
            units=line.units,
            transfer_id=line.transfer_id,
            reference=line.reference,
        )


class StatementPublic(BaseModel):
    user_id: int
    units_per_diamond: int = UNITS_PER_DIAMOND
    lines: list[StatementLinePublic]
    """Newest first."""
