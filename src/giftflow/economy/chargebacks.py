"""How a refund or a chargeback is clawed back, as a plan of amounts (pure).

The coins the payment bought come back from the wallet as far as it still holds them.
Coins already spent were spent on gifts: for those gifts, newest first, the creator's
diamond units that have not matured yet are reversed (and the gift's coins leave the
platform's gift revenue); what cannot be reversed that way is the platform's loss.
Everything is exact: a reversed coin takes back exactly ``share_bps`` units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from giftflow.ids import UserId
from giftflow.ledger.limits import TransferId


@dataclass(frozen=True, slots=True)
class SpentGift:
    """A gift the wallet paid for after the payment, as far as it can still be undone."""

    gift_row_id: TransferId
    creator_id: UserId
    coins: int
    reversed_coins: int
    share_bps: int
    matured: bool


@dataclass(frozen=True, slots=True)
class Reversal:
    gift_row_id: TransferId
    creator_id: UserId
    coins: int
    units: int


@dataclass(slots=True)
class ClawbackPlan:
    coins_from_wallet: int
    reversals: list[Reversal] = field(default_factory=list)
    loss_coins: int = 0

    @property
    def shortfall_coins(self) -> int:
        return sum(reversal.coins for reversal in self.reversals) + self.loss_coins


def plan_clawback(
    coins_to_claw: int, wallet_available: int, spent_newest_first: list[SpentGift]
) -> ClawbackPlan:
    from_wallet = min(coins_to_claw, max(wallet_available, 0))
    plan = ClawbackPlan(from_wallet)
    remaining = coins_to_claw - from_wallet
    for gift in spent_newest_first:
        if remaining == 0:
            break
        if gift.matured:
            continue
        coins = min(remaining, gift.coins - gift.reversed_coins)
        if coins > 0:
            units = coins * gift.share_bps
            plan.reversals.append(Reversal(gift.gift_row_id, gift.creator_id, coins, units))
            remaining -= coins
    plan.loss_coins = remaining
    return plan


def coins_for_refund(coins: int, amount_minor: int, refunded_minor: int) -> int:
    """Coins a (partial) refund takes back: in proportion, rounded up (the platform
    does not hand out coins the buyer no longer paid for)."""
    refunded = min(refunded_minor, amount_minor)
    return -(-coins * refunded // amount_minor)
