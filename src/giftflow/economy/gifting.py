"""A gift as booked: a linked pair of transfers, coins out and diamond units in.

Coins move from the sender's wallet into the platform's gift revenue; diamond units move
from the platform's diamond issuance into the creator's pending earnings. Both are one
linked chain: neither happens without the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.economy.chart import AccountKind, TransferCode, platform_account
from giftflow.economy.ids import derived_id
from giftflow.economy.money import diamond_units
from giftflow.economy.users import User
from giftflow.ids import GiftId
from giftflow.ledger.limits import TransferId
from giftflow.ledger.transfers import Transfer, TransferFlags
from giftflow.ledger.units import COIN, DIAMOND

GIFT_QUANTITY_MAX = 10_000
"""Gifts in one event at most (a streak's delta included)."""


@dataclass(frozen=True, slots=True)
class GiftPlan:
    """What one gift event costs and earns, and the transfers that book it."""

    coin_transfer_id: TransferId
    diamond_transfer_id: TransferId
    gift_id: GiftId
    quantity: int
    coins: int
    share_bps: int
    units: int

    def transfers(self, sender: User, creator: User, *, session_id: int) -> list[Transfer]:
        return [
            Transfer(
                id=self.coin_transfer_id,
                debit_account_id=sender.wallet,
                credit_account_id=platform_account(AccountKind.GIFT_REVENUE),
                amount=self.coins,
                unit=COIN,
                code=TransferCode.GIFT_COINS,
                flags=TransferFlags.LINKED,
                user_data_1=creator.id,
                user_data_2=self.gift_id,
                user_data_3=session_id,
            ),
            Transfer(
                id=self.diamond_transfer_id,
                debit_account_id=platform_account(AccountKind.DIAMOND_ISSUANCE),
                credit_account_id=creator.earnings_pending,
                amount=self.units,
                unit=DIAMOND,
                code=TransferCode.GIFT_DIAMONDS,
                user_data_1=sender.id,
                user_data_2=self.gift_id,
                user_data_3=session_id,
            ),
        ]


def plan_gift(
    *, event_key: str, gift_id: GiftId, gift_coins: int, quantity: int, share_bps: int
) -> GiftPlan:
    """``event_key`` names the event uniquely (sender and client event id, or streak and
    count): it derives both transfer ids, so a retried event is applied once."""
    coins = gift_coins * quantity
    return GiftPlan(
        coin_transfer_id=derived_id("gift-coins", event_key),
        diamond_transfer_id=derived_id("gift-diamonds", event_key),
        gift_id=gift_id,
        quantity=quantity,
        coins=coins,
        share_bps=share_bps,
        units=diamond_units(coins, share_bps),
    )
