"""Battles by invitation over HTTP: a creator can no longer pull another creator's LIVE
into a battle (the review's probe), the invited host answers for their own session
only, and an unanswered invitation expires without blocking anyone."""

from __future__ import annotations

from dataclasses import dataclass

from tests.api.conftest import Json, World, assert_problem


@dataclass
class Hosts:
    rooms: dict[str, int]
    sessions: dict[str, int]
    tokens: dict[str, str]


def hosts(world: World, *names: str) -> Hosts:
    cast = Hosts({}, {}, {})
    for name in names:
        room = cast.rooms[name] = world.user(name, creator=True)["id"]
        token = cast.tokens[name] = world.token(room, "creator")
        started = world.post(f"/v1/rooms/{room}/sessions", {}, token)
        cast.sessions[name] = world.ok(started, 201)["id"]
    return cast


def invite(world: World, cast: Hosts, inviter: str, *invitees: str, **fields: object) -> Json:
    body = {
        "session_id": cast.sessions[inviter],
        "invitee_session_ids": [cast.sessions[name] for name in invitees],
    }
    response = world.post("/v1/battle-invitations", body | fields, cast.tokens[inviter])
    return world.ok(response, 201)


def answer(world: World, invitation: Json, what: str, session_id: int, credential: str) -> Json:
    path = f"/v1/battle-invitations/{invitation['id']}/{what}"
    return world.ok(world.post(path, {"session_id": session_id}, credential))


def test_a_creator_cannot_pull_another_creators_live_into_a_battle(world: World) -> None:
    cast = hosts(world, "carol", "dave", "erin")
    pulled = {"session_ids": [cast.sessions["carol"], cast.sessions["dave"]], "duration_s": 86_400}

    refused = world.post("/v1/battles", pulled, cast.tokens["dave"])

    assert "battle-invitations" in assert_problem(refused, 403, "forbidden")["detail"]
    assert world.count("battles") == 0
    own = invite(world, cast, "carol", "erin")  # carol still starts her own
    started = answer(world, own, "accept", cast.sessions["erin"], cast.tokens["erin"])
    assert started["state"] == "accepted" and started["battle_id"] is not None


def test_only_the_invited_host_or_a_writer_on_their_behalf_answers(world: World) -> None:
    cast = hosts(world, "carol", "dave")
    invitation = invite(world, cast, "carol", "dave", duration_s=120)
    path = f"/v1/battle-invitations/{invitation['id']}/accept"
    dave_session = {"session_id": cast.sessions["dave"]}

    assert_problem(world.post(path, dave_session, cast.tokens["carol"]), 403, "forbidden")
    carol_session = {"session_id": cast.sessions["carol"]}
    not_invited = world.post(path, carol_session, cast.tokens["carol"])
    assert_problem(not_invited, 404, "battle_invitee_not_found")
    assert world.count("battles") == 0

    accepted = answer(world, invitation, "accept", cast.sessions["dave"], world.key("live:write"))
    battle = world.ok(world.get(f"/v1/battles/{accepted['battle_id']}", cast.tokens["dave"]))
    assert battle["state"] == "running"
    assert [side["session_id"] for side in battle["sides"]] == [
        cast.sessions["carol"],
        cast.sessions["dave"],
    ]
    again = answer(world, invitation, "accept", cast.sessions["dave"], cast.tokens["dave"])
    assert again == accepted  # a retry changes nothing


def test_an_unanswered_invitation_expires_and_never_blocked_the_invitee(world: World) -> None:
    cast = hosts(world, "carol", "dave", "erin")
    stale = invite(world, cast, "carol", "dave", expires_in_s=30)
    room = f"/v1/rooms/{cast.rooms['dave']}/battle-invitations"
    listed = world.ok(world.get(room, cast.tokens["dave"]))
    assert [i["id"] for i in listed["invitations"]] == [stale["id"]]
    own = invite(world, cast, "dave", "erin")  # dave is free to battle someone else
    declined = answer(world, own, "decline", cast.sessions["erin"], cast.tokens["erin"])
    assert declined["state"] == "declined"

    world.clock.advance(seconds=30)

    read = world.ok(world.get(f"/v1/battle-invitations/{stale['id']}", cast.tokens["dave"]))
    assert read["state"] == "expired"
    late = world.post(
        f"/v1/battle-invitations/{stale['id']}/accept",
        {"session_id": cast.sessions["dave"]},
        cast.tokens["dave"],
    )
    assert_problem(late, 409, "battle_invitation_expired")
    assert world.count("battles") == 0


def test_the_inviter_withdraws_and_a_second_invitation_waits_for_that(world: World) -> None:
    cast = hosts(world, "carol", "dave", "erin")
    first = invite(world, cast, "carol", "dave")
    body = {"session_id": cast.sessions["carol"], "invitee_session_ids": [cast.sessions["erin"]]}

    busy = world.post("/v1/battle-invitations", body, cast.tokens["carol"])
    assert_problem(busy, 409, "battle_invitation_pending")
    withdraw = f"/v1/battle-invitations/{first['id']}/withdraw"
    assert_problem(world.post(withdraw, None, cast.tokens["dave"]), 403, "forbidden")
    assert world.ok(world.post(withdraw, None, cast.tokens["carol"]))["state"] == "cancelled"
    assert world.ok(world.post("/v1/battle-invitations", body, cast.tokens["carol"]), 201)
