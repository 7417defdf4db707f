"""The catalog: gifts, coin packs per region and channel, custom amounts and payout
rules, loaded from versioned files shipped with giftflow (or an operator's own).

    >>> from giftflow.economy.catalog import Channel, load_catalog
    >>> catalog = load_catalog()
    >>> catalog.gift(5655).coins
    1
    >>> str(catalog.pack("US-web-70").price)
    'USD 0.74'
    >>> str(catalog.price_custom("US", Channel.WEB, 1_000))
    'USD 10.58'

See docs.md in this folder for the file format and data/PROVENANCE.md for the data.
"""

from giftflow.economy.catalog.errors import (
    CatalogError,
    CatalogInvalidError,
    CustomAmountOutOfBoundsError,
    GiftNotFoundError,
    PackNotFoundError,
    RegionNotFoundError,
)
from giftflow.economy.catalog.loader import DEFAULT_VERSION, load_catalog, shipped_versions
from giftflow.economy.catalog.model import (
    Catalog,
    Channel,
    ChannelPricing,
    CoinPack,
    CustomPackRule,
    Gift,
    PackId,
    PayoutRules,
    Region,
    RegionCode,
    round_up_to_minor,
)
from giftflow.ids import GiftId

__all__ = [
    "DEFAULT_VERSION",
    "Catalog",
    "CatalogError",
    "CatalogInvalidError",
    "Channel",
    "ChannelPricing",
    "CoinPack",
    "CustomAmountOutOfBoundsError",
    "CustomPackRule",
    "Gift",
    "GiftId",
    "GiftNotFoundError",
    "PackId",
    "PackNotFoundError",
    "PayoutRules",
    "Region",
    "RegionCode",
    "RegionNotFoundError",
    "load_catalog",
    "round_up_to_minor",
    "shipped_versions",
]
