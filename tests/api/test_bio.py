"""Link-in-bio pages over real HTTP, on SQLite and PostgreSQL: the page renders its
sections with no third-party anything, views and clicks are counted and the figures
equal a recount of the stored rows, a click goes only to a stored link, the lead form
refuses without consent (and changes nothing), double opt-in completes through webhooks
out at a loopback receiver, unsubscribe and delete work from their signed links, the
creator's CSV export matches the leads and defuses formulas, and bad input is refused."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from giftflow.creator.bio import Visit
from giftflow.ids import UserId
from giftflow.service.creator import bio_leads
from giftflow.service.creator.bio import Bio, BioSettings
from giftflow.service.economy import Economy
from giftflow.service.live import LiveSettings
from giftflow.service.live.context import LiveContext
from giftflow.service.webhooks.outbox import EVENT_TYPES
from tests.api.conftest import HOOKS, TOKEN_SECRET, World, assert_problem, open_world
from tests.api.receiver import Receiver
from tests.api.test_schedules import dashboard, deliver, rfc3339

Json = dict[str, Any]
REGION_HEADER = "X-Edge-Region"
SETTINGS: Json = HOOKS | {
    "region_header": REGION_HEADER,
    "bio_page_cache_s": 0,
}
CONSENT = "I agree that Carol emails me about her LIVEs and shop. I can unsubscribe any time."
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    with open_world(database_url, tmp_path / "payouts", **SETTINGS) as opened:
        yield opened


def make_page(world: World, creator: int, slug: str = "carol", **fields: Any) -> Json:
    body = {"slug": slug, "title": "Carol draws", "about": "Art LIVEs"} | fields
    return world.ok(world.put_json(f"/v1/creators/{creator}/bio", body, world.admin_key))


def put_links(world: World, creator: int, links: list[Json]) -> list[Json]:
    answer = world.put_json(f"/v1/creators/{creator}/bio/links", {"links": links}, world.admin_key)
    found: list[Json] = world.ok(answer)["links"]
    return found


def leave(world: World, slug: str, **fields: str) -> httpx.Response:
    return world.client.post(f"/b/{slug}/leads", data=fields, headers=FORM)


def subscribe(world: World, url: str) -> Json:
    body = {"url": url, "event_types": [t for t in EVENT_TYPES if t.startswith("lead.")]}
    return world.ok(world.post("/v1/webhook-endpoints", body, world.admin_key), 201)


def rows(world: World, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    return world.economy.ledger.read(lambda tx: tx.execute(sql, parameters).fetchall())


def local(url: str) -> str:
    """A signed link names GIFTFLOW_PUBLIC_URL; the test server listens elsewhere."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def carol_with_page(world: World) -> tuple[int, list[Json]]:
    carol = world.user("carol", creator=True)["id"]
    make_page(world, carol, consent_text=CONSENT)
    links = put_links(
        world,
        carol,
        [
            {"title": "My shop", "url": "https://shop.example/carol"},
            {"title": "Portfolio", "url": "https://art.example/?a=1&b=<2>"},
        ],
    )
    return carol, links


# --- the page and its figures -----------------------------------------------------------


def test_the_page_shows_its_sections_and_nothing_from_elsewhere(world: World) -> None:
    carol, links = carol_with_page(world)
    starts = datetime.fromtimestamp(world.clock.now_ns() // 10**9, UTC) + timedelta(hours=3)
    body = {"title": "Sunday portraits", "starts_at": rfc3339(starts)}
    world.ok(world.post(f"/v1/rooms/{carol}/schedules", body, world.admin_key), 201)
    perks = {"perks": [{"level": 2, "kind": "badge", "value": "Brush"}]}
    world.ok(world.put_json(f"/v1/rooms/{carol}/perks", perks, world.admin_key))

    page = world.client.get("/b/carol")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "form-action 'self'" in policy
    assert "script-src" not in policy
    html = page.text
    for fetching in ("<script", "<link", "<img", "<iframe", " src=", "@import", "url("):
        assert fetching not in html, fetching  # nothing the browser would fetch
    assert "Carol draws" in html and "Art LIVEs" in html
    for link in links:
        assert f'href="/b/carol/l/{link["id"]}"' in html
        assert link["url"] not in html  # the page links through the counter only
    assert "Sunday portraits" in html and 'data-level="2"' in html and "Brush" in html
    assert 'action="/b/carol/leads"' in html and 'data-consent-version="1"' in html
    assert CONSENT in html
    assert world.client.get("/b/nobody").status_code == 404


def test_views_and_clicks_are_counted_and_the_figures_equal_a_recount(world: World) -> None:
    carol, links = carol_with_page(world)
    shop, portfolio = links
    visits = [
        ("https://www.tiktok.com/@carol?x=1", "us"),
        ("https://www.tiktok.com/", "GB"),
        ("https://instagram.com/p/1", "ZZ"),  # not a catalog region
        (None, None),
        ("not a url", "US"),
    ]
    for referer, region in visits:
        headers = {k: v for k, v in (("Referer", referer), (REGION_HEADER, region)) if v}
        assert world.client.get("/b/carol", headers=headers).status_code == 200
    for link, times in ((shop, 3), (portfolio, 1)):
        for _ in range(times):
            answer = world.client.get(f"/b/carol/l/{link['id']}", follow_redirects=False)
            assert answer.status_code == 302
            assert httpx.URL(answer.headers["location"]) == httpx.URL(link["url"])
    # A removed link keeps its clicks in the figures, and no longer redirects.
    put_links(world, carol, [{"id": shop["id"], "title": "Shop", "url": shop["url"]}])
    assert world.client.get(f"/b/carol/l/{portfolio['id']}").status_code == 404

    figures = world.ok(world.get(f"/v1/creators/{carol}/bio/analytics", world.admin_key))
    assert figures == recount(world, carol)
    assert dashboard_figures(world, carol) == shown_figures(figures)
    assert figures["views"] == 5 and figures["clicks"] == 4
    assert figures["click_through_bps"] == 8_000
    assert {(r["value"], r["views"]) for r in figures["referrers"]} == {
        ("www.tiktok.com", 2), ("instagram.com", 1), ("", 2)
    }  # fmt: skip
    assert {(r["value"], r["views"]) for r in figures["regions"]} == {("US", 2), ("GB", 1), ("", 2)}
    assert [(f["link_id"], f["removed"]) for f in figures["links"]] == [
        (shop["id"], False), (portfolio["id"], True)
    ]  # fmt: skip


def dashboard_figures(world: World, creator: int) -> dict[str, str]:
    """Every ``data-bio*`` value of the creator's dashboard, by attribute and key."""
    page = dashboard(world, creator)
    found = re.findall(r'data-bio(-[a-z-]+)?="([^"]*)">(?:<[^>]+>)*([^<]*)', page)
    return {f"{kind or ''}:{key}": value.strip() for kind, key, value in found}


def shown_figures(figures: Json) -> dict[str, str]:
    """What the dashboard must show for the API's figures (numbers as English groups)."""
    shown = {f":{key}": f"{figures[key]:,}" for key in ("views", "clicks", "click_through_bps")}
    for link in figures["links"]:
        title = link["title"] + (" (removed)" if link["removed"] else "")
        shown[f"-link:{link['link_id']}"] = title
        shown[f"-clicks:{link['link_id']}"] = f"{link['clicks']:,}"
        shown[f"-click-through:{link['link_id']}"] = f"{link['click_through_bps']:,}"
    for kind in ("referrer", "region"):
        for count in figures[f"{kind}s"]:
            shown[f"-{kind}:{count['value']}"] = f"{count['views']:,}"
    return shown


def recount(world: World, creator: int) -> Json:
    """The figures recomputed from the raw rows, with none of the service's code."""
    visits = rows(
        world, "SELECT link_id, referrer_host, region FROM bio_visits WHERE creator_id = ?", creator
    )
    links = rows(
        world,
        "SELECT id, title, url, removed_at FROM bio_links WHERE creator_id = ?"
        " ORDER BY removed_at <> 0, position, id",
        creator,
    )
    views = [v for v in visits if v[0] == ""]
    clicks = Counter(v[0] for v in visits if v[0] != "")

    def bps(n: int) -> int:
        return n * 10_000 // len(views) if views else 0

    def ranked(counter: Counter[str]) -> list[Json]:
        return [
            {"value": value, "views": n}
            for value, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        ]

    return {
        "creator_id": creator,
        "views": len(views),
        "clicks": sum(clicks.values()),
        "click_through_bps": bps(sum(clicks.values())),
        "links": [
            {
                "link_id": link_id,
                "title": title,
                "url": url,
                "removed": removed != 0,
                "clicks": clicks[link_id],
                "click_through_bps": bps(clicks[link_id]),
            }
            for link_id, title, url, removed in links
        ],
        "referrers": ranked(Counter(v[1] for v in views)),
        "regions": ranked(Counter(v[2] for v in views)),
    }


def test_a_click_goes_only_to_a_link_the_creator_stored(world: World) -> None:
    carol, (shop, _) = carol_with_page(world)
    dave = world.user("dave", creator=True)["id"]
    make_page(world, dave, slug="dave")
    (daves,) = put_links(world, dave, [{"title": "Dave", "url": "https://dave.example"}])
    for path in (
        f"/b/carol/l/{daves['id']}",  # another creator's link under carol's page
        "/b/carol/l/https:%2F%2Fevil.example",
        "/b/carol/l/bl_unknown",
        f"/b/nobody/l/{shop['id']}",
    ):
        answer = world.client.get(path, follow_redirects=False)
        assert answer.status_code == 404 and "location" not in answer.headers, path
    assert world.client.get(f"/b/carol/l/{shop['id']}?to=https://evil.example",
                            follow_redirects=False).headers["location"] == shop["url"]  # fmt: skip
    figures = world.ok(world.get(f"/v1/creators/{carol}/bio/analytics", world.admin_key))
    assert figures["clicks"] == 1


# --- the lead form ----------------------------------------------------------------------


def test_the_lead_form_refuses_without_consent_and_changes_nothing(world: World) -> None:
    carol_with_page(world)
    before = world.count("bio_leads"), world.count("webhook_deliveries")
    refusals = [
        ({"email": "fan@example.com", "consent_version": "1"}, 422, "lead_consent_missing"),
        ({"email": "fan@example.com", "consent": "no", "consent_version": "1"}, 422,
         "lead_consent_missing"),
        ({"email": "not-an-address", "consent": "yes", "consent_version": "1"}, 422,
         "lead_email_invalid"),
        ({"email": "fan@example.com", "consent": "yes", "consent_version": "7"}, 409,
         "lead_consent_outdated"),
        ({"email": "fan@example.com", "consent": "yes", "consent_version": "\u00b9"}, 409,
         "lead_consent_outdated"),
    ]  # fmt: skip
    for fields, status, code in refusals:
        answer = leave(world, "carol", **fields)
        assert answer.status_code == status, (fields, answer.text)
        assert f'data-code="{code}"' in answer.text and 'action="/b/carol/leads"' in answer.text
    cross = world.client.post(
        "/b/carol/leads",
        data={"email": "fan@example.com", "consent": "yes", "consent_version": "1"},
        headers=FORM | {"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    not_a_form = world.client.post("/b/carol/leads", json={"email": "fan@example.com"})
    assert not_a_form.status_code == 400
    assert (world.count("bio_leads"), world.count("webhook_deliveries")) == before


def test_double_opt_in_then_unsubscribe_and_delete_through_signed_links(
    world: World, receiver: Receiver
) -> None:
    carol, _ = carol_with_page(world)
    endpoint = subscribe(world, receiver.url)
    answer = leave(world, "carol", email=" Fan@Example.COM ", consent="yes", consent_version="1")
    assert answer.status_code == 200 and "fan@example.com" in answer.text
    (lead,) = world.ok(world.get(f"/v1/creators/{carol}/leads", world.admin_key))["leads"]
    assert lead["state"] == "pending" and lead["consent_version"] == 1
    stored = rows(world, "SELECT text, text_sha256 FROM bio_consents WHERE creator_id = ?", carol)
    assert stored == [(CONSENT, lead["consent_text_sha256"])]

    deliver(world.economy)
    (requested,) = [e for e in receiver.events(endpoint["secret"]) if e["type"].startswith("lead.")]
    data = requested["data"]
    assert requested["type"] == "lead.confirmation_requested"
    assert (data["lead_id"], data["email"]) == (lead["id"], "fan@example.com")

    forged = local(data["confirm_url"]).replace("sig=", "sig=x")
    assert world.client.post(forged).status_code == 404
    opened = world.client.get(local(data["confirm_url"]))  # what a mail scanner does
    assert opened.status_code == 200 and "<form" in opened.text
    assert lead_state(world, carol) == "pending"
    done = world.client.post(local(data["confirm_url"]))
    assert done.status_code == 200 and 'data-done="confirm"' in done.text
    assert lead_state(world, carol) == "confirmed"
    # Leaving a confirmed address again changes nothing and asks no new email.
    assert leave(world, "carol", email="fan@example.com", consent="yes", consent_version="1")
    assert lead_state(world, carol) == "confirmed"

    unsubscribe = world.client.post(local(data["unsubscribe_url"]))
    assert unsubscribe.status_code == 200 and lead_state(world, carol) == "unsubscribed"
    assert world.client.post(local(data["confirm_url"])).status_code == 404
    assert world.client.post(local(data["delete_url"])).status_code == 200
    assert world.count("bio_leads") == 0
    assert world.client.post(local(data["delete_url"])).status_code == 404

    deliver(world.economy)
    types = [
        e["type"] for e in receiver.events(endpoint["secret"]) if e["type"].startswith("lead.")
    ]
    assert types == [
        "lead.confirmation_requested", "lead.confirmed", "lead.unsubscribed", "lead.deleted"
    ]  # fmt: skip


def lead_state(world: World, creator: int) -> str:
    (lead,) = world.ok(world.get(f"/v1/creators/{creator}/leads", world.admin_key))["leads"]
    state: str = lead["state"]
    return state


def test_the_csv_export_matches_the_leads_and_defuses_formulas(world: World) -> None:
    carol, _ = carol_with_page(world)
    addresses = ["=1+2@evil.example", "plain@example.com", "-x@example.com", "+y@example.com"]
    for email in addresses:
        answer = leave(world, "carol", email=email, consent="yes", consent_version="1")
        assert answer.status_code == 200, answer.text
    token = world.token(carol, "creator")
    exported = world.client.get(
        f"/v1/creators/{carol}/leads.csv", headers={"Authorization": f"Bearer {token}"}
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "\r\n" in exported.text
    table = list(csv.DictReader(io.StringIO(exported.text)))
    leads = world.ok(world.get(f"/v1/creators/{carol}/leads", token))["leads"]
    assert [row["lead_id"] for row in table] == [lead["id"] for lead in leads]
    for row, lead in zip(table, leads, strict=True):
        expected = lead["email"] if lead["email"][0] not in "=+-@" else "'" + lead["email"]
        assert row["email"] == expected
        assert (row["state"], row["consent_version"]) == (lead["state"], "1")
        assert row["consent_text_sha256"] == lead["consent_text_sha256"]
        assert row["confirmed_at"] == ""
    assert not any(cell and cell[0] in "=+-@" for row in table for cell in row.values())


def test_the_creator_deletes_a_lead_on_request(world: World, receiver: Receiver) -> None:
    carol, _ = carol_with_page(world)
    endpoint = subscribe(world, receiver.url)
    leave(world, "carol", email="gone@example.com", consent="yes", consent_version="1")
    (lead,) = world.ok(world.get(f"/v1/creators/{carol}/leads", world.admin_key))["leads"]
    path = f"/v1/creators/{carol}/leads/{lead['id']}"
    assert world.client.delete(path, headers={"Authorization": f"Bearer {world.admin_key}"}
                               ).status_code == 204  # fmt: skip
    assert world.count("bio_leads") == 0
    deliver(world.economy)
    deleted = [e for e in receiver.events(endpoint["secret"]) if e["type"] == "lead.deleted"]
    assert [e["data"]["lead_id"] for e in deleted] == [lead["id"]]
    assert "email" not in deleted[0]["data"]


def test_a_new_consent_text_is_a_new_version_and_old_forms_are_refused(world: World) -> None:
    carol, _ = carol_with_page(world)
    page = make_page(world, carol, consent_text=CONSENT)  # the same text: no new version
    assert page["consent_version"] == 1
    page = make_page(world, carol, consent_text=CONSENT + " Really.")
    assert page["consent_version"] == 2
    answer = leave(world, "carol", email="fan@example.com", consent="yes", consent_version="1")
    assert answer.status_code == 409 and 'data-consent-version="2"' in answer.text
    assert leave(world, "carol", email="fan@example.com", consent="yes", consent_version="2")
    (lead,) = world.ok(world.get(f"/v1/creators/{carol}/leads", world.admin_key))["leads"]
    assert (
        lead["consent_version"] == 2 and lead["consent_text_sha256"] == page["consent_text_sha256"]
    )


# --- bad settings -----------------------------------------------------------------------


def test_bad_settings_and_links_are_refused_with_their_code(world: World) -> None:
    carol, (shop, _) = carol_with_page(world)
    dave = world.user("dave", creator=True)["id"]
    alice = world.user("alice")["id"]
    path = f"/v1/creators/{dave}/bio"
    taken = world.put_json(path, {"slug": "carol", "title": "Dave"}, world.admin_key)
    assert_problem(taken, 409, "bio_slug_taken")
    bad_slug = world.put_json(path, {"slug": "-dave", "title": "Dave"}, world.admin_key)
    assert_problem(bad_slug, 422, "bio_slug_invalid")
    viewer = world.put_json(f"/v1/creators/{alice}/bio", {"slug": "alice", "title": "A"},
                            world.admin_key)  # fmt: skip
    assert_problem(viewer, 422, "not_a_creator")
    assert_problem(world.get(path, world.admin_key), 404, "bio_not_found")
    links = f"/v1/creators/{carol}/bio/links"
    for url in ("javascript:alert(1)", "https://user:pw@x.example", "//x.example", "https://[x/"):
        answer = world.put_json(links, {"links": [{"title": "X", "url": url}]}, world.admin_key)
        assert_problem(answer, 422, "bio_link_invalid")
    unknown = {"links": [{"id": "bl_nope", "title": "X", "url": "https://x.example"}]}
    assert_problem(world.put_json(links, unknown, world.admin_key), 404, "bio_link_not_found")
    twice = {"links": [{"id": shop["id"], "title": "X", "url": "https://x.example"}] * 2}
    assert_problem(world.put_json(links, twice, world.admin_key), 422, "bio_link_invalid")
    kept = world.ok(world.get(links, world.admin_key))["links"]
    assert [link["id"] for link in kept] == [shop["id"], kept[1]["id"]]


def test_the_page_speaks_the_servers_language(database_url: str, tmp_path: Path) -> None:
    with open_world(database_url, tmp_path / "payouts", locale="fr", **SETTINGS) as french:
        carol = french.user("carol", creator=True)["id"]
        make_page(french, carol, consent_text=CONSENT)
        page = french.client.get("/b/carol").text
        assert '<html lang="fr">' in page and "Restons en contact" in page
        assert "S&#x27;inscrire" in page and "Texte de consentement, version 1" in page
        refused = leave(french, "carol", email="fan@example.com", consent_version="1")
        assert "Cochez la case pour accepter" in refused.text


def test_a_confirmation_link_expires_and_only_the_latest_request_confirms(
    world: World, receiver: Receiver
) -> None:
    carol, _ = carol_with_page(world)
    endpoint = subscribe(world, receiver.url)
    form = {"email": "fan@example.com", "consent": "yes", "consent_version": "1"}
    leave(world, "carol", **form)
    world.clock.advance(seconds=60)
    leave(world, "carol", **form)  # within 10 minutes: no second email
    world.clock.advance(seconds=8 * 86_400)
    expired = requested_links(world, receiver, endpoint)
    assert len(expired) == 1
    answer = world.client.post(local(expired[0]))
    assert answer.status_code == 410 and 'data-code="lead_link_expired"' in answer.text
    leave(world, "carol", **form)  # asked again: a new link, the old one void
    first, latest = requested_links(world, receiver, endpoint)
    assert first == expired[0] and latest != first
    assert world.client.post(local(first)).status_code == 404
    assert world.client.post(local(latest)).status_code == 200
    assert lead_state(world, carol) == "confirmed"


def requested_links(world: World, receiver: Receiver, endpoint: Json) -> list[str]:
    deliver(world.economy)
    return [
        e["data"]["confirm_url"]
        for e in receiver.events(endpoint["secret"])
        if e["type"] == "lead.confirmation_requested"
    ]


def test_two_economies_on_one_database_keep_one_lead_per_address_and_every_view(
    postgres_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    """Two server processes' worth of economies on one PostgreSQL database, eight
    threads at once: the same address left 16 times is one lead with one confirmation
    requested, and the views both buffers counted are all stored."""
    with open_world(postgres_url, tmp_path / "payouts", **SETTINGS) as world:
        carol, _ = carol_with_page(world)
        endpoint = subscribe(world, receiver.url)
        other = Economy.open(world.economy.context.settings, clock=world.clock)
        try:
            secret = TOKEN_SECRET.encode()
            bios = [
                Bio(LiveContext(economy.context, world.bus, LiveSettings()),
                    BioSettings(secret=secret, public_url="http://x"))
                for economy in (world.economy, other)
            ]  # fmt: skip

            def leave_and_view(n: int) -> str:
                bio = bios[n % 2]
                for at in range(5):
                    bio.count(Visit(UserId(carol), world.clock.now_ns() + at))
                lead = bio_leads.leave(
                    bio, "carol", email="fan@example.com", consent_version=1, consented=True
                )
                return lead.id

            with ThreadPoolExecutor(8) as pool:
                ids = set(pool.map(leave_and_view, range(16)))
            assert sum(bio.flush() for bio in bios) == 16 * 5
        finally:
            other.close()
        assert len(ids) == 1 and world.count("bio_leads") == 1
        assert (
            world.ok(world.get(f"/v1/creators/{carol}/bio/analytics", world.admin_key))["views"]
            == 16 * 5
        )
        deliver(world.economy)
        requested = [
            e for e in receiver.events(endpoint["secret"])
            if e["type"] == "lead.confirmation_requested"
        ]  # fmt: skip
        assert [e["data"]["lead_id"] for e in requested] == list(ids)
