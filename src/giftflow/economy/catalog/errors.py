"""The catalog's errors: each names what was asked for and carries a stable ``code``."""

from __future__ import annotations

from giftflow.errors import GiftflowError
from giftflow.ids import GiftId


class CatalogError(GiftflowError):
    """Base of the catalog's errors."""

    code = "catalog_error"


class GiftNotFoundError(CatalogError):
    code = "gift_not_found"

    def __init__(self, gift_id: GiftId) -> None:
        super().__init__(f"no gift with id {gift_id} in the catalog")
        self.gift_id = gift_id


class RegionNotFoundError(CatalogError):
    code = "region_not_found"

    def __init__(self, region: str, *, known: tuple[str, ...] = ()) -> None:
        listed = f"; its regions are {', '.join(known)}" if known else ""
        super().__init__(f"no region {region!r} in the catalog{listed}")
        self.region = region
        self.known = known


class PackNotFoundError(CatalogError):
    code = "pack_not_found"

    def __init__(self, pack_id: str) -> None:
        super().__init__(f"no coin pack {pack_id!r} in the catalog")
        self.pack_id = pack_id


class CustomAmountOutOfBoundsError(CatalogError):
    code = "custom_amount_out_of_bounds"

    def __init__(
        self, *, region: str, channel: str, coins: int, min_coins: int, max_coins: int
    ) -> None:
        super().__init__(
            f"a custom amount of {coins} coins is outside {min_coins}..{max_coins}"
            f" in region {region} on channel {channel}"
        )
        self.region = region
        self.channel = channel
        self.coins = coins
        self.min_coins = min_coins
        self.max_coins = max_coins


class CatalogInvalidError(CatalogError):
    """A catalog file that cannot be used; ``problems`` lists every problem found, each
    starting with where it is (``regions.US.web.packs[2]``, ``gifts-2024-05.csv line 7``)."""

    code = "catalog_invalid"

    def __init__(self, source: str, problems: list[str] | tuple[str, ...]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listed = "".join(f"\n  - {problem}" for problem in self.problems)
        super().__init__(f"catalog {source} is invalid:{listed}")
