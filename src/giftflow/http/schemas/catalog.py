"""The catalog: gifts, packs, custom amounts."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel

from giftflow.economy.catalog.model import (
    Channel,
    ChannelPricing,
    CoinPack,
    CustomPackRule,
    Gift,
    PayoutRules,
    Region,
)


class CatalogGiftPublic(BaseModel):
    id: int
    name: str
    """As the catalog's gift list spells it; two gifts may share it."""
    display_name: str
    """What to show people: unique in the catalog, ignoring case."""
    image_url: str | None
    """The gift's picture (http or https URL), or null when the catalog has none."""
    animation_url: str | None
    """Its animation (http or https URL), or null when the catalog has none."""
    coins: int
    streakable: bool
    broadcast: bool
    on_panel: bool

    @classmethod
    def of(cls, gift: Gift) -> Self:
        return cls(
            id=gift.id,
            name=gift.name,
            display_name=gift.display_name,
            image_url=gift.image_url,
            animation_url=gift.animation_url,
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


class ChannelTermsPublic(BaseModel):
    """How coins are sold in a region through one channel (the packs themselves:
    ``GET /v1/catalog/packs``)."""

    channel: Channel
    store_fee_bps: int
    """The store's cut of each price (0 on the web)."""
    pack_ids: list[str]
    """Fewest coins first."""
    custom_min_coins: int
    custom_max_coins: int

    @classmethod
    def of(cls, pricing: ChannelPricing) -> Self:
        return cls(
            channel=pricing.channel,
            store_fee_bps=pricing.store_fee_bps,
            pack_ids=[pack.id for pack in pricing.packs],
            custom_min_coins=pricing.custom.min_coins,
            custom_max_coins=pricing.custom.max_coins,
        )


class PayoutTermsPublic(BaseModel):
    """How a creator in the region turns diamonds into cash: amounts in minor units of
    ``currency``; the fee is ``fee_fixed_minor`` plus ``fee_bps`` of the gross."""

    currency: str
    minimum_minor: int
    fee_fixed_minor: int
    fee_bps: int
    cash_per_1000_diamonds_minor: int
    daily_maximum_minor: int
    processing_days_max: int
    minimum_age_years: int
    identity_verification_required: bool

    @classmethod
    def of(cls, rules: PayoutRules) -> Self:
        return cls(
            currency=rules.currency,
            minimum_minor=rules.minimum_minor,
            fee_fixed_minor=rules.fee_fixed_minor,
            fee_bps=rules.fee_bps,
            cash_per_1000_diamonds_minor=rules.cash_per_1000_diamonds_minor,
            daily_maximum_minor=rules.daily_maximum_minor,
            processing_days_max=rules.processing_days_max,
            minimum_age_years=rules.minimum_age_years,
            identity_verification_required=rules.identity_verification_required,
        )


class CatalogRegionPublic(BaseModel):
    code: str
    """ISO 3166-1 alpha-2: what ``region`` means everywhere in the API."""
    name: str
    currency: str
    """What its coin packs cost in (ISO 4217)."""
    channels: list[ChannelTermsPublic]
    payout: PayoutTermsPublic

    @classmethod
    def of(cls, region: Region) -> Self:
        return cls(
            code=region.code,
            name=region.name,
            currency=region.currency,
            channels=[ChannelTermsPublic.of(pricing) for pricing in region.channels],
            payout=PayoutTermsPublic.of(region.payout),
        )


class CatalogRegionList(BaseModel):
    catalog_version: str
    regions: list[CatalogRegionPublic]
    """By code."""
