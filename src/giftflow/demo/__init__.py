"""``giftflow demo``: a real live stream replayed on the embedded economy, end to end.

The demo is a story on top of the one replay pipeline (``giftflow.replay``): the stream
is Summer Games Done Quick 2012 (2,207 donations, CC0; giftflow/replay/data), booked
through ``giftflow.replay.run.Replay`` like any log, with the demo's own choices:

- the event is one creator's LIVE (session 1); each run of the schedule is a chapter;
- each distinct non-empty ``donor_id`` is one viewer (an adult, region US); anonymous
  donations come from a pool of ``ANONYMOUS_POOL`` anonymous viewers, drawn at random
  (``--seed``; ``giftflow.replay.audience.PooledAudience``);
- donations become catalog gifts and gift events as in every replay
  (``giftflow.replay.gifts``, ``giftflow.replay.events``: a streak's repeats with
  ``repeat_count`` rising 1..n, then its end);
- before a donation, the viewer buys the coin packs they lack, purchases alternating
  between the web and app-store channels (``giftflow.replay.funding.Packs``), through
  the sandbox provider's signed ``paid`` webhook: the only way coins are minted;
- each donation is booked on its own, at its moment, so ``--serve`` can pace them.

The figures it prints are read back from the store (``giftflow.replay.report``).
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
from giftflow.demo.stream import EVENT, EVENT_TITLE, Chapters, load_donations, load_runs
from giftflow.demo.world import DATABASE_NAME, LIVE_SESSION, DemoError, DemoPaths, DemoWorld
from giftflow.replay.audience import ANONYMOUS_POOL
from giftflow.replay.gifts import (
    COINS_PER_USD_DEFAULT,
    GiftLine,
    coins_for_donation,
    decompose,
    gift_palette,
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
    "charge_back",
    "coins_for_donation",
    "decompose",
    "gift_palette",
    "live_session",
    "load_donations",
    "load_runs",
    "pass_holding_period",
    "pay_out",
]
