"""Names and titles are stored in NFC, and the writing that needs an invisible
character keeps it (refusals are in test_bad_input: 422 ``text_invalid``)."""

from __future__ import annotations

from tests.api.conftest import ADULT, World

PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
CODER = "\U0001f469\u200d\U0001f4bb"


def register(world: World, external_id: str, display_name: str) -> dict[str, object]:
    body = {"external_id": external_id, "display_name": display_name, "birth_date": ADULT}
    return world.ok(world.post("/v1/users", body | {"region": "US"}, world.admin_key), 201)


def test_a_display_name_is_stored_in_nfc(world: World) -> None:
    zoe = register(world, "zoe", "Zoe\u0308")

    assert zoe["display_name"] == "Zo\u00eb"
    assert world.economy.user_by_external_id("zoe").display_name == "Zo\u00eb"


def test_emoji_sequences_and_persian_keep_their_joiners(world: World) -> None:
    assert register(world, "ada", f"{CODER} Ada")["display_name"] == f"{CODER} Ada"
    assert register(world, "sara", PERSIAN)["display_name"] == PERSIAN


def test_a_session_title_keeps_a_persian_non_joiner_and_is_normalised(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    body = {"title": f"{PERSIAN} Cafe\u0301"}

    session = world.post(f"/v1/rooms/{carol}/sessions", body, world.key("live:write"))
    assert world.ok(session, 201)["title"] == f"{PERSIAN} Caf\u00e9"
