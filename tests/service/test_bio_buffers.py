"""The link-in-bio page's two in-process buffers: drawn pages (fresh for their time,
then one redraw while the others get the page as drawn) and the views and clicks
waiting to be written (each written once, kept when a write fails)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from giftflow.creator.bio import Visit
from giftflow.ids import UserId
from giftflow.service.creator.bio import Bio, BioSettings, Pages, PageSettings
from giftflow.service.creator.bio_visits import Visits
from giftflow.service.economy import Economy
from giftflow.service.events import InProcessBus
from giftflow.service.live import Live
from giftflow.settings import Settings
from giftflow.store import bio as rows
from giftflow.store.tx import Tx


class Clock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_a_drawn_page_is_served_fresh_then_redrawn_once() -> None:
    clock = Clock()
    pages = Pages(1.0, clock)
    assert pages.get("carol") is None  # never drawn: the caller draws
    pages.put("carol", UserId(7), "<p>v1</p>")
    clock.now_s += 0.5
    drawn = pages.get("carol")
    assert drawn is not None and drawn.html == "<p>v1</p>"
    clock.now_s += 1.0
    assert pages.get("carol") is None  # stale: this caller redraws ...
    stale = pages.get("carol")
    assert stale is not None and stale.html == "<p>v1</p>"  # ... the others get it as drawn
    pages.put("carol", UserId(7), "<p>v2</p>")
    fresh = pages.get("carol")
    assert fresh is not None and fresh.html == "<p>v2</p>"


def test_a_change_drops_the_page_and_a_failed_redraw_forgets_it() -> None:
    clock = Clock()
    pages = Pages(1.0, clock)
    pages.put("carol", UserId(7), "x")
    pages.put("dave", UserId(8), "y")
    pages.drop(UserId(7))
    assert pages.get("carol") is None and pages.get("dave") is not None
    clock.now_s += 2
    assert pages.get("dave") is None
    pages.failed("dave")
    assert pages.get("dave") is None and pages.get("dave") is None  # no page to serve stale


def test_without_a_time_every_view_draws() -> None:
    pages = Pages(0.0, Clock())
    pages.put("carol", UserId(7), "x")
    assert pages.get("carol") is None


def test_visits_are_written_once_and_kept_when_a_write_fails(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bio.db'}")
    with Economy.open(settings) as economy:
        carol = economy.register_user(
            external_id="carol", display_name="Carol", birth_date=date(1990, 1, 1),
            region="US", is_creator=True, identity_verified=True,
        ).id  # fmt: skip
        live = Live.open(economy, InProcessBus())
        bio = Bio(live.context, BioSettings(secret=b"s" * 32, public_url="http://x"))
        bio.save_page(carol, PageSettings("carol", "Carol"))
        away = [True]

        def write(work: Callable[[Tx], None]) -> None:
            if away.pop(0) if away else False:
                raise ConnectionError("the database is away")
            economy.ledger.write(work)

        visits = Visits(write)
        for at in range(3):
            visits.add(Visit(carol, at, region="US"))
        with pytest.raises(ConnectionError):
            visits.flush()
        assert visits.pending == 3 and bio.figures(carol).views == 0
        visits.add(Visit(carol, 3, link_id="bl_x"))
        assert visits.flush() == 4 and visits.flush() == 0
        stored = economy.ledger.read(lambda tx: rows.views(tx, carol))
        assert stored == 3 and bio.figures(carol).regions == (("US", 3),)
