"""Wallets, earnings and statements."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel

from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.http.schemas.common import at, at_or_none
from giftflow.service.economy import EarningsView, StatementLine, WalletView
from giftflow.store.earnings import PendingHold


class WalletPublic(BaseModel):
    user_id: int
    coins: int
    """Coins the user can spend now."""
    frozen: bool

    @classmethod
    def of(cls, wallet: WalletView) -> Self:
        return cls(user_id=wallet.user_id, coins=wallet.coins, frozen=wallet.frozen)


class HoldPublic(BaseModel):
    """Pending diamonds maturing within one UTC hour: all of them are available from
    ``matures_at``, the first of them from ``first_matures_at``. Each gift's time was
    fixed when it was booked (sent + the holding period then in force)."""

    diamond_units: int
    gifts: int
    first_matures_at: datetime
    matures_at: datetime

    @classmethod
    def of(cls, hold: PendingHold) -> Self:
        return cls(
            diamond_units=hold.units,
            gifts=hold.gifts,
            first_matures_at=at(hold.first_matures_at),
            matures_at=at(hold.matures_at),
        )


class EarningsPublic(BaseModel):
    """Diamonds in diamond units (10,000 units = 1 diamond), and whole diamonds;
    ``holds``: when the pending ones mature (earliest first, at most 100 parts)."""

    user_id: int
    pending_units: int
    available_units: int
    in_payout_units: int
    withdrawn_units: int
    earned_units: int
    pending_diamonds: int
    available_diamonds: int
    next_matures_at: datetime | None
    """When the next pending diamonds mature; null when none are pending."""
    holds: list[HoldPublic]

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
            next_matures_at=at_or_none(view.next_matures_at or 0),
            holds=[HoldPublic.of(hold) for hold in view.holds],
        )


class StatementLinePublic(BaseModel):
    at: datetime
    kind: str
    account: Literal["pending", "available"]
    units: int
    """Diamond units: positive in, negative out."""
    transfer_id: int
    reference: int
    """The catalog's gift id (``gift``), the gift's row (``chargeback_reversal``), else 0."""
    payout_id: str | None
    """The payout of a ``payout_reserved``, ``payout_paid`` or ``payout_returned`` line."""

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
            payout_id=line.payout_id,
        )


class StatementPublic(BaseModel):
    user_id: int
    units_per_diamond: int = UNITS_PER_DIAMOND
    lines: list[StatementLinePublic]
    """Newest first."""
