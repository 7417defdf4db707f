"""The analytics against brute force: each figure recomputed the slow, obvious way."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from giftflow.analytics.cohorts import cohorts
from giftflow.analytics.facts import FirstGift, GiftFact, LiveFacts
from giftflow.analytics.flows import FlowTotals, check_balanced, coin_flows
from giftflow.analytics.report import session_report, session_summary
from giftflow.analytics.series import minute_series
from giftflow.ids import UserId
from tests.analytics.conftest import MINUTE, MS, T0, S, chapter, gift, live_facts, presence

STEP = 5 * S
"""Times fall on a coarse grid so that joins, leaves, starts and minute boundaries
collide, some a quarter second off it so that watch time has fractions to round."""
STEPS = 4 * MINUTE // STEP

durations = st.builds(
    lambda steps, off_grid: steps * STEP + off_grid,
    st.integers(min_value=0, max_value=STEPS),
    st.sampled_from([0, 0, 0, 250 * MS]),
)
instants = durations.map(lambda duration: T0 - MINUTE + duration)
presences = st.builds(
    lambda viewer, joined, length: presence(
        viewer, joined, None if length is None else joined + length
    ),
    st.integers(min_value=1, max_value=5),
    instants,
    st.none() | durations,
)
gifts = st.builds(
    lambda sender, at, quantity, coins: gift(sender, at, gifts=quantity, coins=coins),
    st.integers(min_value=1, max_value=5),
    instants,
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=0, max_value=500),
)


@st.composite
def sessions(draw: st.DrawFn) -> LiveFacts:
    started_at = draw(instants)
    length = draw(durations)
    is_live = draw(st.booleans())
    return live_facts(
        started_at=started_at,
        ended_at=None if is_live else started_at + length,
        now=started_at + length,
        gifts=draw(st.lists(gifts, max_size=12)),
        presences=draw(st.lists(presences, max_size=10)),
    )


def window(facts: LiveFacts) -> tuple[int, int]:
    end = facts.session.ended_at if facts.session.ended_at is not None else facts.now
    return facts.session.started_at, end


def present_at(facts: LiveFacts, at: int) -> set[int]:
    start, end = window(facts)
    if not start <= at < end:
        return set()
    return {
        p.viewer_id
        for p in facts.presences
        if p.joined_at <= at and (p.left_at is None or at < p.left_at)
    }


def brute_peak(facts: LiveFacts, minute: int) -> int:
    """The viewers change only where someone joins or leaves, or the session starts: the
    most present is at one of those instants, or at the minute's first."""
    first, after = minute * MINUTE, (minute + 1) * MINUTE
    moments = {first, facts.session.started_at}
    moments |= {p.joined_at for p in facts.presences}
    moments |= {p.left_at for p in facts.presences if p.left_at is not None}
    return max(len(present_at(facts, at)) for at in moments if first <= at < after)


def covered_ns(spans: list[tuple[int, int]], first: int, after: int) -> int:
    """Length of the union of ``spans`` inside ``[first, after)``, piece by piece."""
    cuts = sorted({first, after, *(s for s, _ in spans), *(e for _, e in spans)})
    pieces = [(a, b) for a, b in pairwise(cuts) if first <= a and b <= after]
    return sum(b - a for a, b in pieces if any(s <= a < e for s, e in spans))


def brute_watch_ns(facts: LiveFacts, first: int, after: int) -> int:
    start, end = window(facts)
    by_viewer: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in facts.presences:
        by_viewer[p.viewer_id].append((p.joined_at, end if p.left_at is None else p.left_at))
    return sum(
        covered_ns(spans, max(first, start), min(after, end)) for spans in by_viewer.values()
    )


def gifts_in_minute(facts: LiveFacts, minute: int) -> list[GiftFact]:
    start, end = window(facts)
    return [g for g in facts.gifts if start <= g.sent_at < end and g.sent_at // MINUTE == minute]


@settings(max_examples=150, deadline=None)
@given(facts=sessions())
def test_every_minute_matches_brute_force(facts: LiveFacts) -> None:
    rows = minute_series(facts)
    start, end = window(facts)
    assert rows[0].minute == start // MINUTE
    assert rows[-1].minute == max(start // MINUTE, (end - 1) // MINUTE)
    assert [row.minute for row in rows] == list(range(rows[0].minute, rows[-1].minute + 1))
    for row in rows:
        minute_gifts = gifts_in_minute(facts, row.minute)
        assert row.viewers == brute_peak(facts, row.minute)
        assert row.watch_time_ns == brute_watch_ns(
            facts, row.minute * MINUTE, (row.minute + 1) * MINUTE
        )
        assert row.gift_events == len(minute_gifts)
        assert row.gifts == sum(g.gifts for g in minute_gifts)
        assert row.coins == sum(g.coins for g in minute_gifts)
        assert row.gifters == len({g.sender_id for g in minute_gifts})


@settings(max_examples=150, deadline=None)
@given(facts=sessions())
def test_the_reports_totals_are_the_sums_and_peaks_of_its_minutes(facts: LiveFacts) -> None:
    report = session_report(facts, [])
    totals, minutes = report["totals"], report["minutes"]
    start, end = window(facts)
    inside = [g for g in facts.gifts if start <= g.sent_at < end]
    assert totals["coins"] == sum(m["coins"] for m in minutes) == sum(g.coins for g in inside)
    assert totals["gifts"] == sum(m["gifts"] for m in minutes)
    assert totals["gift_events"] == sum(m["gift_events"] for m in minutes) == len(inside)
    assert totals["gifters_unique"] == len({g.sender_id for g in inside})
    assert totals["peak_concurrent_viewers"] == max(m["viewers"] for m in minutes)
    assert totals["watch_time_s"] == brute_watch_ns(facts, start, end) // S
    assert totals["watch_time_s"] >= sum(m["watch_time_s"] for m in minutes)
    assert report["velocity"]["peak_coins_per_minute"] == max(m["coins"] for m in minutes)
    summary = session_summary(facts)
    assert (summary.coins, summary.watch_time_s) == (totals["coins"], totals["watch_time_s"])


@settings(max_examples=100, deadline=None)
@given(facts=sessions(), cut=instants)
def test_two_chapters_splitting_the_session_add_up_to_it(facts: LiveFacts, cut: int) -> None:
    start, end = window(facts)
    cut = min(max(cut, start), end)
    split = live_facts(
        started_at=start,
        ended_at=facts.session.ended_at,
        now=facts.now,
        gifts=facts.gifts,
        presences=facts.presences,
        chapters=[chapter(1, start, cut), chapter(2, cut, None)],
    )
    report = session_report(split, [])
    first, second = report["chapters"]
    for field in ("coins", "gifts", "gift_events"):
        assert first[field] + second[field] == report["totals"][field]
    exact = brute_watch_ns(split, start, cut) + brute_watch_ns(split, cut, end)
    assert exact // S == report["totals"]["watch_time_s"]


def monday_of(sent_at: int) -> date:
    """Independently of the code under test: the calendar's own weekday."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=sent_at // 1000)
    return moment.date() - timedelta(days=moment.weekday())


first_gifts = st.lists(
    st.builds(
        FirstGift,
        sender_id=st.integers(min_value=1, max_value=8),
        sent_at=st.integers(min_value=0, max_value=70 * 24 * 3600).map(lambda s: T0 + s * S),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(gifts=first_gifts)
def test_cohorts_match_brute_force(gifts: list[FirstGift]) -> None:
    result = cohorts(UserId(3), gifts)
    assert sum(c["size"] for c in result["cohorts"]) == len({g.sender_id for g in gifts})
    weeks_of: dict[int, set[date]] = defaultdict(set)
    for g in gifts:
        weeks_of[g.sender_id].add(monday_of(g.sent_at))
    all_weeks = {week for weeks in weeks_of.values() for week in weeks}
    if all_weeks:
        span = (max(all_weeks) - min(all_weeks)).days // 7
        dense = [min(all_weeks) + timedelta(weeks=n) for n in range(span + 1)]
        assert result["weeks"] == [week.isoformat() for week in dense]
    for cohort in result["cohorts"]:
        members = {s for s, weeks in weeks_of.items() if min(weeks).isoformat() == cohort["week"]}
        assert cohort["size"] == len(members) > 0
        later = [week for week in result["weeks"] if week > cohort["week"]]
        assert [entry["week"] for entry in cohort["returning"]] == later
        for entry in cohort["returning"]:
            back = sum(1 for s in members if entry["week"] in {w.isoformat() for w in weeks_of[s]})
            assert entry["gifters"] == back


units = st.integers(min_value=0, max_value=10**9)


@given(
    gifted_split=st.tuples(units, units),
    wallets=st.tuples(units, units, units),
    earnings=st.tuples(units, units, units),
)
def test_balanced_flows_balance_at_every_inner_node(
    gifted_split: tuple[int, int],
    wallets: tuple[int, int, int],
    earnings: tuple[int, int, int],
) -> None:
    diamonds, platform_share = gifted_split
    gifted = diamonds + platform_share
    opening, clawed_back, wallets_closing = wallets
    held = earnings[0] + diamonds
    withdrawn = earnings[1] % (held + 1)
    reversed_ = earnings[2] % (held - withdrawn + 1)
    totals = FlowTotals(
        wallets_opening=opening,
        bought=max(0, gifted + clawed_back + wallets_closing - opening),
        gifted=gifted,
        clawed_back=clawed_back,
        wallets_closing=max(wallets_closing, opening - gifted - clawed_back),
        diamonds=diamonds,
        platform_share=platform_share,
        earnings_opening=earnings[0],
        withdrawn=withdrawn,
        reversed=reversed_,
        earnings_closing=held - withdrawn - reversed_,
    )
    assert check_balanced(totals, include_wallets=True) == []
    flows = coin_flows("platform", "2026-11-01", "2026-12-01", totals, include_wallets=True)
    ids = {node["id"] for node in flows["nodes"]}
    inflow: dict[str, int] = defaultdict(int)
    outflow: dict[str, int] = defaultdict(int)
    for link in flows["links"]:
        assert {link["source"], link["target"]} <= ids
        assert link["value_units"] >= 0
        outflow[link["source"]] += link["value_units"]
        inflow[link["target"]] += link["value_units"]
    for node in ("wallets", "gifted", "diamonds", "earnings"):
        assert inflow[node] == outflow[node]
