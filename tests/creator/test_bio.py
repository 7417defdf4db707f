"""The link-in-bio page's pure rules: slugs, links, referrers, regions, the figures
against a naive recount of any visits, the signed lead links, and the CSV export read
back by a real CSV parser (every cell as written, none able to start a formula)."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giftflow.creator.bio import (
    BioError,
    BioLink,
    LinkWanted,
    Visit,
    check_links,
    check_slug,
    check_url,
    figures,
    referrer_host,
    region_of,
)
from giftflow.creator.leads import (
    CSV_COLUMNS,
    Lead,
    LeadState,
    Purpose,
    check_email,
    leads_csv,
    safe_cell,
    signature,
    signed,
    text_sha256,
)
from giftflow.ids import UserId

SECRET = b"bio-test-secret-0123456789abcdef"
REGIONS = frozenset({"US", "GB", "DE"})


@pytest.mark.parametrize("slug", ["abc", "carol-draws", "a1b", "x" * 32])
def test_good_slugs_are_kept(slug: str) -> None:
    assert check_slug(slug) == slug


@pytest.mark.parametrize("slug", ["ab", "-abc", "abc-", "Carol", "a b", "x" * 33, "ca_rol", ""])
def test_bad_slugs_are_refused(slug: str) -> None:
    with pytest.raises(BioError) as refused:
        check_slug(slug)
    assert refused.value.code == "bio_slug_invalid"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "//evil.example",
        "https://user:pw@evil.example",
        "https://",
        "https://evil.example/\nx",
        "https://[x/",
        "https://a.example/" + "x" * 2100,
    ],
)
def test_links_a_browser_must_not_follow_are_refused(url: str) -> None:
    with pytest.raises(BioError) as refused:
        check_url(url)
    assert refused.value.code == "bio_link_invalid"


def test_a_link_is_listed_once_and_titled() -> None:
    with pytest.raises(BioError):
        check_links([LinkWanted("A", "https://a.example", "bl_1")] * 2)
    with pytest.raises(BioError):
        check_links([LinkWanted("", "https://a.example")])
    check_links([LinkWanted("A", "https://a.example"), LinkWanted("A", "https://a.example")])


@pytest.mark.parametrize(
    ("referer", "host"),
    [
        ("https://www.TikTok.com:443/@carol?x=1", "www.tiktok.com"),
        ("http://instagram.com", "instagram.com"),
        ("android-app://com.zhiliaoapp.musically/", ""),
        ("not a url", ""),
        ("https://[::1]/", ""),
        ("https://ex ample.com/", ""),
        (None, ""),
    ],
)
def test_only_the_host_of_a_referrer_is_kept(referer: str | None, host: str) -> None:
    assert referrer_host(referer) == host


@given(st.text(max_size=300))
def test_a_referrer_host_is_never_more_than_a_host(referer: str) -> None:
    host = referrer_host(referer)
    assert all(c.isascii() and (c.isalnum() or c in "-.") for c in host)
    assert host == host.lower() and len(host) <= 253


def test_a_region_is_one_of_the_catalogs_or_unknown() -> None:
    assert region_of(" us ", REGIONS) == "US"
    assert region_of("ZZ", REGIONS) == region_of(None, REGIONS) == region_of("", REGIONS) == ""


LINK_IDS = ("bl_a", "bl_b", "bl_c")
visits = st.lists(
    st.builds(
        Visit,
        creator_id=st.just(7),
        at=st.integers(0, 10**18),
        referrer_host=st.sampled_from(["", "tiktok.com", "instagram.com"]),
        region=st.sampled_from(["", "US", "GB"]),
        link_id=st.one_of(st.none(), st.sampled_from(LINK_IDS)),
    ),
    max_size=60,
)


@given(visits, st.sets(st.sampled_from(LINK_IDS)))
def test_the_figures_equal_a_naive_recount(counted: list[Visit], removed: set[str]) -> None:
    links = [
        BioLink(link_id, UserId(7), position, link_id.upper(), f"https://{link_id}.example", 1,
                2 if link_id in removed else None)
        for position, link_id in enumerate(LINK_IDS)
    ]  # fmt: skip
    views = [v for v in counted if v.link_id is None]
    clicks = Counter(v.link_id for v in counted if v.link_id is not None)
    result = figures(
        UserId(7),
        views=len(views),
        links=links,
        clicks_by_link=dict(clicks),
        referrers=Counter(v.referrer_host for v in views),
        regions=Counter(v.region for v in views),
    )
    assert result.views == len(views) and result.clicks == sum(clicks.values())
    assert sum(f.clicks for f in result.links) == result.clicks
    assert sum(n for _, n in result.referrers) == sum(n for _, n in result.regions) == len(views)
    for f in result.links:
        assert f.clicks == clicks[f.link_id] and f.removed == (f.link_id in removed)
        expected = f.clicks * 10_000 // len(views) if views else 0
        assert f.click_through_bps == expected
    present = [f.link_id for f in result.links if not f.removed]
    assert [f.link_id for f in result.links][: len(present)] == present  # removed ones last


def test_signed_links_hold_only_for_their_purpose_lead_and_request() -> None:
    sig = signature(SECRET, Purpose.CONFIRM, "ld_1", 5)
    assert signed(SECRET, Purpose.CONFIRM, "ld_1", sig, 5)
    assert not signed(SECRET, Purpose.CONFIRM, "ld_1", sig, 6)  # a later request
    assert not signed(SECRET, Purpose.DELETE, "ld_1", sig, 5)
    assert not signed(SECRET, Purpose.CONFIRM, "ld_2", sig, 5)
    assert not signed(b"another-secret-0123456789abcdef!", Purpose.CONFIRM, "ld_1", sig, 5)
    assert not signed(SECRET, Purpose.CONFIRM, "ld_1", "é" + sig[1:], 5)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [(" Fan@Example.COM ", "fan@example.com"), ("a.b+c@x.co.uk", "a.b+c@x.co.uk")],
)
def test_good_addresses_are_kept_in_lower_case(typed: str, kept: str) -> None:
    assert check_email(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "fan",
        "fan@",
        "@x.com",
        "fan@x",
        "fan@-x.com",
        "a b@x.com",
        "f@x..com",
        "x" * 65 + "@x.com",
        "fan@x.com,b@y.com",
    ],
)
def test_bad_addresses_are_refused(typed: str) -> None:
    with pytest.raises(BioError) as refused:
        check_email(typed)
    assert refused.value.code == "lead_email_invalid"


def test_the_consent_fingerprint_is_of_the_normalised_text() -> None:
    assert text_sha256("café") == text_sha256("cafe\u0301")
    assert text_sha256("I agree") != text_sha256("I agree.")


cells = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)


@given(st.lists(st.tuples(cells, st.sampled_from(list(LeadState)), st.integers(1, 10**18)),
                max_size=8))  # fmt: skip
def test_the_csv_reads_back_cell_for_cell_and_starts_no_formula(
    rows: list[tuple[str, LeadState, int]],
) -> None:
    leads = [
        Lead(f"ld_{n}", UserId(7), email, state, 1, "ab" * 32, at, at if state else None, None)
        for n, (email, state, at) in enumerate(rows)
    ]
    text = leads_csv(leads, instant=str)
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == list(CSV_COLUMNS)
    assert [row[1] for row in read[1:]] == [safe_cell(lead.email) for lead in leads]
    assert [row[2] for row in read[1:]] == [str(lead.state) for lead in leads]
    for row in read[1:]:
        assert not any(cell[:1] in ("=", "+", "-", "@") and cell for cell in row)
