"""Replaying a recorded donation log as one creator's LIVE, through the real economy.

The one pipeline both ``giftflow replay`` and ``giftflow demo`` book through (decision
0095). Donations, in time order, become viewers (``giftflow.replay.audience``), coins
bought through the sandbox (``giftflow.replay.funding``) and catalog gifts
(``giftflow.replay.gifts``: greedy, largest first, the Rose closes the rest), sent as
gift events in the one streak encoding (``giftflow.replay.events``) with the
donation's own time while the manual clock follows the recording. Donations go to the
economy in batches of about ``batch_events`` events, so they share the engine's group
commits: that is what makes 40,000 donations a matter of seconds; a batch of 1 sends
each donation on its own, and ``pace`` (the demo's live show) waits before each one.

Nothing here computes a figure of a report: reports are read back from what the
economy stored (``giftflow.replay.report``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final, Protocol

from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.replay.audience import Audience, LogAudience
from giftflow.replay.events import gift_requests
from giftflow.replay.funding import fund_up_front
from giftflow.replay.gifts import GiftLine, coins_for_donation, decompose
from giftflow.replay.source import Donation, Run
from giftflow.replay.world import REGION, ReplayWorld, WorldOptions
from giftflow.service.economy import GiftRequest, GiftSent
from giftflow.service.live import Live

CREATOR_BIRTH_DATE: Final = date(1985, 6, 1)
BATCH_EVENTS: Final = 2_000
"""Gift events sent to the economy in one call (their donations share group commits)."""
CHUNK: Final = 2_000
"""Viewers registered, and purchases opened, per call."""
LEAD_NS: Final = 3_600 * NS_PER_S
"""``giftflow replay``'s viewers buy their coins an hour before the LIVE starts."""
UNLIMITED_VELOCITY: Final = 1_000_000_000
"""A recorded history is not rate-limited: its donations already happened."""


class ReplayError(GiftflowError):
    """The replay could not book what the log says."""

    code = "replay_failed"


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    coins_per_usd: int = 100
    share_bps: int = 5_000
    title: str = ""
    batch_events: int = BATCH_EVENTS
    chunk: int = CHUNK
    """1 and 1 book one donation, viewer and purchase per call (the demo; the bench's
    baseline)."""


@dataclass(frozen=True, slots=True)
class ReplayProgress:
    stage: str
    """``viewers``, ``purchases`` or ``donations``."""
    done: int
    total: int
    coins_booked: int = 0
    """Donations: the coins the economy booked so far."""
    at_ns: int = 0
    """Donations: the recorded time of the last one booked."""


class Funding(Protocol):
    """Coins bought just before the gifts (``giftflow.replay.funding.Packs``)."""

    def fund(self, user: User, coins: int) -> None: ...

    def unspent(self, user: User, coins: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Sent:
    """What one donation's gifts became, as the economy answered."""

    coins_booked: int
    refused: tuple[str, ...]
    """The error code of each gift event the economy refused (none, normally)."""
    lines: tuple[GiftLine, ...]


@dataclass(frozen=True, slots=True)
class BookedDonation:
    donation: Donation
    viewer_key: str
    coins: int
    """What the donation was worth, in coins."""
    sent: Sent

    @property
    def refused(self) -> tuple[str, ...]:
        return self.sent.refused


@dataclass(slots=True)
class ReplayResult:
    session_id: int
    creator: User
    started_at: UnixNs
    ended_at: UnixNs
    runs: list[Run]
    booked: list[BookedDonation] = field(default_factory=list)

    @property
    def refused(self) -> Counter[str]:
        return Counter(code for booked in self.booked for code in booked.refused)


@dataclass(frozen=True, slots=True)
class _Part:
    """One donation's gifts in a ``send_gifts`` call."""

    sender: User
    lines: tuple[GiftLine, ...]
    key: str
    sent_at: UnixNs | None


@dataclass(frozen=True, slots=True)
class _Planned:
    donation: Donation
    key: str
    coins: int
    lines: tuple[GiftLine, ...]


def open_world(database: Path, options: ReplayOptions, first_ns: int) -> ReplayWorld:
    """``giftflow replay``'s world: the creator's share from the options, no velocity
    limit, payout files next to the database, the clock ``LEAD_NS`` before ``first_ns``."""
    world_options = WorldOptions(
        payout_dir=database.parent / "payouts",
        share_bps=options.share_bps,
        velocity_limit=UNLIMITED_VELOCITY,
    )
    return ReplayWorld.open(database, world_options, start_ns=first_ns - LEAD_NS)


class Replay:
    """One replay over one ``ReplayWorld``: ``run`` is a whole LIVE (``giftflow
    replay``), ``book`` the donations into a session the caller runs (the demo)."""

    def __init__(
        self,
        world: ReplayWorld,
        options: ReplayOptions,
        on_progress: Callable[[ReplayProgress], None] | None = None,
        *,
        audience: Audience | None = None,
    ) -> None:
        self.world = world
        self.economy = world.economy
        self.options = options
        self.audience: Audience = audience or LogAudience()
        self.viewers: dict[str, User] = {}
        self.on_progress = on_progress or (lambda progress: None)

    # --- a whole LIVE -----------------------------------------------------------------

    def run(
        self, donations: Sequence[Donation], runs: Sequence[Run], *, name: str, live: Live
    ) -> ReplayResult:
        """The creator, every viewer registered and funded up front, the LIVE over the
        log's window with its donations, then the runs recorded as its chapters."""
        planned = list(self._planned(donations))
        creator = self.register_creator(
            external_id=f"replay:{name}", name=self.options.title or name
        )
        self._register(planned)
        needed: Counter[int] = Counter()
        for item in planned:
            needed[self.viewers[item.key].id] += item.coins
        fund_up_front(self.world, needed, chunk=self.options.chunk, on_done=self._purchased)
        start_ns, end_ns = _window(donations, runs)
        self.world.move_clock_to(start_ns)
        session = live.start_session(creator.id, title=self.options.title or name)
        result = ReplayResult(session.id, creator, start_ns, end_ns, list(runs))
        result.booked += self._book(
            planned, len(planned), creator_id=creator.id, session_id=session.id
        )
        self.world.move_clock_to(end_ns)
        live.end_session(session.id)
        if runs:
            live.record_chapters(session.id, [(run.game, run.start_ns, run.end_ns) for run in runs])
        return result

    def register_creator(self, *, external_id: str, name: str) -> User:
        """The creator the gifts go to; their identity is verified later, if at all."""
        return self.economy.register_user(
            external_id=external_id,
            display_name=name,
            birth_date=CREATOR_BIRTH_DATE,
            region=REGION,
            is_creator=True,
        )

    # --- donations into a session ------------------------------------------------------

    def book(
        self,
        donations: Sequence[Donation],
        *,
        creator_id: UserId,
        session_id: int,
        funding: Funding | None = None,
        pace: Callable[[Donation], bool] | None = None,
    ) -> list[BookedDonation]:
        """Book the donations in time order; viewers register as they turn up.
        ``funding`` buys each donation's coins just before it (else they were bought
        up front); ``pace`` is asked before each donation, and the booking stops
        where it answers False."""
        ordered = sorted(donations, key=lambda donation: (donation.at_ns, donation.line))
        planned = self._planned(ordered, pace)
        return self._book(
            planned, len(ordered), creator_id=creator_id, session_id=session_id, funding=funding
        )

    def send(
        self,
        sender: User,
        coins: int,
        *,
        key: str,
        creator_id: UserId,
        session_id: int,
        funding: Funding | None = None,
    ) -> Sent:
        """``coins`` of gifts from one viewer now, outside the recording (an encore)."""
        lines = tuple(decompose(coins, self.world.palette))
        if funding is not None:
            funding.fund(sender, coins)
        (sent,) = self._send([_Part(sender, lines, key, None)], creator_id, session_id)
        if funding is not None:
            funding.unspent(sender, coins - sent.coins_booked)
        return sent

    def _book(
        self,
        planned: Iterable[_Planned],
        total: int,
        *,
        creator_id: UserId,
        session_id: int,
        funding: Funding | None = None,
    ) -> list[BookedDonation]:
        booked: list[BookedDonation] = []
        coins_booked = 0
        for batch in _batches(planned, self.options.batch_events):
            self.world.move_clock_to(batch[-1].donation.at_ns)
            self._register(batch)
            senders = [self.viewers[item.key] for item in batch]
            if funding is not None:
                for sender, item in zip(senders, batch, strict=True):
                    funding.fund(sender, item.coins)
            parts = [
                _Part(sender, item.lines, f"donation-{item.donation.line}", item.donation.at_ns)
                for sender, item in zip(senders, batch, strict=True)
            ]
            for sender, item, sent in zip(
                senders, batch, self._send(parts, creator_id, session_id), strict=True
            ):
                if funding is not None:
                    funding.unspent(sender, item.coins - sent.coins_booked)
                booked.append(BookedDonation(item.donation, item.key, item.coins, sent))
                coins_booked += sent.coins_booked
            done = len(booked)
            last = batch[-1].donation.at_ns
            self.on_progress(ReplayProgress("donations", done, total, coins_booked, last))
        return booked

    def _send(
        self,
        parts: Sequence[_Part],
        creator_id: UserId,
        session_id: int,
    ) -> list[Sent]:
        """One ``send_gifts`` call for every part's events, then their streaks ended."""
        requests: list[GiftRequest] = []
        spans: list[tuple[int, int, list[str]]] = []
        for part in parts:
            first = len(requests)
            events, streak_ids = gift_requests(
                part.lines,
                sender_id=part.sender.id,
                creator_id=creator_id,
                key=part.key,
                session_id=session_id,
                sent_at=part.sent_at,
            )
            requests += events
            spans.append((first, len(requests), streak_ids))
        outcomes = self.economy.send_gifts(requests)
        sent = []
        for part, (first, last, streak_ids) in zip(parts, spans, strict=True):
            mine = outcomes[first:last]
            booked = [outcome for outcome in mine if isinstance(outcome, GiftSent)]
            started = {outcome.streak_id for outcome in booked}
            for streak_id in streak_ids:
                if streak_id in started:
                    self.economy.end_streak(part.sender.id, streak_id)
            refused = tuple(outcome.code for outcome in mine if not isinstance(outcome, GiftSent))
            sent.append(Sent(sum(gift.coins for gift in booked), refused, part.lines))
        return sent

    # --- viewers ------------------------------------------------------------------------

    def _planned(
        self, donations: Sequence[Donation], pace: Callable[[Donation], bool] | None = None
    ) -> Iterator[_Planned]:
        """Each donation's viewer (asked of the audience once), coins and gift lines."""
        for donation in donations:
            if pace is not None and not pace(donation):
                return
            coins = coins_for_donation(donation.amount_usd_cents, self.options.coins_per_usd)
            lines = tuple(decompose(coins, self.world.palette))
            yield _Planned(donation, self.audience.key(donation), coins, lines)

    def _register(self, planned: Sequence[_Planned]) -> None:
        """The viewers not registered yet, in order of first donation, in chunks."""
        new = [
            key for key in dict.fromkeys(item.key for item in planned) if key not in self.viewers
        ]
        registrations = [self.audience.registration(key) for key in new]
        for start in range(0, len(new), self.options.chunk):
            chunk = registrations[start : start + self.options.chunk]
            users = self.economy.register_users(chunk)
            self.viewers.update(zip(new[start : start + self.options.chunk], users, strict=True))
            self.on_progress(ReplayProgress("viewers", start + len(chunk), len(new)))

    def _purchased(self, done: int, total: int) -> None:
        self.on_progress(ReplayProgress("purchases", done, total))


def _window(donations: Sequence[Donation], runs: Sequence[Run]) -> tuple[int, int]:
    """The LIVE runs from the first donation or run to one second after the last."""
    starts = [d.at_ns for d in donations[:1]] + [run.start_ns for run in runs[:1]]
    ends = [d.at_ns + NS_PER_S for d in donations[-1:]] + [r.end_ns for r in runs]
    if not starts:
        raise ReplayError("the log holds no donation and no run")
    start = min(starts)
    return start, max(*ends, start + NS_PER_S)


def _batches(planned: Iterable[_Planned], size: int) -> Iterator[list[_Planned]]:
    """Consecutive donations of at least ``size`` gift events together (the last fewer)."""
    batch: list[_Planned] = []
    events = 0
    for item in planned:
        batch.append(item)
        events += len(item.lines)
        if events >= size:
            yield batch
            batch, events = [], 0
    if batch:
        yield batch
