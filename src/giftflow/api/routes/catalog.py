"""The catalog: regions, gifts and coin packs, for any authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from giftflow.economy.catalog.model import Channel
from giftflow.http.deps import EconomyDep, PrincipalDep
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import (
    CatalogGiftList,
    CatalogGiftPublic,
    CustomAmountPublic,
    PackList,
    PackPublic,
)
from giftflow.http.schemas.catalog import CatalogRegionList, CatalogRegionPublic

router = APIRouter(prefix="/v1/catalog", tags=["catalog"], responses=RESPONSES)
RegionQuery = Query(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2: US, JP …")


@router.get("/regions", response_model=CatalogRegionList)
def list_regions(_: PrincipalDep, economy: EconomyDep) -> CatalogRegionList:
    """Every region the catalog knows, by code: its currency, its channels' store fees,
    packs and custom-amount bounds, and its payout terms."""
    catalog = economy.catalog
    regions = sorted(catalog.regions, key=lambda region: region.code)
    return CatalogRegionList(
        catalog_version=catalog.version, regions=[CatalogRegionPublic.of(r) for r in regions]
    )


@router.get("/gifts", response_model=CatalogGiftList)
def list_gifts(
    _: PrincipalDep, economy: EconomyDep, region: Annotated[str | None, RegionQuery] = None
) -> CatalogGiftList:
    """Every gift, or those that can be sent in ``region``."""
    catalog = economy.catalog
    gifts = catalog.gifts if region is None else catalog.gifts_available(region)
    return CatalogGiftList(
        catalog_version=catalog.version,
        region=region,
        gifts=[CatalogGiftPublic.of(gift) for gift in gifts],
    )


@router.get("/packs", response_model=PackList)
def list_packs(
    _: PrincipalDep,
    economy: EconomyDep,
    region: Annotated[str, RegionQuery],
    channel: Channel | None = None,
) -> PackList:
    """Coin packs and custom-amount pricing in ``region``, on one channel or all."""
    catalog = economy.catalog
    channels = list(Channel) if channel is None else [channel]
    catalog.region(region)
    return PackList(
        catalog_version=catalog.version,
        region=region,
        packs=[PackPublic.of(p) for c in channels for p in catalog.packs(region, c)],
        custom_amounts=[CustomAmountPublic.of(catalog.custom_rule(region, c)) for c in channels],
    )
