"""Holding periods are fixed when a gift is booked: a setting changed later moves no
gift already booked, gifts from before their time was recorded get the holding period
in force at the upgrade, and the test clock crosses a hold without any setting."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from giftflow.economy.errors import (
    EconomyError,
    InsufficientFundsError,
    TestModeUnavailableError,
)
from giftflow.ledger.clock import ManualClock
from giftflow.service.economy import Economy
from giftflow.service.economy.test_clock import ADVANCE_S_MAX
from giftflow.settings import Settings
from giftflow.store.migrate import upgrade_engine
from tests.economy.conftest import DAY_S, LION, START_NS, OpenMarket

NS_PER_DAY = DAY_S * 1_000_000_000
HOLD_DAYS = 7


def test_a_shorter_holding_period_never_matures_gifts_booked_before_it(
    open_market: OpenMarket,
) -> None:
    market = open_market(hold_days=HOLD_DAYS)
    fan, star = market.viewer("fan"), market.creator("star")
    market.buy(fan, 60_000)
    sent_on_the_clock = market.clock.now_ns()
    booked = market.gift(fan, star, LION)
    [hold] = market.economy.earnings(star.id).holds
    # From the gift's time on the economy's clock (its ledger stamp is a few ns later).
    assert (
        hold.matures_at
        == sent_on_the_clock + HOLD_DAYS * NS_PER_DAY
        <= booked.sent_at + (HOLD_DAYS * NS_PER_DAY)
    )
    market.economy.close()

    shorter = open_market(hold_days=0)
    shorter._ids = market._ids  # fresh event ids, not the first market's again
    assert shorter.economy.earnings(star.id).available_units == 0
    assert shorter.economy.earnings(star.id).holds == (hold,)
    fresh = shorter.gift(fan, star, LION)  # booked under a hold of 0 days: available now
    view = shorter.economy.earnings(star.id)
    assert view.available_units == fresh.diamond_units
    assert view.pending_units == booked.diamond_units
    shorter.clock.advance(seconds=HOLD_DAYS * DAY_S)
    assert shorter.economy.earnings(star.id).pending_units == 0
    shorter.assert_reconciled()


def test_a_longer_holding_period_leaves_earlier_gifts_their_own(open_market: OpenMarket) -> None:
    market = open_market(hold_days=1)
    fan, star = market.viewer("fan"), market.creator("star")
    market.buy(fan, 60_000)
    market.gift(fan, star, LION)
    market.economy.close()
    longer = open_market(hold_days=30)
    longer.clock.advance(seconds=DAY_S + 1)
    assert longer.economy.earnings(star.id).pending_units == 0


def test_the_test_clock_crosses_a_hold_and_survives_a_restart(open_market: OpenMarket) -> None:
    market = open_market()
    fan, star = market.viewer("fan"), market.creator("star")
    market.buy(fan, 60_000)
    market.gift(fan, star, LION)
    with pytest.raises(InsufficientFundsError) as refused:
        market.economy.request_payout(creator_id=star.id, diamonds=10_000)
    assert refused.value.facts["pending_diamonds"] == 14_999
    assert refused.value.facts["available_diamonds"] == 0
    moved = market.economy.advance_test_clock(HOLD_DAYS * DAY_S + 1)
    assert moved.offset_ns == (HOLD_DAYS * DAY_S + 1) * 1_000_000_000
    assert moved.now_ns == market.clock.now_ns() + moved.offset_ns
    payout = market.economy.request_payout(creator_id=star.id, diamonds=10_000)
    assert payout.state == "held"
    market.economy.close()

    reopened = open_market()  # the offset is kept in the database: time never goes back
    assert reopened.economy.test_clock().offset_ns == moved.offset_ns
    assert reopened.economy.earnings(star.id).available_diamonds == 4_999


def test_the_test_clock_runs_at_most_a_century_ahead(open_market: OpenMarket) -> None:
    economy = open_market().economy
    decade_s = ADVANCE_S_MAX
    for _ in range(10):
        economy.advance_test_clock(decade_s)
    with pytest.raises(EconomyError) as refused:
        economy.advance_test_clock(decade_s)
    assert refused.value.code == "test_clock_invalid"
    with pytest.raises(EconomyError):
        economy.advance_test_clock(0)
    assert economy.test_clock().offset_ns == 10 * decade_s * 1_000_000_000


def test_a_production_economy_has_no_test_clock(economy_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=economy_url, payout_dir=tmp_path)
    with Economy.open(settings, clock=ManualClock(START_NS), providers={}) as economy:
        with pytest.raises(TestModeUnavailableError):
            economy.advance_test_clock(60)
        with pytest.raises(TestModeUnavailableError):
            economy.test_clock()
        economy.sync_test_clock()  # nothing to catch up with


# --- gifts booked before migration 0009 ---------------------------------------------------

_USER = (
    "INSERT INTO users (id, external_id, display_name, birth_date, region, is_creator,"
    " identity_verified, created_at) VALUES (?, ?, ?, '1990-01-01', 'US', ?, ?, ?)"
)
_GIFT = (
    "INSERT INTO gifts (id, sender_id, creator_id, gift_id, quantity, coins, share_bps,"
    " diamond_units, repeat_count, sent_at, matured_at) VALUES (?, 1, 2, 5655, 1, 1, 5000,"
    " 5000, 1, ?, ?)"
)


def _book_at_0006(execute: object) -> None:
    run = execute  # a DB-API cursor's execute, placeholders already in its style
    assert callable(run)
    run(_USER, (1, "fan", "Fan", False, False, START_NS))
    run(_USER, (2, "star", "Star", True, True, START_NS))
    run(_GIFT, (1, START_NS, 0))  # pending
    run(_GIFT, (2, START_NS, START_NS + 1))  # matured already


def _pinned(economy: Economy) -> list[tuple[int, int]]:
    return economy.ledger.read(
        lambda tx: [
            (int(row[0]), int(row[1]))
            for row in tx.execute("SELECT id, matures_at FROM gifts ORDER BY id").fetchall()
        ]
    )


def test_gifts_from_before_0009_get_the_holding_period_in_force_at_the_upgrade_sqlite(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    upgrade_engine(sa.create_engine(f"sqlite:///{path}"), "0006")
    with sqlite3.connect(path) as connection:
        _book_at_0006(connection.execute)
    settings = Settings(database_url=f"sqlite:///{path}", hold_days=3, payout_dir=tmp_path)
    clock = ManualClock(START_NS)
    with Economy.open(settings, clock=clock, providers={}) as economy:
        assert _pinned(economy) == [(1, START_NS + 3 * NS_PER_DAY), (2, 0)]
    later = Settings(database_url=f"sqlite:///{path}", hold_days=0, payout_dir=tmp_path)
    with Economy.open(later, clock=clock, providers={}) as economy:
        assert _pinned(economy) == [(1, START_NS + 3 * NS_PER_DAY), (2, 0)]


@pytest.mark.postgres
def test_gifts_from_before_0009_get_the_holding_period_in_force_at_the_upgrade_postgres(
    postgres_admin_url: str, tmp_path: Path
) -> None:
    name = "giftflow_test_0009_upgrade"
    database = sql.Identifier(name)
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
    url = postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        upgrade_engine(engine, "0006")
        engine.dispose()
        with psycopg.connect(url) as connection:
            _book_at_0006(
                lambda query, values: connection.execute(query.replace("?", "%s"), values)
            )
        settings = Settings(database_url=url, hold_days=3, payout_dir=tmp_path)
        with Economy.open(settings, clock=ManualClock(START_NS), providers={}) as economy:
            assert _pinned(economy) == [(1, START_NS + 3 * NS_PER_DAY), (2, 0)]
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
