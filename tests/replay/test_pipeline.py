"""The one replay pipeline: what it stores does not depend on how a story drives it
(batch size, audience, funding), and its one streak encoding."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giftflow.economy.catalog import load_catalog
from giftflow.economy.gifting import GIFT_QUANTITY_MAX
from giftflow.ids import UserId
from giftflow.replay.audience import LogAudience, PooledAudience
from giftflow.replay.events import gift_requests
from giftflow.replay.funding import Packs
from giftflow.replay.gifts import GiftLine, decompose, gift_palette
from giftflow.replay.report import booked_figures
from giftflow.replay.run import Replay, ReplayOptions, open_world
from giftflow.replay.source import Donation, packaged, read_donations, read_runs
from giftflow.service.events import InProcessBus
from giftflow.service.live import Live

DONATIONS = 150
PALETTE = gift_palette(load_catalog().gifts)


def stored_gifts(database: Path) -> Counter[tuple[Any, ...]]:
    """Every stored gift event by who sent what, when, with which streak: read with
    sqlite3 alone, not through giftflow."""
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT u.external_id, g.gift_id, g.quantity, g.repeat_count, g.streak_id,"
            " g.coins, g.diamond_units, g.sent_at FROM gifts g JOIN users u ON u.id = g.sender_id"
        ).fetchall()
    return Counter(rows)


def replay_into(database: Path, donations: list[Donation], options: ReplayOptions) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    with open_world(database, options, donations[0].at_ns) as world:
        live = Live.open(world.economy, InProcessBus())
        result = Replay(world, options).run(donations, [], name="sgdq2012", live=live)
        assert result.refused == Counter()
        assert world.economy.reconcile().ok


@pytest.fixture(scope="module")
def donations() -> list[Donation]:
    return read_donations(packaged("sgdq2012_donations.csv"))[:DONATIONS]


def test_one_donation_per_call_stores_what_batches_store(
    donations: list[Donation], tmp_path: Path
) -> None:
    replay_into(tmp_path / "batched" / "r.db", donations, ReplayOptions())
    replay_into(tmp_path / "single" / "r.db", donations, ReplayOptions(batch_events=1, chunk=1))
    batched = stored_gifts(tmp_path / "batched" / "r.db")
    assert batched == stored_gifts(tmp_path / "single" / "r.db")
    assert sum(coins * count for (_, _, _, _, _, coins, _, _), count in batched.items()) == sum(
        donation.amount_usd_cents for donation in donations
    )


def test_every_streak_is_its_rising_repeats_and_is_ended(
    donations: list[Donation], tmp_path: Path
) -> None:
    database = tmp_path / "r.db"
    replay_into(database, donations, ReplayOptions())
    with closing(sqlite3.connect(database)) as connection:
        streaks = connection.execute("SELECT id, repeat_count, ended_at FROM streaks").fetchall()
        assert streaks, "sgdq2012's first donations hold streaks"
        for streak_id, repeat_count, ended_at in streaks:
            counts = connection.execute(
                "SELECT repeat_count, quantity FROM gifts WHERE streak_id = ?"
                " ORDER BY repeat_count",
                (streak_id,),
            ).fetchall()
            assert counts == [(count, 1) for count in range(1, repeat_count + 1)]
            assert ended_at > 0


def test_the_demo_s_story_reads_back_what_it_booked(
    donations: list[Donation], tmp_path: Path
) -> None:
    options = ReplayOptions(batch_events=1, chunk=1)
    with open_world(tmp_path / "r.db", options, donations[0].at_ns) as world:
        live = Live.open(world.economy, InProcessBus())
        replay = Replay(world, options, audience=PooledAudience(random.Random(7)))
        creator = replay.register_creator(external_id="gdq:sgdq2012", name="SGDQ 2012")
        world.move_clock_to(donations[0].at_ns)
        session = live.start_session(creator.id, title="SGDQ 2012")
        packs = Packs(world)
        booked = replay.book(donations, creator_id=creator.id, session_id=session.id, funding=packs)
        figures = booked_figures(world.economy, booked, session_id=session.id)
        assert figures.donations == len(donations)
        assert figures.gifts.coins == figures.coins_donated == sum(b.coins for b in booked)
        assert figures.viewers == len(replay.viewers) == len(packs.purses)
        assert figures.coins_minted == sum(
            p.coins for x in packs.purses.values() for p in x.payments
        )
        for purse in packs.purses.values():
            assert world.economy.wallet(purse.user.id).coins == purse.coins
        assert world.economy.reconcile().ok


def test_a_log_s_anonymous_donations_are_each_a_new_viewer() -> None:
    audience = LogAudience()
    first, again = Donation(2, "", 0, 100), Donation(3, "", 0, 100)
    assert audience.key(first) != audience.key(again)
    assert audience.key(Donation(4, "d_1", 0, 1)) == audience.key(Donation(9, "d_1", 5, 2))
    assert audience.registration(audience.key(first)).display_name == "Anonymous"


def test_the_shipped_schedule_reads_in_start_order() -> None:
    runs = read_runs(packaged("sgdq2012_runs.csv"))
    assert len(runs) == 74
    assert [run.start_ns for run in runs] == sorted(run.start_ns for run in runs)


# --- the one streak encoding (pure) -----------------------------------------------------


def booked_gifts(lines: list[GiftLine]) -> int:
    requests, _ = gift_requests(
        lines, sender_id=UserId(7), creator_id=UserId(1), key="d-2", session_id=1
    )
    return sum(1 if request.streak_id is not None else request.quantity for request in requests)


@given(coins=st.integers(min_value=0, max_value=5_000_000))
def test_the_events_of_any_donation_add_up_to_its_gifts(coins: int) -> None:
    lines = decompose(coins, PALETTE)
    assert booked_gifts(lines) == sum(line.count for line in lines)
    requests, _ = gift_requests(
        lines, sender_id=UserId(7), creator_id=UserId(1), key="d-2", session_id=1
    )
    assert all(0 < request.quantity <= GIFT_QUANTITY_MAX for request in requests)


def test_more_than_the_quantity_limit_goes_as_several_events() -> None:
    universe = max(PALETTE, key=lambda gift: gift.coins)
    assert not universe.streakable
    line = GiftLine(universe, GIFT_QUANTITY_MAX * 2 + 3)
    requests, streak_ids = gift_requests(
        [line], sender_id=UserId(7), creator_id=UserId(1), key="d-2", session_id=1
    )
    assert streak_ids == []
    assert [(r.quantity, r.event_id) for r in requests] == [
        (GIFT_QUANTITY_MAX, f"d-2-{universe.id}-0"),
        (GIFT_QUANTITY_MAX, f"d-2-{universe.id}-1"),
        (3, f"d-2-{universe.id}-2"),
    ]
