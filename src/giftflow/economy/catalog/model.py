"""The catalog's values: gifts, coin packs, custom-amount and payout rules per region.

All immutable. A ``Catalog`` is built once (by ``load_catalog``) and only read after:
look-ups by id raise the catalog's errors, never ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import NewType, TypeVar

from giftflow.economy.catalog.errors import (
    CatalogInvalidError,
    CustomAmountOutOfBoundsError,
    GiftNotFoundError,
    PackNotFoundError,
    RegionNotFoundError,
)
from giftflow.economy.money import BasisPoints, Coins, Fiat
from giftflow.ids import GiftId

RegionCode = NewType("RegionCode", str)
"""ISO 3166-1 alpha-2, upper case: ``"US"``, ``"JP"``."""
PackId = NewType("PackId", str)
"""``"<region>-<channel>-<coins>"``: ``"US-web-70"``, ``"JP-app_store-17500"``."""

CUSTOM_RATE_COINS = 1_000
"""Custom amounts are priced per this many coins."""


class Channel(StrEnum):
    """Where coins are bought; the channel decides the price."""

    WEB = "web"
    """The platform's own checkout: no store fee."""
    APP_STORE = "app_store"
    """In-app purchase: the store keeps its fee, so the same coins cost more."""


def round_up_to_minor(numerator: int, denominator: int) -> int:
    """Rounding rule *up*: the smallest whole minor unit not below ``numerator /
    denominator``. Prices round up so that no purchase costs less than its rate; the
    buyer pays the rounded price, so there is no remainder to book."""
    if denominator <= 0:
        raise ValueError(f"cannot divide by {denominator}")
    return -(-numerator // denominator)


def pack_id(region: str, channel: Channel, coins: int) -> PackId:
    return PackId(f"{region}-{channel.value}-{coins}")


@dataclass(frozen=True, slots=True)
class Gift:
    """A gift a viewer sends to a creator, priced in coins."""

    id: GiftId
    name: str
    coins: Coins
    streakable: bool
    """Can be sent as a streak (combo): repeat count rising, then a streak end."""
    broadcast: bool
    """Announced platform-wide."""
    on_panel: bool
    """Shown in the gift panel."""
    regions: frozenset[RegionCode] | None = None
    """The regions where the gift can be sent; ``None``: everywhere."""
    display_name: str = ""
    """What people are shown, unique in the catalog (``name`` is as the gift list spells
    it, and two gifts may share it); by default ``name`` without outer spaces."""
    image_url: str | None = None
    """The gift's picture (http or https), when the catalog gives one."""
    animation_url: str | None = None
    """Its animation (http or https), when the catalog gives one."""

    def __post_init__(self) -> None:
        if not self.display_name:  # frozen: set once, here
            object.__setattr__(self, "display_name", self.name.strip())

    def available_in(self, region: str) -> bool:
        return self.regions is None or region in self.regions


@dataclass(frozen=True, slots=True)
class CoinPack:
    """A fixed number of coins at a fixed, tax-inclusive price."""

    id: PackId
    region: RegionCode
    channel: Channel
    coins: Coins
    price: Fiat


@dataclass(frozen=True, slots=True)
class CustomPackRule:
    """Any number of coins within bounds, at a price per 1,000 coins, rounded up."""

    region: RegionCode
    channel: Channel
    min_coins: Coins
    max_coins: Coins
    price_per_1000_coins: Fiat

    def price(self, coins: int) -> Fiat:
        """``round_up_to_minor(coins x price per 1,000 / 1,000)``; raises
        ``CustomAmountOutOfBoundsError`` outside ``min_coins..max_coins``."""
        if not self.min_coins <= coins <= self.max_coins:
            raise CustomAmountOutOfBoundsError(
                region=self.region,
                channel=self.channel.value,
                coins=coins,
                min_coins=self.min_coins,
                max_coins=self.max_coins,
            )
        rate = self.price_per_1000_coins
        return Fiat(round_up_to_minor(coins * rate.amount_minor, CUSTOM_RATE_COINS), rate.currency)


@dataclass(frozen=True, slots=True)
class ChannelPricing:
    """What coins cost in one region through one channel."""

    channel: Channel
    store_fee_bps: BasisPoints
    """The store's cut of each price (0 on the web)."""
    packs: tuple[CoinPack, ...]
    """Fewest coins first; coins and prices strictly increasing."""
    custom: CustomPackRule


@dataclass(frozen=True, slots=True)
class PayoutRules:
    """How a creator in a region turns diamonds into cash."""

    currency: str
    minimum_minor: int
    fee_fixed_minor: int
    fee_bps: BasisPoints
    """The fee is ``fee_fixed_minor`` plus ``fee_bps`` of the gross amount."""
    cash_per_1000_diamonds_minor: int
    daily_maximum_minor: int
    processing_days_max: int
    minimum_age_years: int
    identity_verification_required: bool


@dataclass(frozen=True, slots=True)
class Region:
    code: RegionCode
    name: str
    currency: str
    channels: tuple[ChannelPricing, ...]
    """One per ``Channel``, in the order ``Channel`` lists them."""
    payout: PayoutRules

    def pricing(self, channel: Channel) -> ChannelPricing:
        for pricing in self.channels:
            if pricing.channel == channel:
                return pricing
        raise ValueError(f"region {self.code} has no channel {channel!r}")


K = TypeVar("K")
V = TypeVar("V")


def _index(items: dict[K, V], count: int, what: str) -> Mapping[K, V]:
    if len(items) != count:
        raise CatalogInvalidError("(in memory)", [f"duplicate {what} ids"])
    return MappingProxyType(items)


@dataclass(frozen=True, slots=True)
class Catalog:
    """One version of the economy: gifts, regions, and the platform-wide defaults."""

    version: str
    revenue_share_bps: BasisPoints
    """Share of a gift's coins the creator earns as diamonds (5000 = 50 %)."""
    hold_days: int
    """Days earnings stay pending before they can be paid out."""
    adult_age_years: int
    gifts: tuple[Gift, ...]
    regions: tuple[Region, ...]
    _gifts: Mapping[GiftId, Gift] = field(init=False, repr=False, compare=False)
    _regions: Mapping[str, Region] = field(init=False, repr=False, compare=False)
    _packs: Mapping[str, CoinPack] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        gifts = {gift.id: gift for gift in self.gifts}
        regions = {region.code: region for region in self.regions}
        packs = [pack for region in self.regions for c in region.channels for pack in c.packs]
        # Frozen: the indexes are set once, here, and never change.
        object.__setattr__(self, "_gifts", _index(gifts, len(self.gifts), "gift"))
        object.__setattr__(self, "_regions", _index(regions, len(self.regions), "region"))
        by_id = {pack.id: pack for pack in packs}
        object.__setattr__(self, "_packs", _index(by_id, len(packs), "pack"))

    def gift(self, gift_id: GiftId) -> Gift:
        gift = self._gifts.get(gift_id)
        if gift is None:
            raise GiftNotFoundError(gift_id)
        return gift

    def gifts_available(self, region: str) -> tuple[Gift, ...]:
        """The gifts that can be sent in ``region``, in catalog order."""
        self.region(region)
        return tuple(gift for gift in self.gifts if gift.available_in(region))

    def region(self, code: str) -> Region:
        region = self._regions.get(code)
        if region is None:
            raise RegionNotFoundError(code, known=tuple(sorted(self._regions)))
        return region

    def packs(self, region: str, channel: Channel) -> tuple[CoinPack, ...]:
        return self.region(region).pricing(channel).packs

    def pack(self, pack_id: str) -> CoinPack:
        pack = self._packs.get(pack_id)
        if pack is None:
            raise PackNotFoundError(pack_id)
        return pack

    def custom_rule(self, region: str, channel: Channel) -> CustomPackRule:
        return self.region(region).pricing(channel).custom

    def price_custom(self, region: str, channel: Channel, coins: int) -> Fiat:
        """The price of a custom amount of coins, rounded up to the minor unit."""
        return self.custom_rule(region, channel).price(coins)
