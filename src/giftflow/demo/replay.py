"""The replay: each recorded donation, in time order, becomes a viewer's gifts to the
creator during the LIVE, with the clock following the recording."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from giftflow.demo.gifts import COINS_PER_USD_DEFAULT, GiftLine, coins_for_donation, decompose
from giftflow.demo.stream import Chapters, Donation
from giftflow.demo.world import DemoWorld, Viewer
from giftflow.service.economy import GiftRequest, GiftSent

LIVE_SESSION: Final = 1
"""The session id of the replayed LIVE."""


@dataclass(frozen=True, slots=True)
class Sent:
    """What one donation became."""

    coins: int
    """Coins gifted, as booked."""
    gifts: int
    """Gifts counted (a streak of n counts n, once)."""
    events: int
    streaks: int
    refused: tuple[str, ...]
    """The error code of each gift event the economy refused."""
    lines: tuple[GiftLine, ...] = ()
    """The gifts the donation was sent as."""


@dataclass(slots=True)
class ReplaySummary:
    donations: int = 0
    coins_donated: int = 0
    """What the donations were worth, in coins."""
    coins_gifted: int = 0
    gifts: int = 0
    events: int = 0
    streaks: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    chapter_coins: Counter[str] = field(default_factory=Counter)
    first_ns: int = 0
    last_ns: int = 0

    def add(self, donation: Donation, coins: int, sent: Sent, chapter: str) -> None:
        self.donations += 1
        self.coins_donated += coins
        self.coins_gifted += sent.coins
        self.gifts += sent.gifts
        self.events += sent.events
        self.streaks += sent.streaks
        self.refused.update(sent.refused)
        self.chapter_coins[chapter] += sent.coins
        self.first_ns = self.first_ns or donation.at_ns
        self.last_ns = donation.at_ns


@dataclass(frozen=True, slots=True)
class ReplayProgress:
    done: int
    total: int
    chapter: str
    coins_gifted: int


def gift_requests(
    lines: Sequence[GiftLine], *, sender_id: int, creator_id: int, key: str, session_id: int
) -> tuple[list[GiftRequest], list[str]]:
    """One event per gift line, or, for a streak, one event per repeat with the count
    rising 1..n under one streak id; returns the requests and the streak ids to end."""
    requests: list[GiftRequest] = []
    streak_ids: list[str] = []
    for line in lines:
        gift_key = f"{key}-{line.gift.id}"
        one = GiftRequest(sender_id, creator_id, line.gift.id, session_id=session_id)
        if not line.is_streak:
            requests.append(replace(one, quantity=line.count, event_id=gift_key))
            continue
        streak_ids.append(gift_key)
        requests += [
            replace(one, streak_id=gift_key, repeat_count=count)
            for count in range(1, line.count + 1)
        ]
    return requests, streak_ids


def send_donation(
    world: DemoWorld, viewer: Viewer, coins: int, *, key: str, session_id: int
) -> Sent:
    """Fund the wallet, then send the gifts of one donation together (one call, so
    they share the engine's group commits), then end its streaks."""
    lines = decompose(coins, world.palette)
    world.fund(viewer, coins)
    requests, streak_ids = gift_requests(
        lines, sender_id=viewer.user.id, creator_id=world.creator.id, key=key, session_id=session_id
    )
    outcomes = world.economy.send_gifts(requests)
    for streak_id in streak_ids:
        world.economy.end_streak(viewer.user.id, streak_id)
    sent = [outcome for outcome in outcomes if isinstance(outcome, GiftSent)]
    refused = tuple(outcome.code for outcome in outcomes if not isinstance(outcome, GiftSent))
    viewer.coins -= sum(gift.coins for gift in sent)
    return Sent(
        coins=sum(gift.coins for gift in sent),
        gifts=sum(gift.quantity for gift in sent),
        events=len(requests),
        streaks=len(streak_ids),
        refused=refused,
        lines=tuple(lines),
    )


def replay(
    world: DemoWorld,
    donations: Sequence[Donation],
    chapters: Chapters,
    *,
    coins_per_usd: int = COINS_PER_USD_DEFAULT,
    on_progress: Callable[[ReplayProgress], None] | None = None,
    pace: Callable[[Donation], bool] | None = None,
) -> ReplaySummary:
    """Replay the donations in time order: the clock moves to each one's moment.
    ``pace`` is called before each donation (a live show waits there); when it answers
    False the replay stops and returns what was replayed so far."""
    summary = ReplaySummary()
    ordered = sorted(donations, key=lambda donation: (donation.at_ns, donation.line))
    for done, donation in enumerate(ordered, start=1):
        if pace is not None and not pace(donation):
            break
        world.clock.set_ns(max(world.clock.now_ns(), donation.at_ns))
        viewer = world.viewer(donation.donor_id)
        coins = coins_for_donation(donation.amount_usd_cents, coins_per_usd)
        key = f"donation-{donation.line}"
        sent = send_donation(world, viewer, coins, key=key, session_id=LIVE_SESSION)
        chapter = chapters.at(donation.at_ns)
        summary.add(donation, coins, sent, chapter)
        if on_progress is not None:
            on_progress(ReplayProgress(done, len(ordered), chapter, summary.coins_gifted))
    return summary
