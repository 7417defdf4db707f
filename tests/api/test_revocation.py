"""Credentials that can be taken back (decision 0026), over HTTP against a served app on
SQLite and PostgreSQL: a user token is refused once revoked, once the key that issued
it is revoked or rotated out, once issued before its user's cut-off, or once its user
no longer holds its role; admin tokens only for staff users; a room's tokens all at
once; and the sweep deletes what expired, nothing else."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from giftflow.http.keys import api_keys, create_api_key, revoke_api_key, rotate_api_key
from tests.api.conftest import TOKEN_SECRET, World, assert_problem, bearer

Json = dict[str, Any]


def _wallet(world: World, user_id: int, token: str) -> httpx.Response:
    return world.get(f"/v1/wallets/{user_id}", token)


def _issued(world: World, user_id: int, role: str, key: str) -> Json:
    return world.ok(world.post("/v1/tokens", {"user_id": user_id, "role": role}, key), 201)


def test_revoking_the_issuing_key_revokes_its_tokens_and_only_its(world: World) -> None:
    alice = world.user("alice")["id"]
    gateway, other = world.key("tokens:write"), world.key("tokens:write")
    by_gateway = _issued(world, alice, "viewer", gateway)
    by_other = _issued(world, alice, "viewer", other)
    assert world.ok(_wallet(world, alice, by_gateway["token"]))["user_id"] == alice
    revoke_api_key(world.economy.ledger, gateway[3:19])
    assert_problem(_wallet(world, alice, by_gateway["token"]), 401, "token_revoked")
    assert world.ok(_wallet(world, alice, by_other["token"]))["user_id"] == alice


def test_a_creator_token_stops_when_its_user_stops_being_a_creator(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    creator, viewer = world.token(carol, "creator"), world.token(carol, "viewer")
    assert world.get(f"/v1/earnings/{carol}", creator).status_code == 200
    changed = world.patch_json(f"/v1/users/{carol}", {"is_creator": False}, world.admin_key)
    assert changed.status_code == 200, changed.text
    assert_problem(world.get(f"/v1/earnings/{carol}", creator), 401, "token_revoked")
    assert world.ok(_wallet(world, carol, viewer))["user_id"] == carol  # still a viewer


def test_admin_tokens_are_for_staff_users_only_and_stop_with_the_staff_role(
    world: World,
) -> None:
    ops, carol = world.user("ops")["id"], world.user("carol", creator=True)["id"]
    for user_id in (ops, carol):
        refused = world.post("/v1/tokens", {"user_id": user_id, "role": "admin"}, world.admin_key)
        assert_problem(refused, 422, "role_not_allowed")
    world.make_staff(ops)
    admin = _issued(world, ops, "admin", world.admin_key)["token"]
    assert world.get("/v1/admin/reconcile", admin).status_code == 200
    # a key with tokens:write but not admin never issues admin tokens, staff or not
    gateway = world.key("tokens:write")
    refused = world.post("/v1/tokens", {"user_id": ops, "role": "admin"}, gateway)
    assert_problem(refused, 403, "scope_missing")
    world.make_staff(ops, staff=False)
    assert_problem(world.get("/v1/admin/reconcile", admin), 401, "token_revoked")


def test_a_token_revokes_itself_and_keys_revoke_any_by_id(world: World) -> None:
    alice, bob = world.user("alice")["id"], world.user("bob")["id"]
    signing_out = _issued(world, alice, "viewer", world.admin_key)
    answer = world.ok(world.post("/v1/tokens/revoke", {}, signing_out["token"]))
    assert answer == {"token_id": signing_out["token_id"], "revoked": True}
    assert_problem(_wallet(world, alice, signing_out["token"]), 401, "token_revoked")

    lost, bobs = (_issued(world, user, "viewer", world.admin_key) for user in (alice, bob))
    # a user's token cannot revoke another token (it cannot know whose it is)
    refused = world.post("/v1/tokens/revoke", {"token_id": lost["token_id"]}, bobs["token"])
    assert_problem(refused, 403, "forbidden")
    assert _wallet(world, alice, lost["token"]).status_code == 200
    gateway = world.key("tokens:write")
    by_id = world.ok(world.post("/v1/tokens/revoke", {"token_id": lost["token_id"]}, gateway))
    assert by_id == {"token_id": lost["token_id"], "revoked": True}
    again = world.ok(world.post("/v1/tokens/revoke", {"token_id": lost["token_id"]}, gateway))
    assert again["revoked"] is False
    assert_problem(_wallet(world, alice, lost["token"]), 401, "token_revoked")
    assert _wallet(world, bob, bobs["token"]).status_code == 200
    # a key is no token: it must name one
    assert_problem(world.post("/v1/tokens/revoke", {}, gateway), 403, "forbidden")
    for bad in ("", "x" * 32, "A" * 32, 7):
        refused = world.post("/v1/tokens/revoke", {"token_id": bad}, gateway)
        assert_problem(refused, 422, "validation_failed")


def test_signing_out_everywhere_refuses_every_older_token_of_the_user(world: World) -> None:
    alice, bob = world.user("alice")["id"], world.user("bob")["id"]
    phone, laptop = world.token(alice), world.token(alice)
    bobs = world.token(bob)
    world.clock.advance(seconds=2)
    refused = world.post(f"/v1/users/{alice}/tokens/revoke", {}, bobs)
    assert_problem(refused, 403, "forbidden")
    answer = world.ok(world.post(f"/v1/users/{alice}/tokens/revoke", {}, phone))
    assert answer["user_id"] == alice
    for token in (phone, laptop):
        assert_problem(_wallet(world, alice, token), 401, "token_revoked")
    assert _wallet(world, bob, bobs).status_code == 200
    world.clock.advance(seconds=1)
    assert _wallet(world, alice, world.token(alice)).status_code == 200  # signed in again


def test_a_rotated_key_works_for_its_grace_period_then_stops_with_its_tokens(
    world: World,
) -> None:
    alice = world.user("alice")["id"]
    old = create_api_key(world.economy.ledger, name="gateway", scopes=["tokens:write"])
    token = _issued(world, alice, "viewer", old.key)["token"]
    new = rotate_api_key(world.economy.ledger, old.id, grace_s=60)
    assert new.scopes == old.scopes and new.name == "gateway"
    listed = {key.id: key for key in api_keys(world.economy.ledger)}
    assert listed[old.id].revoked_at_ns > world.clock.now_ns() and listed[new.id].revoked_at_ns == 0
    assert _wallet(world, alice, token).status_code == 200
    assert world.post("/v1/tokens", {"user_id": alice}, old.key).status_code == 201
    world.clock.advance(seconds=61)
    assert_problem(world.post("/v1/tokens", {"user_id": alice}, old.key), 401, "unauthenticated")
    assert_problem(_wallet(world, alice, token), 401, "token_revoked")
    assert world.post("/v1/tokens", {"user_id": alice}, new.key).status_code == 201
    # revoking for later never postpones a revocation already in force
    assert not revoke_api_key(world.economy.ledger, old.id, after_s=3600)


def test_revoking_a_rooms_tokens_refuses_every_one_issued_so_far(world: World) -> None:
    carol, dave = (world.user(n, creator=True)["id"] for n in ("carol", "dave"))
    carols = world.token(carol, "creator")
    first = world.ok(world.post(f"/v1/rooms/{carol}/tokens", {}, carols), 201)
    assert first["generation"] == 0
    state = f"/v1/rooms/{carol}/overlay-state"
    assert world.client.get(state, params={"token": first["token"]}).status_code == 200

    refused = world.post(f"/v1/rooms/{carol}/tokens/revoke", {}, world.token(dave, "creator"))
    assert_problem(refused, 403, "forbidden")
    revoked = world.ok(world.post(f"/v1/rooms/{carol}/tokens/revoke", {}, carols))
    assert revoked == {"room_id": carol, "generation": 1}
    assert_problem(world.client.get(state, params={"token": first["token"]}), 401, "token_revoked")
    second = world.ok(world.post(f"/v1/rooms/{carol}/tokens", {}, world.admin_key), 201)
    assert second["generation"] == 1
    assert world.client.get(state, params={"token": second["token"]}).status_code == 200
    # another room's generation is its own
    daves = world.ok(world.post(f"/v1/rooms/{dave}/tokens", {}, world.admin_key), 201)
    assert daves["generation"] == 0
    not_a_room = world.post(
        f"/v1/rooms/{world.user('eve')['id']}/tokens/revoke", {}, world.admin_key
    )
    assert_problem(not_a_room, 422, "not_a_creator")


@pytest.mark.parametrize("role", ["viewer", "creator"])
def test_tokens_without_an_id_or_an_issuing_key_are_refused(world: World, role: str) -> None:
    """Tokens of the kind giftflow signed before revocation existed: no ``jti``, no
    ``key``. They expire within minutes anyway; until then they are not honoured."""
    carol = world.user("carol", creator=True)["id"]
    now_s = world.clock.now_ns() // 1_000_000_000
    old = jwt.encode(
        {"iss": "giftflow", "sub": str(carol), "role": role, "iat": now_s, "exp": now_s + 600},
        TOKEN_SECRET,
        algorithm="HS256",
    )
    assert_problem(_wallet(world, carol, old), 401, "token_invalid")


def test_the_sweep_deletes_only_what_expired(world: World) -> None:
    alice = world.user("alice")["id"]
    world.buy(alice, 100)  # an idempotency record, answered
    kept_token = _issued(world, alice, "viewer", world.admin_key)
    gone = _issued(world, alice, "viewer", world.admin_key)
    world.ok(world.post("/v1/tokens/revoke", {}, gone["token"]))
    records = world.count("idempotency_keys")
    assert records >= 1 and world.count("revoked_tokens") == 1

    assert world.economy.delete_expired().total == 0  # nothing is old yet
    world.clock.advance(seconds=900 + 1)  # the revoked token would have expired
    swept = world.economy.delete_expired()
    assert swept.revoked_tokens == 1 and swept.idempotency_keys == 0
    world.clock.advance(seconds=7 * 86_400)  # GIFTFLOW_IDEMPOTENCY_RETENTION_S
    fresh = world.user("bob")["id"]
    world.buy(fresh, 100)
    swept = world.economy.delete_expired()
    assert swept.idempotency_keys == records
    assert world.count("idempotency_keys") >= 1  # the fresh purchase's record stays
    assert kept_token["token_id"]  # (unrevoked tokens are never in the table)
    assert world.economy.reconcile().ok


def test_a_bearer_header_with_a_revoked_token_is_refused_before_any_work(world: World) -> None:
    alice, carol = world.user("alice")["id"], world.user("carol", creator=True)["id"]
    world.buy(alice, 1_000)
    token = _issued(world, alice, "viewer", world.admin_key)
    world.ok(world.post("/v1/tokens/revoke", {}, token["token"]))
    before = world.coins(alice)
    gift = world.client.post(
        "/v1/gifts",
        json=world.gift_body(alice, carol),
        headers=bearer(token["token"]) | {"Idempotency-Key": "after-sign-out"},
    )
    assert_problem(gift, 401, "token_revoked")
    assert world.coins(alice) == before
