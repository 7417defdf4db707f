"""The catalog: gifts, packs, custom amounts."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel

from giftflow.economy.catalog.model import Channel, CoinPack, CustomPackRule, Gift


class CatalogGiftPublic(BaseModel):
    id: int
    name: str
    coins: int
    streakable: bool
    broadcast: bool
    on_panel: bool

    @classmethod
    def of(cls, gift: Gift) -> Self:
        return cls(
            id=gift.id,
            name=gift.name,
            coins=gift.coins,
            streakable=gift.streakable,
            broadcast=gift.broadcast,
            on_panel=gift.on_panel,
        )


class CatalogGiftList(BaseModel):
    catalog_version: str
    region: str | None
    gifts: list[CatalogGiftPublic]


class PackPublic(BaseModel):
    id: str
    region: str
    channel: Channel
    coins: int
    amount_minor: int
    currency: str

    @classmethod
    def of(cls, pack: CoinPack) -> Self:
        return cls(
            id=pack.id,
            region=pack.region,
            channel=pack.channel,
            coins=pack.coins,
            amount_minor=pack.price.amount_minor,
            currency=pack.price.currency,
        )


class CustomAmountPublic(BaseModel):
    """Any number of coins in ``min_coins..max_coins``, priced per 1,000, rounded up."""

    channel: Channel
    min_coins: int
    max_coins: int
    per_1000_coins_minor: int
    currency: str

    @classmethod
    def of(cls, rule: CustomPackRule) -> Self:
        return cls(
            channel=rule.channel,
            min_coins=rule.min_coins,
            max_coins=rule.max_coins,
            per_1000_coins_minor=rule.price_per_1000_coins.amount_minor,
            currency=rule.price_per_1000_coins.currency,
        )


class PackList(BaseModel):
    catalog_version: str
    region: str
    packs: list[PackPublic]
    custom_amounts: list[CustomAmountPublic]
