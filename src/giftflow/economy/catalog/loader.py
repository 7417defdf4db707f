"""Loading a catalog: a version shipped with giftflow, or an operator's own file.

A catalog version is two files side by side: ``economy-<version>.toml`` (regions, prices,
payout rules, platform defaults; its ``gifts_file`` names the other) and the gift list,
a CSV file. Everything is checked on load; a file with mistakes raises one
``CatalogInvalidError`` that lists them all.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import partial
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from giftflow.economy.catalog.errors import CatalogInvalidError
from giftflow.economy.catalog.fields import EntryError, Problems, Table
from giftflow.economy.catalog.gift_display import present
from giftflow.economy.catalog.gift_list import read_gifts
from giftflow.economy.catalog.model import Catalog, Gift, Region, RegionCode
from giftflow.economy.catalog.regions import read_region
from giftflow.economy.money import BasisPoints

DEFAULT_VERSION: Final = "2024-05"
VERSION: Final = re.compile(r"^\d{4}-\d{2}$")
SHIPPED_FILE: Final = re.compile(r"^economy-(\d{4}-\d{2})\.toml$")
GIFTS_FILE: Final = re.compile(r"^[A-Za-z0-9_.-]+\.csv$")
TOP_KEYS: Final = frozenset(
    {
        "catalog_version",
        "gifts_file",
        "revenue_share_bps",
        "hold_days",
        "adult_age_years",
        "gift_regions",
        "gift_display",
        "regions",
    }
)


@dataclass(frozen=True, slots=True)
class _Settings:
    revenue_share_bps: int
    hold_days: int
    adult_age_years: int


def load_catalog(version: str = DEFAULT_VERSION, *, path: Path | None = None) -> Catalog:
    """The catalog ``version`` shipped with giftflow, or, given ``path``, the economy
    file there (its gift list next to it); the catalog's version is then the one the
    file declares and ``version`` is not used."""
    if path is not None:
        path = Path(path)
        return _load(path.parent, path.name, str(path), expected_version=None)
    name = f"economy-{version}.toml"
    if not VERSION.match(version) or version not in shipped_versions():
        known = ", ".join(shipped_versions())
        raise CatalogInvalidError(name, [f"no catalog version {version!r} ships (known: {known})"])
    return _load(_data(), name, f"{name} (shipped)", expected_version=version)


def shipped_versions() -> tuple[str, ...]:
    """The catalog versions shipped with giftflow, oldest first."""
    matches = (SHIPPED_FILE.match(entry.name) for entry in _data().iterdir())
    return tuple(sorted(match.group(1) for match in matches if match))


def _data() -> Traversable:
    return resources.files("giftflow.economy.catalog").joinpath("data")


def _load(
    directory: Traversable, name: str, source: str, *, expected_version: str | None
) -> Catalog:
    top = Table("", _parse(directory.joinpath(name), source))
    problems = Problems()
    problems.collect(lambda: top.only(TOP_KEYS))
    version = problems.collect(lambda: _version(top, expected_version))
    settings = problems.collect(lambda: _settings(top))
    gifts = _gifts(top, directory, problems)
    adult_age_years = settings.adult_age_years if settings else None
    regions = _regions(top, problems, adult_age_years)
    gifts = _restrict(gifts, top, regions, problems)
    gifts = present(gifts, top, problems)
    if problems.found or version is None or settings is None:
        raise CatalogInvalidError(source, problems.found)
    return Catalog(
        version=version,
        revenue_share_bps=BasisPoints(settings.revenue_share_bps),
        hold_days=settings.hold_days,
        adult_age_years=settings.adult_age_years,
        gifts=tuple(gifts),
        regions=tuple(regions),
    )


def _parse(file: Traversable, source: str) -> dict[str, object]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogInvalidError(source, [f"cannot read the file: {error}"]) from error
    except tomllib.TOMLDecodeError as error:
        raise CatalogInvalidError(source, [f"not valid TOML: {error}"]) from error


def _version(top: Table, expected: str | None) -> str:
    version = top.text("catalog_version")
    if not VERSION.match(version):
        raise EntryError(f"catalog_version: expected YYYY-MM, got {version!r}")
    if expected is not None and version != expected:
        raise EntryError(f"catalog_version: the file says {version!r}, expected {expected!r}")
    return version


def _settings(top: Table) -> _Settings:
    return _Settings(
        revenue_share_bps=top.basis_points("revenue_share_bps"),
        hold_days=top.integer("hold_days"),
        adult_age_years=top.integer("adult_age_years", minimum=1),
    )


def _gifts(top: Table, directory: Traversable, problems: Problems) -> list[Gift]:
    found = problems.collect(lambda: _gifts_text(top, directory))
    if found is None:
        return []
    name, text = found
    return read_gifts(text, name, problems)


def _gifts_text(top: Table, directory: Traversable) -> tuple[str, str]:
    """The gift list is named relative to the economy file, never a path elsewhere."""
    name = top.text("gifts_file")
    if not GIFTS_FILE.match(name):
        raise EntryError(f"gifts_file: expected a .csv file name next to this file, got {name!r}")
    try:
        return name, directory.joinpath(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EntryError(f"gifts_file: cannot read {name!r}: {error}") from error


def _regions(top: Table, problems: Problems, adult_age_years: int | None) -> list[Region]:
    table = problems.collect(lambda: top.table("regions"))
    if table is None:
        return []
    if not table.values:
        problems.add("regions: no regions")
    regions: list[Region] = []
    for code in table.values:
        region_table = problems.collect(partial(table.table, code))
        if region_table is None:
            continue
        region = read_region(code, region_table, problems, adult_age_years=adult_age_years)
        if region is not None:
            regions.append(region)
    return regions


def _restrict(
    gifts: list[Gift], top: Table, regions: list[Region], problems: Problems
) -> list[Gift]:
    """``gift_regions``: ``gift_id = ["US", ...]`` limits a gift to those regions."""
    if "gift_regions" not in top.values:
        return gifts
    table = problems.collect(lambda: top.table("gift_regions"))
    if table is None:
        return gifts
    known = {region.code for region in regions}
    by_id = {str(gift.id): gift for gift in gifts}
    for key in table.values:
        limited = problems.collect(partial(_limited, table, key, by_id, known))
        if limited is not None:
            by_id[key] = limited
    return list(by_id.values())


def _limited(table: Table, key: str, gifts: dict[str, Gift], known: set[RegionCode]) -> Gift:
    if key not in gifts:
        raise EntryError(f"{table.at(key)}: no gift with id {key!r} in the gift list")
    codes = table.array(key)
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise EntryError(f"{table.at(key)}: unknown regions {unknown!r}")
    return replace(gifts[key], regions=frozenset(RegionCode(str(code)) for code in codes))
