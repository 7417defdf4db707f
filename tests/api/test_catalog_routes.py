"""The catalog over HTTP: the regions it knows with their terms, gifts people can tell
apart, and refusals that say where to look."""

from __future__ import annotations

from tests.api.conftest import World, assert_problem


def test_every_region_of_the_catalog_is_listed_with_its_terms(world: World) -> None:
    answer = world.ok(world.get("/v1/catalog/regions", world.admin_key))
    catalog = world.economy.catalog
    assert answer["catalog_version"] == catalog.version
    codes = [region["code"] for region in answer["regions"]]
    assert codes == sorted(region.code for region in catalog.regions)
    assert {"US", "JP", "DE"} <= set(codes) and "FR" not in codes
    us = next(region for region in answer["regions"] if region["code"] == "US")
    assert (us["name"], us["currency"]) == ("United States", "USD")
    assert [channel["channel"] for channel in us["channels"]] == ["web", "app_store"]
    web, app_store = us["channels"]
    assert web["store_fee_bps"] == 0 and app_store["store_fee_bps"] == 3000
    assert web["pack_ids"][0] == "US-web-70" and len(web["pack_ids"]) == 7
    assert web["custom_min_coins"] == 30
    payout = us["payout"]
    assert payout["currency"] == "USD" and payout["identity_verification_required"] is True
    assert payout["minimum_minor"] == catalog.region("US").payout.minimum_minor


def test_every_listed_region_sells_its_packs(world: World) -> None:
    """What the list says is what the packs route answers."""
    viewer = world.token(world.user("ana")["id"])
    for region in world.ok(world.get("/v1/catalog/regions", viewer))["regions"]:
        packs = world.ok(world.get("/v1/catalog/packs", viewer, region=region["code"]))
        listed = [pack_id for channel in region["channels"] for pack_id in channel["pack_ids"]]
        assert [pack["id"] for pack in packs["packs"]] == listed
        assert {pack["currency"] for pack in packs["packs"]} == {region["currency"]}


def test_an_unknown_region_names_the_regions_and_where_they_are_listed(world: World) -> None:
    for path in ("/v1/catalog/packs", "/v1/catalog/gifts"):
        problem = assert_problem(
            world.get(path, world.admin_key, region="FR"), 404, "region_not_found"
        )
        assert "no region 'FR'" in problem["detail"]
        assert "BR, DE, GB, ID, IN, JP, US" in problem["detail"]
        assert "GET /v1/catalog/regions" in problem["detail"]


def test_the_regions_need_credentials(world: World) -> None:
    assert_problem(world.get("/v1/catalog/regions"), 401, "unauthenticated")


def test_gifts_that_share_a_name_are_shown_apart(world: World) -> None:
    gifts = world.ok(world.get("/v1/catalog/gifts", world.admin_key))["gifts"]
    shown = [gift["display_name"] for gift in gifts]
    assert len({name.casefold() for name in shown}) == len(gifts) == 116
    thrones = [gift for gift in gifts if gift["name"] == "Star Throne"]
    assert [(gift["id"], gift["display_name"]) for gift in thrones] == [
        (7764, "Star Throne #7764"),
        (8420, "Star Throne #8420"),
    ]
    rose = next(gift for gift in gifts if gift["id"] == 5655)
    assert rose["display_name"] == "Rose"
    assert rose["image_url"] is None and rose["animation_url"] is None
