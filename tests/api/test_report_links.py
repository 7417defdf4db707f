"""Report links: the post-LIVE report page opened in a browser with no header, by a
signed, short-lived, revocable, read-only link that is a credential for nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from giftflow.http.keys import revoke_api_key
from giftflow.http.logs import redact
from tests.api.conftest import ROSE, World, assert_problem, bearer, open_world

Json = dict[str, Any]


def ended_live(world: World) -> Json:
    carol = world.user("carol", creator=True)["id"]
    alice = world.user("alice")["id"]
    world.buy(alice, 100)
    creator = world.token(carol, "creator")
    session = world.ok(world.post(f"/v1/rooms/{carol}/sessions", {"title": "Art"}, creator), 201)
    world.gift(alice, carol, ROSE, quantity=5, session_id=session["id"])
    world.clock.advance(seconds=60)
    world.ok(world.post(f"/v1/sessions/{session['id']}/end", None, creator))
    return {"carol": carol, "alice": alice, "session": session["id"], "creator": creator}


def make_link(world: World, session_id: int, credential: str, **body: Any) -> Json:
    return world.ok(world.post(f"/v1/sessions/{session_id}/report-links", body, credential), 201)


def open_link(world: World, link: Json) -> httpx.Response:
    """What a browser does: a GET of the URL, no header of ours."""
    return world.client.get(urlsplit(link["url"]).path)


def test_a_report_link_opens_the_report_page_without_headers(world: World) -> None:
    ids = ended_live(world)
    link = make_link(world, ids["session"], ids["creator"])
    assert link["session_id"] == ids["session"] and link["link_id"].startswith("rl_")
    assert link["url"].startswith("http://127.0.0.1:8000/reports/")
    assert link["expires_at"] == "2024-06-03T13:01:00Z"  # an hour after it was made
    page = open_link(world, link)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    with_header = world.get(f"/v1/sessions/{ids['session']}/report.html", ids["creator"])
    assert page.text == with_header.text and "Art" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-robots-tag"] == "noindex, nofollow"
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_a_french_server_serves_the_report_in_french(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fr.db'}"
    with open_world(url, tmp_path / "payouts", locale="fr") as world:
        ids = ended_live(world)
        page = world.get(f"/v1/sessions/{ids['session']}/report.html", ids["creator"])
        shared = open_link(world, make_link(world, ids["session"], ids["creator"]))
    for answer in (page, shared):
        assert answer.status_code == 200
        assert '<html lang="fr">' in answer.text
        assert "Rapport du LIVE" in answer.text and "Meilleurs soutiens" in answer.text
        assert "Post-LIVE report" not in answer.text and "Top supporters" not in answer.text
        assert '<span data-total="coins">5</span>' in answer.text  # the same figures


def test_a_report_link_expires_on_the_economy_clock(world: World) -> None:
    ids = ended_live(world)
    link = make_link(world, ids["session"], world.admin_key, expires_in_s=120)
    assert open_link(world, link).status_code == 200
    world.clock.advance(seconds=120)
    assert_problem(open_link(world, link), 401, "token_expired")


def test_a_revoked_report_link_opens_nothing(world: World) -> None:
    ids = ended_live(world)
    link, other = (make_link(world, ids["session"], ids["creator"]) for _ in range(2))
    revoke = f"/v1/sessions/{ids['session']}/report-links/{link['link_id']}/revoke"
    assert world.ok(world.post(revoke, None, ids["creator"])) == {
        "link_id": link["link_id"],
        "revoked": True,
    }
    assert world.ok(world.post(revoke, None, ids["creator"]))["revoked"] is False
    assert_problem(open_link(world, link), 401, "token_revoked")
    assert open_link(world, other).status_code == 200


def test_signing_out_everywhere_or_revoking_the_key_ends_the_links(world: World) -> None:
    ids = ended_live(world)
    by_creator = make_link(world, ids["session"], ids["creator"])
    key = world.key("live:read")
    by_key = make_link(world, ids["session"], key)
    world.clock.advance(seconds=1)
    world.ok(world.post(f"/v1/users/{ids['carol']}/tokens/revoke", None, world.admin_key))
    assert_problem(open_link(world, by_creator), 401, "token_revoked")
    assert_problem(open_link(world, by_key), 401, "token_revoked")
    world.clock.advance(seconds=1)
    fresh = make_link(world, ids["session"], key)
    assert open_link(world, fresh).status_code == 200
    revoke_api_key(world.economy.ledger, key.split("_")[1])
    assert_problem(open_link(world, fresh), 401, "token_revoked")


def test_a_report_link_is_no_credential_elsewhere_and_nothing_else_is_a_link(
    world: World,
) -> None:
    ids = ended_live(world)
    link = make_link(world, ids["session"], ids["creator"])
    signed = urlsplit(link["url"]).path.rsplit("/", 1)[1]
    report = f"/v1/sessions/{ids['session']}/report"
    assert_problem(world.get(report, signed), 401, "token_invalid")
    assert_problem(world.get(f"/v1/users/{ids['carol']}", signed), 401, "token_invalid")
    state = world.client.get(f"/v1/rooms/{ids['carol']}/overlay-state", params={"token": signed})
    assert_problem(state, 401, "token_invalid")
    room = world.ok(world.post(f"/v1/rooms/{ids['carol']}/tokens", None, ids["creator"]), 201)
    for credential in (ids["creator"], room["token"], signed[:-2] + "xx", "a.b.c"):
        answer = world.client.get(f"/reports/{credential}")
        problem = assert_problem(answer, 401, "token_invalid")
        assert problem["instance"] == "/reports/[redacted]"


def test_bad_report_link_requests_are_problems(world: World) -> None:
    ids = ended_live(world)
    path = f"/v1/sessions/{ids['session']}/report-links"
    for expires_in_s in (59, 86_401, 1.5, "60"):
        body = {"expires_in_s": expires_in_s}
        assert_problem(world.post(path, body, ids["creator"]), 422, "validation_failed")
    assert_problem(world.post(path, {"colour": 1}, ids["creator"]), 422, "validation_failed")
    unknown = "/v1/sessions/999999/report-links"
    assert_problem(world.post(unknown, {}, world.admin_key), 404, "session_not_found")
    bad_id = f"{path}/po_123/revoke"
    assert_problem(world.post(bad_id, None, ids["creator"]), 422, "validation_failed")
    answer = world.client.get("/reports/" + "a" * 3000)
    assert 400 <= answer.status_code < 500
    assert world.client.get("/reports/").status_code == 404


def test_another_creator_cannot_make_or_revoke_carols_links(world: World) -> None:
    ids = ended_live(world)
    dave = world.user("dave", creator=True)["id"]
    daves = world.token(dave, "creator")
    path = f"/v1/sessions/{ids['session']}/report-links"
    assert_problem(world.post(path, {}, daves), 403, "forbidden")
    link = make_link(world, ids["session"], ids["creator"])
    revoke = f"{path}/{link['link_id']}/revoke"
    assert_problem(world.post(revoke, None, daves), 403, "forbidden")
    assert world.client.get(urlsplit(link["url"]).path, headers=bearer(daves)).status_code == 200


def test_the_log_never_shows_a_report_link() -> None:
    line = '127.0.0.1:5 - "GET /reports/eyJhbGciOi.eyJpc3Mi.c2lnbmF0dXJl HTTP/1.1" 200'
    assert redact(line) == '127.0.0.1:5 - "GET /reports/[redacted] HTTP/1.1" 200'
    assert redact("/reports/abc?x=1") == "/reports/[redacted]?x=1"
    assert redact("/v1/sessions/1/report-links") == "/v1/sessions/1/report-links"
