"""The catalog: the shipped version loads with the reference gifts and sane prices, and
a broken file is refused with every problem named."""

from __future__ import annotations

import ast
import csv
import doctest
import io
import sys
import unicodedata
from collections.abc import Callable
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest

import giftflow.economy.catalog as catalog_package
from giftflow.economy.catalog import (
    Catalog,
    CatalogInvalidError,
    Channel,
    CustomAmountOutOfBoundsError,
    GiftNotFoundError,
    PackNotFoundError,
    RegionCode,
    RegionNotFoundError,
    load_catalog,
    round_up_to_minor,
    shipped_versions,
)
from giftflow.economy.money import Coins, Fiat
from giftflow.ids import GiftId
from giftflow.ledger.units import describe, fiat

CATALOG_DIR = Path(catalog_package.__file__).parent
SHARED_CSV = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "tiktok_gift_catalog_2024-05.csv"
)
STANDARD_PACK_COINS = (70, 350, 700, 1400, 3500, 7000, 17500)
REGIONS = {
    "US": "USD",
    "GB": "GBP",
    "DE": "EUR",
    "JP": "JPY",
    "BR": "BRL",
    "ID": "IDR",
    "IN": "INR",
}


def shipped_text(name: str) -> str:
    return resources.files(catalog_package).joinpath("data", name).read_text(encoding="utf-8")


def reference_rows() -> list[dict[str, str]]:
    """The gift list read with nothing but the csv module."""
    return list(csv.DictReader(io.StringIO(shipped_text("gifts-2024-05.csv"))))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# --- the shipped catalog ------------------------------------------------------------


def test_the_shipped_catalog_loads_with_its_defaults(catalog: Catalog) -> None:
    assert catalog.version == "2024-05"
    assert catalog.revenue_share_bps == 5000
    assert catalog.hold_days == 7
    assert catalog.adult_age_years == 18
    assert {region.code: region.currency for region in catalog.regions} == REGIONS


def test_the_shipped_gift_list_is_an_unchanged_copy_of_the_reference_file() -> None:
    if not SHARED_CSV.is_file():
        pytest.skip(f"the reference file is not in this checkout: {SHARED_CSV}")
    shipped = (CATALOG_DIR / "data" / "gifts-2024-05.csv").read_bytes()
    assert shipped == SHARED_CSV.read_bytes()


def test_all_116_gifts_load_with_their_reference_coins_and_flags(catalog: Catalog) -> None:
    rows = reference_rows()
    assert len(rows) == len(catalog.gifts) == 116
    for row in rows:
        gift = catalog.gift(GiftId(int(row["gift_id"])))
        assert gift.name == row["name"]
        assert gift.coins == int(row["coins"])
        assert gift.streakable is (row["streakable"] == "true")
        assert gift.broadcast is (row["broadcast"] == "true")
        assert gift.on_panel is (row["on_panel"] == "true")
        assert gift.regions is None


def test_known_gifts_cost_what_the_reference_list_says(catalog: Catalog) -> None:
    by_name = {gift.name: gift for gift in catalog.gifts}
    assert by_name["Rose"].coins == 1
    assert by_name["TikTok"].coins == 1
    assert by_name["TikTok Universe"].coins == 44_999
    assert max(gift.coins for gift in catalog.gifts) == 44_999
    assert by_name["Rose"].streakable
    assert not by_name["TikTok Universe"].streakable
    assert by_name["TikTok Universe"].broadcast


def test_only_gifts_marked_streakable_in_the_reference_can_streak(catalog: Catalog) -> None:
    expected = {int(row["gift_id"]) for row in reference_rows() if row["streakable"] == "true"}
    assert {gift.id for gift in catalog.gifts if gift.streakable} == expected
    assert len(expected) == 18


def test_every_gift_is_available_in_every_region(catalog: Catalog) -> None:
    for region in catalog.regions:
        assert catalog.gifts_available(region.code) == catalog.gifts


# --- packs ---------------------------------------------------------------------------


@pytest.mark.parametrize("region", sorted(REGIONS))
@pytest.mark.parametrize("channel", list(Channel))
def test_every_region_sells_the_seven_standard_packs_on_every_channel(
    catalog: Catalog, region: str, channel: Channel
) -> None:
    packs = catalog.packs(region, channel)
    assert tuple(pack.coins for pack in packs) == STANDARD_PACK_COINS
    for pack in packs:
        assert pack.price.currency == REGIONS[region]
        assert pack.price.amount_minor > 0
        assert pack.id == f"{region}-{channel.value}-{pack.coins}"
        assert catalog.pack(pack.id) is pack


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_the_app_store_costs_more_per_coin_than_the_web(catalog: Catalog, region: str) -> None:
    web = catalog.packs(region, Channel.WEB)
    app = catalog.packs(region, Channel.APP_STORE)
    for web_pack, app_pack in zip(web, app, strict=True):
        web_rate = Fraction(web_pack.price.amount_minor, web_pack.coins)
        app_rate = Fraction(app_pack.price.amount_minor, app_pack.coins)
        assert app_rate > web_rate


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_app_store_prices_are_web_prices_grossed_up_by_the_store_fee(
    catalog: Catalog, region: str
) -> None:
    """The documented rule that derived the shipped defaults."""
    fee_bps = catalog.region(region).pricing(Channel.APP_STORE).store_fee_bps
    assert fee_bps == 3000
    assert catalog.region(region).pricing(Channel.WEB).store_fee_bps == 0
    web = catalog.packs(region, Channel.WEB)
    app = catalog.packs(region, Channel.APP_STORE)
    for web_pack, app_pack in zip(web, app, strict=True):
        grossed_up = round_up_to_minor(web_pack.price.amount_minor * 10_000, 10_000 - fee_bps)
        assert app_pack.price.amount_minor == grossed_up


def test_us_prices_match_the_reported_ones(catalog: Catalog) -> None:
    assert catalog.pack("US-web-70").price == Fiat(74, "USD")
    assert catalog.pack("US-web-17500").price == Fiat(18_500, "USD")
    # Reported in-app: 65 coins for USD 0.99, at the app store's per-coin price.
    app_70 = catalog.pack("US-app_store-70").price.amount_minor
    assert round_up_to_minor(65 * 74 * 10_000, 70 * 7_000) == 99
    assert Fraction(99, 65) == pytest.approx(Fraction(app_70, 70), rel=0.01)


def test_japanese_prices_are_whole_yen(catalog: Catalog) -> None:
    assert describe(fiat("JPY")).scale == 0
    assert str(catalog.pack("JP-web-70").price) == "JPY 120"


def test_an_unknown_pack_region_or_gift_is_a_domain_error(catalog: Catalog) -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: catalog.pack("US-web-71"), "pack_not_found"),
        (lambda: catalog.region("FR"), "region_not_found"),
        (lambda: catalog.packs("XX", Channel.WEB), "region_not_found"),
        (lambda: catalog.gifts_available("us"), "region_not_found"),
        (lambda: catalog.gift(GiftId(1)), "gift_not_found"),
    ]
    for call, code in cases:
        with pytest.raises((PackNotFoundError, RegionNotFoundError, GiftNotFoundError)) as info:
            call()
        assert info.value.code == code


# --- custom amounts ------------------------------------------------------------------


def test_a_custom_amount_is_priced_per_1000_coins_rounded_up(catalog: Catalog) -> None:
    rule = catalog.custom_rule("US", Channel.WEB)
    assert rule.price_per_1000_coins == Fiat(1058, "USD")
    assert catalog.price_custom("US", Channel.WEB, 1_000) == Fiat(1058, "USD")
    # 31 x 10.58 = 32.798 cents: rounded up, never down.
    assert catalog.price_custom("US", Channel.WEB, 31) == Fiat(33, "USD")
    assert catalog.price_custom("US", Channel.WEB, 1_500) == Fiat(1587, "USD")
    assert catalog.price_custom("JP", Channel.WEB, 1_234) == Fiat(2117, "JPY")


@pytest.mark.parametrize("region", sorted(REGIONS))
@pytest.mark.parametrize("channel", list(Channel))
def test_a_custom_amount_never_costs_less_than_the_same_coins_in_a_pack(
    catalog: Catalog, region: str, channel: Channel
) -> None:
    for pack in catalog.packs(region, channel):
        custom = catalog.price_custom(region, channel, pack.coins)
        # The per-1,000 rate is rounded up: at most a minor unit more per 1,000 coins.
        extra_minor = custom.amount_minor - pack.price.amount_minor
        assert 0 <= extra_minor <= pack.coins // 1000 + 1


def test_a_custom_amount_outside_the_bounds_is_refused(catalog: Catalog) -> None:
    rule = catalog.custom_rule("BR", Channel.APP_STORE)
    assert (rule.min_coins, rule.max_coins) == (30, 2_500_000)
    catalog.price_custom("BR", Channel.APP_STORE, rule.min_coins)
    catalog.price_custom("BR", Channel.APP_STORE, rule.max_coins)
    for coins in (0, -5, rule.min_coins - 1, rule.max_coins + 1):
        with pytest.raises(CustomAmountOutOfBoundsError) as info:
            catalog.price_custom("BR", Channel.APP_STORE, coins)
        assert info.value.code == "custom_amount_out_of_bounds"
        assert (info.value.coins, info.value.region, info.value.channel) == (
            coins,
            "BR",
            "app_store",
        )


def test_rounding_up_to_the_minor_unit() -> None:
    assert round_up_to_minor(1000, 1000) == 1
    assert round_up_to_minor(1001, 1000) == 2
    assert round_up_to_minor(0, 1000) == 0
    with pytest.raises(ValueError, match="divide"):
        round_up_to_minor(1, 0)


# --- payouts -------------------------------------------------------------------------


def test_us_payout_rules_are_the_reported_defaults(catalog: Catalog) -> None:
    payout = catalog.region("US").payout
    assert payout.currency == "USD"
    assert payout.minimum_minor == 5_000
    assert payout.cash_per_1000_diamonds_minor == 500
    assert payout.daily_maximum_minor == 100_000
    assert payout.processing_days_max == 15
    assert payout.minimum_age_years == 18
    assert payout.identity_verification_required
    assert (payout.fee_fixed_minor, payout.fee_bps) == (25, 25)


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_every_region_pays_out_in_its_currency_to_verified_adults(
    catalog: Catalog, region: str
) -> None:
    payout = catalog.region(region).payout
    assert payout.currency == REGIONS[region]
    assert 0 < payout.minimum_minor <= payout.daily_maximum_minor
    assert payout.cash_per_1000_diamonds_minor > 0
    assert payout.minimum_age_years >= catalog.adult_age_years
    assert payout.identity_verification_required


# --- operators' files and broken files -------------------------------------------------


def write_catalog(
    directory: Path, edit: Callable[[str], str] = str, *, gifts: str | None = None
) -> Path:
    """A copy of the shipped catalog in ``directory``, its TOML passed through ``edit``."""
    path = directory / "economy-2024-05.toml"
    path.write_text(edit(shipped_text("economy-2024-05.toml")), encoding="utf-8")
    gift_list = shipped_text("gifts-2024-05.csv") if gifts is None else gifts
    (directory / "gifts-2024-05.csv").write_text(gift_list, encoding="utf-8")
    return path


def test_an_operator_file_replaces_the_shipped_defaults(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, lambda text: text.replace("hold_days = 7", "hold_days = 30"))
    assert load_catalog(path=path).hold_days == 30


def test_an_operator_can_limit_a_gift_to_some_regions(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path, lambda text: text.replace("[gift_regions]", '[gift_regions]\n5655 = ["US"]')
    )
    catalog = load_catalog(path=path)
    assert catalog.gift(GiftId(5655)).regions == frozenset({RegionCode("US")})
    assert catalog.gift(GiftId(5655)) in catalog.gifts_available("US")
    assert catalog.gift(GiftId(5655)) not in catalog.gifts_available("JP")
    assert len(catalog.gifts_available("JP")) == 115


def replace_once(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


BROKEN_FILES = {
    "store fee above 100 %": (
        replace_once("store_fee_bps = 3000", "store_fee_bps = 12000"),
        "regions.US.app_store.store_fee_bps: 12000 is outside 0..10000",
    ),
    "negative price": (
        replace_once("price_minor = 74 }", "price_minor = -74 }"),
        "regions.US.web.packs[0].price_minor: -74 is below the minimum of 1",
    ),
    "unknown currency": (
        replace_once('currency = "GBP"', 'currency = "GBX"'),
        "regions.GB.currency: unknown currency 'GBX'",
    ),
    "packs not increasing": (
        replace_once("coins = 700, price_minor = 740 }", "coins = 300, price_minor = 740 }"),
        "regions.US.web.packs[2]: packs must increase in coins (300 after 350)",
    ),
    "revenue share above 100 %": (
        replace_once("revenue_share_bps = 5000", "revenue_share_bps = 10001"),
        "revenue_share_bps: 10001 is outside 0..10000",
    ),
    "misspelt key": (
        replace_once("fee_bps = 25", "fee_bsp = 25"),
        "regions.US.payout: unknown keys fee_bsp",
    ),
    "missing channel": (
        replace_once("[regions.JP.app_store]", "[regions.JP.app_store_typo]"),
        "regions.JP.app_store: missing",
    ),
    "payout age below adult age": (
        replace_once("minimum_age_years = 18", "minimum_age_years = 16"),
        "regions.US.payout.minimum_age_years: 16 is below the minimum of 18",
    ),
    "not TOML": (lambda text: text + "\n[regions.US\n", "not valid TOML"),
    "unknown gift restricted": (
        replace_once("[gift_regions]", '[gift_regions]\n1 = ["US"]'),
        "gift_regions.1: no gift with id '1'",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_FILES))
def test_a_broken_catalog_file_is_refused_naming_the_problem(tmp_path: Path, case: str) -> None:
    edit, expected = BROKEN_FILES[case]
    with pytest.raises(CatalogInvalidError) as info:
        load_catalog(path=write_catalog(tmp_path, edit))
    assert info.value.code == "catalog_invalid"
    assert expected in str(info.value)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        text = replace_once("store_fee_bps = 3000", "store_fee_bps = -1")(text)
        return replace_once('currency = "BRL"', 'currency = "BRR"')(text)

    with pytest.raises(CatalogInvalidError) as info:
        load_catalog(path=write_catalog(tmp_path, edit))
    assert len(info.value.problems) == 2, info.value.problems


def test_duplicate_gift_ids_are_refused_with_both_lines(tmp_path: Path) -> None:
    gifts = shipped_text("gifts-2024-05.csv") + "5655,Second Rose,2,true,false,true\n"
    with pytest.raises(CatalogInvalidError) as info:
        load_catalog(path=write_catalog(tmp_path, gifts=gifts))
    assert "gifts-2024-05.csv line 118: duplicate gift_id 5655 (first on line 4)" in str(info.value)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("9999,Free,0,true,false,true", "coins must be a positive integer, got '0'"),
        ("9999,Odd,5,yes,false,true", "streakable must be true or false, got 'yes'"),
        ("9999,Short,5,true", "expected 6 fields, got 4"),
    ],
)
def test_a_bad_gift_row_is_refused_naming_its_line(tmp_path: Path, row: str, expected: str) -> None:
    gifts = shipped_text("gifts-2024-05.csv") + row + "\n"
    with pytest.raises(CatalogInvalidError) as info:
        load_catalog(path=write_catalog(tmp_path, gifts=gifts))
    assert f"gifts-2024-05.csv line 118: {expected}" in str(info.value)


def test_a_version_that_does_not_ship_is_refused() -> None:
    with pytest.raises(CatalogInvalidError, match="no catalog version '1999-01' ships"):
        load_catalog("1999-01")
    with pytest.raises(CatalogInvalidError, match="ships"):
        load_catalog("../../etc")


def test_a_missing_operator_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogInvalidError, match="cannot read the file"):
        load_catalog(path=tmp_path / "nowhere.toml")


# --- shape ---------------------------------------------------------------------------


def test_the_catalog_is_immutable(catalog: Catalog) -> None:
    with pytest.raises(AttributeError):
        catalog.hold_days = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        catalog.gift(GiftId(5655)).coins = Coins(2)  # type: ignore[misc]


def test_the_package_example_runs() -> None:
    assert doctest.testmod(catalog_package).failed == 0


def test_the_catalog_imports_only_the_standard_library_and_giftflow_basics() -> None:
    allowed = ("giftflow.economy", "giftflow.ledger", "giftflow.errors", "giftflow.ids")
    offending = []
    for path in sorted(CATALOG_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: use absolute imports"
                names = [node.module or ""]
            for name in names:
                stdlib = name.partition(".")[0] in sys.stdlib_module_names
                ours = any(name == base or name.startswith(base + ".") for base in allowed)
                if not stdlib and not ours:
                    offending.append(f"{path.name}: {name}")
    assert offending == []


# --- how gifts are shown -----------------------------------------------------------------


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


@pytest.mark.parametrize("version", shipped_versions())
def test_no_two_gifts_of_a_shipped_catalog_look_the_same(version: str) -> None:
    names = [_folded(gift.display_name) for gift in load_catalog(version).gifts]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_gifts_the_list_names_alike_are_shown_apart_and_keep_their_ids(catalog: Catalog) -> None:
    throne, other_throne = catalog.gift(GiftId(7764)), catalog.gift(GiftId(8420))
    assert throne.name == other_throne.name == "Star Throne"
    assert (throne.display_name, other_throne.display_name) == (
        "Star Throne #7764",
        "Star Throne #8420",
    )
    assert catalog.gift(GiftId(5480)).display_name == "Heart (10 coins)"
    assert (
        catalog.gift(GiftId(5651)).name == "Garland "
        and catalog.gift(GiftId(5651)).display_name == "Garland"
    )
    assert (
        catalog.gift(GiftId(5655)).display_name == "Rose"
        and catalog.gift(GiftId(5655)).image_url is None
    )


def test_two_gifts_that_would_look_the_same_are_refused_naming_both(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        for gift_id in (7764, 8420):
            text = replace_once(f'{gift_id} = {{ name = "Star Throne #{gift_id}" }}\n', "")(text)
        return text

    with pytest.raises(CatalogInvalidError) as info:
        load_catalog(path=write_catalog(tmp_path, edit))
    assert "gifts 7764 and 8420 would both be shown as 'Star Throne'" in str(info.value)


def test_a_display_name_differing_only_in_case_is_refused(tmp_path: Path) -> None:
    edit = replace_once('6890 = { name = "Love You (1 coin)" }', '6890 = { name = "ROSE" }')
    with pytest.raises(CatalogInvalidError) as info:
        load_catalog(path=write_catalog(tmp_path, edit))
    assert "would both be shown as" in str(info.value) and "5655" in str(info.value)


def test_an_operator_can_give_a_gift_a_picture_and_an_animation(tmp_path: Path) -> None:
    media = (
        '5655 = { image_url = "https://cdn.example/rose.png",'
        ' animation_url = "https://cdn.example/rose.webm" }'
    )
    path = write_catalog(tmp_path, replace_once("[gift_display]\n", f"[gift_display]\n{media}\n"))
    rose = load_catalog(path=path).gift(GiftId(5655))
    assert rose.display_name == "Rose"
    assert rose.image_url == "https://cdn.example/rose.png"
    assert rose.animation_url == "https://cdn.example/rose.webm"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('1 = { name = "Nothing" }', "gift_display.1: no gift with id '1'"),
        ('5655 = { name = " Rose" }', "gift_display.5655.name: a display name is printable"),
        ('5655 = { image_url = "javascript:alert(1)" }', "gift_display.5655.image_url"),
        ('5655 = { animation_url = "https://x/a b" }', "gift_display.5655.animation_url"),
        ('5655 = { colour = "red" }', "gift_display.5655: unknown keys colour"),
        ('5655 = "Rose"', "gift_display.5655: expected a table"),
    ],
)
def test_a_bad_display_entry_is_refused_naming_it(
    tmp_path: Path, entry: str, expected: str
) -> None:
    path = write_catalog(tmp_path, replace_once("[gift_display]\n", f"[gift_display]\n{entry}\n"))
    with pytest.raises(CatalogInvalidError) as info:
        load_catalog(path=path)
    assert expected in str(info.value)
