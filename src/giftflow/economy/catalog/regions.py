"""A region's table of the economy file, read into a ``Region``.

::

    [regions.US]                       name, currency, custom_amount = {min_coins, max_coins}
    [regions.US.web]                   store_fee_bps, packs = [{coins, price_minor}, ...],
    [regions.US.app_store]               custom_price_per_1000_coins_minor
    [regions.US.payout]                see PAYOUT_KEYS

Each section is checked on its own, so every broken section of every region is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Final

from giftflow.economy.catalog.currencies import is_known_currency
from giftflow.economy.catalog.fields import EntryError, Problems, Table
from giftflow.economy.catalog.model import (
    Channel,
    ChannelPricing,
    CoinPack,
    CustomPackRule,
    PayoutRules,
    Region,
    RegionCode,
    pack_id,
)
from giftflow.economy.money import BasisPoints, Coins, Fiat, share_of

REGION_CODE: Final = re.compile(r"^[A-Z]{2}$")
REGION_KEYS: Final = frozenset({"name", "currency", "custom_amount", "payout", *Channel})
CHANNEL_KEYS: Final = frozenset({"store_fee_bps", "packs", "custom_price_per_1000_coins_minor"})
PACK_KEYS: Final = frozenset({"coins", "price_minor"})
CUSTOM_AMOUNT_KEYS: Final = frozenset({"min_coins", "max_coins"})
PAYOUT_KEYS: Final = frozenset(
    {
        "currency",
        "minimum_minor",
        "fee_fixed_minor",
        "fee_bps",
        "cash_per_1000_diamonds_minor",
        "daily_maximum_minor",
        "processing_days_max",
        "minimum_age_years",
        "identity_verification_required",
    }
)


@dataclass(frozen=True, slots=True)
class _Header:
    name: str
    currency: str
    min_coins: int
    max_coins: int


@dataclass(frozen=True, slots=True)
class _Terms:
    store_fee_bps: int
    packs: tuple[tuple[int, int], ...]
    """``(coins, price_minor)``, fewest coins first."""
    custom_price_per_1000_coins_minor: int


def read_region(
    code: str, table: Table, problems: Problems, *, adult_age_years: int | None
) -> Region | None:
    """The region, or ``None`` with every problem of its sections recorded."""
    before = len(problems.found)
    if not REGION_CODE.match(code):
        problems.add(f"{table.where}: a region code is two capital letters, got {code!r}")
    problems.collect(lambda: table.only(REGION_KEYS))
    header = problems.collect(lambda: _header(table))
    terms = [problems.collect(partial(_terms, table, channel)) for channel in Channel]
    payout = problems.collect(lambda: _payout(table.table("payout"), adult_age_years))
    if len(problems.found) > before or header is None or payout is None:
        return None
    channels: list[ChannelPricing] = []
    for channel, channel_terms in zip(Channel, terms, strict=True):
        if channel_terms is None:
            return None
        channels.append(_pricing(RegionCode(code), header, channel, channel_terms))
    return Region(RegionCode(code), header.name, header.currency, tuple(channels), payout)


def _currency(table: Table) -> str:
    currency = table.text("currency")
    if not is_known_currency(currency):
        raise EntryError(
            f"{table.at('currency')}: unknown currency {currency!r}"
            " (expected an ISO 4217 code such as USD)"
        )
    return currency


def _header(table: Table) -> _Header:
    bounds = table.table("custom_amount")
    bounds.only(CUSTOM_AMOUNT_KEYS)
    min_coins = bounds.integer("min_coins", minimum=1)
    max_coins = bounds.integer("max_coins", minimum=min_coins)
    return _Header(table.text("name"), _currency(table), min_coins, max_coins)


def _terms(region: Table, channel: Channel) -> _Terms:
    table = region.table(channel.value)
    table.only(CHANNEL_KEYS)
    return _Terms(
        store_fee_bps=table.basis_points("store_fee_bps"),
        packs=_packs(table),
        custom_price_per_1000_coins_minor=table.integer(
            "custom_price_per_1000_coins_minor", minimum=1
        ),
    )


def _packs(table: Table) -> tuple[tuple[int, int], ...]:
    """Coins and prices strictly increasing: a bigger pack that costs the same or less,
    or two packs of the same coins, is a typo. Prices are at least one minor unit: a
    free pack would mint coins without a payment."""
    packs: list[tuple[int, int]] = []
    for index, item in enumerate(table.array("packs")):
        where = f"{table.at('packs')}[{index}]"
        if not isinstance(item, dict):
            raise EntryError(
                f"{where}: expected {{ coins = ..., price_minor = ... }}, got {item!r}"
            )
        pack = Table(where, item)
        pack.only(PACK_KEYS)
        coins, price = pack.integer("coins", minimum=1), pack.integer("price_minor", minimum=1)
        if packs and coins <= packs[-1][0]:
            raise EntryError(
                f"{where}: packs must increase in coins ({coins} after {packs[-1][0]})"
            )
        if packs and price <= packs[-1][1]:
            raise EntryError(
                f"{where}: packs must increase in price ({price} after {packs[-1][1]})"
            )
        packs.append((coins, price))
    return tuple(packs)


def _payout(table: Table, adult_age_years: int | None) -> PayoutRules:
    table.only(PAYOUT_KEYS)
    minimum_minor = table.integer("minimum_minor", minimum=1)
    fee_fixed_minor = table.integer("fee_fixed_minor")
    fee_bps = table.basis_points("fee_bps")
    if fee_fixed_minor + share_of(minimum_minor, fee_bps) >= minimum_minor:
        raise EntryError(f"{table.where}: the fee would take all of a minimum payout")
    return PayoutRules(
        currency=_currency(table),
        minimum_minor=minimum_minor,
        fee_fixed_minor=fee_fixed_minor,
        fee_bps=BasisPoints(fee_bps),
        cash_per_1000_diamonds_minor=table.integer("cash_per_1000_diamonds_minor", minimum=1),
        daily_maximum_minor=table.integer("daily_maximum_minor", minimum=minimum_minor),
        processing_days_max=table.integer("processing_days_max"),
        minimum_age_years=table.integer("minimum_age_years", minimum=adult_age_years or 0),
        identity_verification_required=table.flag("identity_verification_required"),
    )


def _pricing(code: RegionCode, header: _Header, channel: Channel, terms: _Terms) -> ChannelPricing:
    packs = tuple(
        CoinPack(
            pack_id(code, channel, coins), code, channel, Coins(coins), Fiat(price, header.currency)
        )
        for coins, price in terms.packs
    )
    custom = CustomPackRule(
        region=code,
        channel=channel,
        min_coins=Coins(header.min_coins),
        max_coins=Coins(header.max_coins),
        price_per_1000_coins=Fiat(terms.custom_price_per_1000_coins_minor, header.currency),
    )
    return ChannelPricing(channel, BasisPoints(terms.store_fee_bps), packs, custom)
