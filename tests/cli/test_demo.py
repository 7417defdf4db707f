"""``giftflow demo``: the real command in a subprocess, its books read back with plain
sqlite3, and the pure donation-to-gifts arithmetic it relies on."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giftflow.demo import DATABASE_NAME, coins_for_donation, decompose, gift_palette
from giftflow.economy.catalog import load_catalog
from giftflow.economy.catalog.model import Gift
from giftflow.ids import UserId
from giftflow.replay.events import gift_requests
from tests.cli.conftest import giftflow, said

DONATIONS = 300
EARNINGS_PENDING = 110
"""``AccountKind.EARNINGS_PENDING``: the ledger account's code."""
GIFT_DIAMONDS = 11
PURCHASE = 1
"""``TransferCode`` values, as stored."""


@dataclass(frozen=True, slots=True)
class DemoRun:
    result: subprocess.CompletedProcess[str]
    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / DATABASE_NAME

    def query(self, statement: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the books with sqlite3 alone, not through giftflow."""
        with closing(sqlite3.connect(self.database)) as connection:
            return connection.execute(statement, parameters).fetchall()

    def one(self, statement: str, parameters: tuple[Any, ...] = ()) -> Any:
        rows = self.query(statement, parameters)
        assert len(rows) == 1, rows
        return rows[0][0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    folder = tmp_path_factory.mktemp("demo") / "run"
    yield DemoRun(giftflow("demo", "--folder", str(folder), "--donations", str(DONATIONS)), folder)


# --- the command, end to end --------------------------------------------------------


def test_the_demo_exits_0_reconciled_and_leaves_its_sqlite_file(demo: DemoRun) -> None:
    assert demo.result.returncode == 0, said(demo.result)
    assert "reconciled" in said(demo.result)
    assert "NOT reconciled" not in said(demo.result)
    assert demo.database.is_file()
    assert str(demo.database) in said(demo.result)


def test_the_demo_books_gifts_with_real_streaks(demo: DemoRun) -> None:
    assert demo.one("SELECT COUNT(*) FROM gifts") > 0
    assert demo.one("SELECT MAX(repeat_count) FROM streaks") > 1
    assert demo.one("SELECT COUNT(*) FROM streaks WHERE ended_at = 0") == 0
    # a streak's events each carry the delta they add: the streak counts once
    for streak_id, repeat_count in demo.query("SELECT id, repeat_count FROM streaks"):
        counted = demo.one("SELECT SUM(quantity) FROM gifts WHERE streak_id = ?", (streak_id,))
        assert counted == repeat_count


def test_the_demo_pays_the_creator_out_through_the_manual_partner(demo: DemoRun) -> None:
    assert demo.query("SELECT state, partner FROM payouts") == [("paid", "manual")]
    batch_files = list((demo.folder / "payouts").glob("*.csv"))
    assert len(batch_files) == 2  # the batch out and the results back


def test_the_demo_charges_one_payment_back_and_freezes_that_wallet(demo: DemoRun) -> None:
    assert demo.query("SELECT COUNT(*) FROM payments WHERE status = 'disputed'") == [(1,)]
    buyer = demo.one("SELECT user_id FROM payments WHERE status = 'disputed'")
    assert demo.one("SELECT COUNT(*) FROM fraud_decisions WHERE user_id = ?", (buyer,)) >= 1


def test_the_creator_earns_exactly_the_share_of_the_coins_gifted(demo: DemoRun) -> None:
    creator = demo.one("SELECT id FROM users WHERE is_creator")
    coins, share_bps = demo.query(
        "SELECT SUM(coins), MIN(share_bps) FROM gifts WHERE creator_id = ?", (creator,)
    )[0]
    assert demo.one("SELECT COUNT(DISTINCT share_bps) FROM gifts") == 1
    pending = demo.one(
        "SELECT id FROM accounts WHERE owner_id = ? AND code = ?", (creator, EARNINGS_PENDING)
    )
    credited = demo.one("SELECT credits_posted FROM accounts WHERE id = ?", (pending,))
    from_transfers = demo.one(
        "SELECT SUM(amount) FROM transfers WHERE credit_account_id = ? AND code = ?",
        (pending, GIFT_DIAMONDS),
    )
    assert credited == from_transfers == coins * share_bps


def test_every_coin_was_minted_by_a_paid_payment(demo: DemoRun) -> None:
    minted = demo.one("SELECT SUM(amount) FROM transfers WHERE code = ?", (PURCHASE,))
    paid = demo.one("SELECT SUM(coins) FROM payments WHERE status <> 'created'")
    channels = demo.query("SELECT DISTINCT channel FROM payments ORDER BY channel")
    assert minted == paid > 0
    assert channels == [("app_store",), ("web",)]


def test_the_demo_writes_its_post_live_report_from_the_stored_gifts(demo: DemoRun) -> None:
    report = json.loads((demo.folder / "report.json").read_text(encoding="utf-8"))
    coins, gifts, gifters = demo.query(
        "SELECT SUM(coins), SUM(quantity), COUNT(DISTINCT sender_id) FROM gifts"
        " WHERE session_id = 1 AND sent_at < (SELECT ended_at FROM live_sessions WHERE id = 1)"
    )[0]
    assert report["totals"]["coins"] == coins
    assert report["totals"]["gifts"] == gifts
    assert report["totals"]["gifters_unique"] == gifters
    assert demo.one("SELECT COUNT(*) FROM chapters WHERE session_id = 1") == len(report["chapters"])
    html = (demo.folder / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert str(demo.folder / "report.html") in said(demo.result)


def test_the_demo_refuses_a_folder_that_already_holds_a_demo(demo: DemoRun) -> None:
    again = giftflow("demo", "--folder", str(demo.folder), "--donations", "1")
    assert again.returncode == 2
    assert "exists" in said(again)


# --- donations as gifts (pure) --------------------------------------------------------


PALETTE = gift_palette(load_catalog().gifts)


@pytest.fixture
def palette() -> tuple[Gift, ...]:
    return PALETTE


@pytest.mark.parametrize(
    ("amount_usd_cents", "coins"),
    [(1, 1), (500, 500), (1_337, 1_337), (2_500, 2_500), (250_000, 250_000), (99_999, 99_999)],
)
def test_a_donation_is_worth_one_coin_per_cent_by_default(
    amount_usd_cents: int, coins: int
) -> None:
    assert coins_for_donation(amount_usd_cents) == coins


def test_a_fraction_of_a_coin_is_rounded_down() -> None:
    assert coins_for_donation(199, coins_per_usd=70) == 139  # 139.3


@pytest.mark.parametrize("coins", [1, 4, 95, 99, 100, 395, 1_000, 2_501, 44_999, 250_000])
def test_the_gifts_of_a_donation_add_up_to_its_coins_exactly(
    palette: tuple[Gift, ...], coins: int
) -> None:
    lines = decompose(coins, palette)
    assert sum(line.gift.coins * line.count for line in lines) == coins
    values = [line.gift.coins for line in lines]
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == len(values)


@given(coins=st.integers(min_value=0, max_value=5_000_000))
def test_any_amount_decomposes_exactly_largest_gift_first(coins: int) -> None:
    lines = decompose(coins, PALETTE)
    remaining = coins
    for line in lines:
        remaining -= line.coins
        assert 0 <= remaining < line.gift.coins  # greedy: each gift as often as it fits
    assert remaining == 0


def test_the_rose_closes_the_remainder(palette: tuple[Gift, ...]) -> None:
    assert palette[-1].name == "Rose"
    assert palette[-1].coins == 1
    assert decompose(3, palette)[-1].gift.name == "Rose"


def test_identical_small_gifts_go_as_one_streak_with_a_rising_count(
    palette: tuple[Gift, ...],
) -> None:
    lines = decompose(95, palette)  # 3 x 30 and 1 x 5
    requests, streak_ids = gift_requests(
        lines, sender_id=UserId(7), creator_id=UserId(1), key="donation-2", session_id=1
    )
    streaked = [request for request in requests if request.streak_id is not None]
    assert [request.repeat_count for request in streaked] == [1, 2, 3]
    assert {request.streak_id for request in streaked} == set(streak_ids) == {"donation-2-5879"}
    single = [request for request in requests if request.streak_id is None]
    assert [(request.quantity, request.event_id) for request in single] == [(1, "donation-2-5487")]
