"""``giftflow demo``: a real live stream replayed on the embedded economy, end to end.

The stream is Summer Games Done Quick 2012 (2,207 donations, CC0; data/PROVENANCE.md).
It maps to giftflow like this:

- the event is one creator's LIVE (session 1); each run of the schedule is a chapter;
- each distinct non-empty ``donor_id`` is one viewer (an adult, region US); anonymous
  donations come from a pool of ``ANONYMOUS_POOL`` anonymous viewers, drawn at random
  (``--seed``);
- a donation of ``amount_usd_cents`` is worth ``amount_usd_cents x coins_per_usd / 100``
  coins (default 100 coins per USD, rounded down), sent as catalog gifts chosen greedily
  by coin value, largest first, one gift per coin value (the Rose, then gifts on the
  panel, then streakable ones win ties); the 1-coin Rose closes any remainder;
- identical streakable gifts within one donation go as a streak: one streak id per
  donation and gift, one event per repeat with ``repeat_count`` rising 1..n, then
  ``end_streak``; other gifts go as one event with a quantity;
- rows are replayed in time order whatever their file order, and the manual clock
  follows the donations' timestamps, so a replay is deterministic;
- before a donation, the viewer buys the coin packs they lack (the smallest pack that
  covers it, else the largest again), purchases alternating between the web and
  app-store channels, through the sandbox provider, whose signed ``paid`` webhook goes
  through ``Economy.handle_webhook``: the only way coins are minted;
- each donation's events are sent in one ``Economy.send_gifts`` call, so they share the
  engine's group commits (a streak's events in order).

Afterwards: the clock passes the holding period, the creator verifies their identity
and cashes out through the ``manual`` partner (batch file out, results file in); one
viewer gifts again in a short encore, then their largest purchase is charged back
(diamonds of the encore reversed, the rest of the spent coins a loss, wallet frozen);
and ``reconcile`` proves the books. See docs/demo.md.
"""

from giftflow.demo.aftermath import (
    ChargebackStory,
    Matured,
    PayoutStory,
    charge_back,
    live_session,
    pass_holding_period,
    pay_out,
)
from giftflow.demo.gifts import (
    COINS_PER_USD_DEFAULT,
    GiftLine,
    coins_for_donation,
    decompose,
    gift_palette,
)
from giftflow.demo.replay import LIVE_SESSION, ReplayProgress, ReplaySummary, replay
from giftflow.demo.stream import EVENT, EVENT_TITLE, Chapters, load_donations, load_runs
from giftflow.demo.world import (
    ANONYMOUS_POOL,
    DATABASE_NAME,
    DemoError,
    DemoPaths,
    DemoWorld,
)

__all__ = [
    "ANONYMOUS_POOL",
    "COINS_PER_USD_DEFAULT",
    "DATABASE_NAME",
    "EVENT",
    "EVENT_TITLE",
    "LIVE_SESSION",
    "Chapters",
    "ChargebackStory",
    "DemoError",
    "DemoPaths",
    "DemoWorld",
    "GiftLine",
    "Matured",
    "PayoutStory",
    "ReplayProgress",
    "ReplaySummary",
    "charge_back",
    "coins_for_donation",
    "decompose",
    "gift_palette",
    "live_session",
    "load_donations",
    "load_runs",
    "pass_holding_period",
    "pay_out",
    "replay",
]
