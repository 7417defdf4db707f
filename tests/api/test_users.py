"""Identity verification gates payouts, so it has a scope of its own: the key that
registers users (``users:write``) cannot vouch for them; ``users:verify`` (or an
administrator) can."""

from __future__ import annotations

from tests.api.conftest import ADULT, World, assert_problem


def registration(name: str, **fields: object) -> dict[str, object]:
    body = {"external_id": name, "display_name": name.title(), "birth_date": ADULT}
    return body | {"region": "US"} | fields


def test_a_users_write_key_cannot_set_identity_verified(world: World) -> None:
    writer = world.key("users:write")
    carol = world.user("carol", creator=True)["id"]
    world.ok(world.patch_json(f"/v1/users/{carol}", {"identity_verified": False}, world.admin_key))
    before = world.snapshot()

    refused = world.post("/v1/users", registration("eve", identity_verified=True), writer)
    assert_problem(refused, 403, "scope_missing")
    patched = world.patch_json(f"/v1/users/{carol}", {"identity_verified": True}, writer)
    assert "users:verify" in assert_problem(patched, 403, "scope_missing")["detail"]
    assert world.snapshot() == before
    assert world.economy.user(carol).identity_verified is False


def test_a_users_write_key_still_registers_and_makes_creators(world: World) -> None:
    writer = world.key("users:write")
    eve = world.ok(world.post("/v1/users", registration("eve"), writer), 201)
    assert eve["identity_verified"] is False

    made = world.ok(world.patch_json(f"/v1/users/{eve['id']}", {"is_creator": True}, writer))
    assert made["is_creator"] is True and made["identity_verified"] is False


def test_a_users_verify_key_verifies_an_identity_and_can_withdraw_it(world: World) -> None:
    verifier = world.key("users:verify")
    eve = world.user("eve")["id"]

    verified = world.ok(world.patch_json(f"/v1/users/{eve}", {"identity_verified": True}, verifier))
    assert verified["identity_verified"] is True
    withdrawn = world.patch_json(f"/v1/users/{eve}", {"identity_verified": False}, verifier)
    assert world.ok(withdrawn)["identity_verified"] is False
    creator = world.patch_json(f"/v1/users/{eve}", {"is_creator": True}, verifier)
    assert_problem(creator, 403, "scope_missing")


def test_both_scopes_register_a_verified_user(world: World) -> None:
    gateway = world.key("users:write", "users:verify")
    body = registration("vera", is_creator=True, identity_verified=True)

    vera = world.ok(world.post("/v1/users", body, gateway), 201)
    assert vera["identity_verified"] is True
