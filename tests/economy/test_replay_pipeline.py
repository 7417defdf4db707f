"""The replay pipeline over an economy on each backend: the demo's story (packs bought
before each donation, one donation per call) books a real log, and the figures read
back through ``giftflow.store.replay`` are what was booked, on PostgreSQL as on SQLite."""

from __future__ import annotations

import random

from giftflow.replay.audience import PooledAudience
from giftflow.replay.funding import Packs
from giftflow.replay.report import booked_figures
from giftflow.replay.run import Replay, ReplayOptions
from giftflow.replay.source import packaged, read_donations
from giftflow.replay.world import ReplayWorld
from giftflow.service.events import InProcessBus
from giftflow.service.live import Live
from tests.economy.conftest import Market

DONATIONS = 60


def test_a_replayed_story_reads_back_what_it_booked_on_each_backend(market: Market) -> None:
    donations = read_donations(packaged("sgdq2012_donations.csv"))[:DONATIONS]
    world = ReplayWorld(market.economy, clock=market.clock, sandbox=market.sandbox)
    options = ReplayOptions(batch_events=1, chunk=1)
    replay = Replay(world, options, audience=PooledAudience(random.Random(2012)))
    creator = replay.register_creator(external_id="gdq:sgdq2012", name="SGDQ 2012")
    world.move_clock_to(donations[0].at_ns)
    live = Live.open(market.economy, InProcessBus())
    session = live.start_session(creator.id, title="SGDQ 2012")
    packs = Packs(world)
    booked = replay.book(donations, creator_id=creator.id, session_id=session.id, funding=packs)
    figures = booked_figures(market.economy, booked, session_id=session.id)
    payments = [payment for purse in packs.purses.values() for payment in purse.payments]
    assert figures.refused == {}
    assert (
        figures.gifts.coins == figures.coins_donated == sum(d.amount_usd_cents for d in donations)
    )
    assert figures.viewers == len(packs.purses) == len(replay.viewers)
    assert figures.coins_minted == sum(payment.coins for payment in payments)
    assert sum(channel.count for channel in figures.purchases) == len(payments)
    assert {channel.channel for channel in figures.purchases} == {"web", "app_store"}
    assert figures.gifts.gifts >= figures.gifts.events >= len(donations)
    for purse in packs.purses.values():
        assert market.economy.wallet(purse.user.id).coins == purse.coins
    market.assert_reconciled()
