"""A replay's figures, read back from what the economy stored.

``replay_report`` (``giftflow replay``): the session's post-LIVE report
(``giftflow.service.analytics``) and the gifts table; only the donation counts come
from the replay's own record of what it booked, and the coins it booked per minute
must agree with the stored ones. ``booked_figures`` (the demo's "LIVE, replayed"
table): the stored gift events, purchases and viewers (``giftflow.store.replay``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from giftflow.analytics.formats import instant, minute_index, minute_label
from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.replay.audience import LOG_ANONYMOUS, LOG_PREFIX
from giftflow.replay.run import BookedDonation, ReplayError, ReplayOptions, ReplayResult
from giftflow.service.analytics import Analytics
from giftflow.service.economy import Economy
from giftflow.store import replay as stored
from giftflow.store.replay import ChannelPurchases, SessionGifts

TOP_SUPPORTERS: Final = 10
_ANONYMOUS: Final = LOG_PREFIX + LOG_ANONYMOUS
Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class BookedFigures:
    """A replayed session as booked: what the log asked for, and what was stored."""

    donations: int
    """Donations replayed (the replay's own count: a donation is not a stored row)."""
    coins_donated: int
    """What they were worth, in coins (from the log)."""
    refused: Counter[str]
    """Gift events the economy refused, by error code (refusals store nothing)."""
    viewers: int
    purchases: list[ChannelPurchases]
    gifts: SessionGifts

    @property
    def coins_minted(self) -> int:
        return sum(channel.coins for channel in self.purchases)


def booked_figures(
    economy: Economy, booked: Sequence[BookedDonation], *, session_id: int
) -> BookedFigures:
    viewers, purchases, gifts = economy.ledger.read(
        lambda tx: (
            stored.viewers_count(tx),
            stored.purchases_by_channel(tx),
            stored.session_gifts(tx, session_id),
        )
    )
    return BookedFigures(
        donations=len(booked),
        coins_donated=sum(donation.coins for donation in booked),
        refused=Counter(code for donation in booked for code in donation.refused),
        viewers=viewers,
        purchases=purchases,
        gifts=gifts,
    )


def replay_report(
    analytics: Analytics, result: ReplayResult, options: ReplayOptions, *, event: str
) -> tuple[Json, Json]:
    """The replay's JSON report, and the session report its HTML page draws: the
    charts over the minutes with donations (a log can span months, and a dense
    minute series of a year would not draw)."""
    session = analytics.session_report(result.session_id)
    per_minute = _per_minute(session, result)
    active = {row["minute"] for row in per_minute}
    page = {**session, "minutes": [row for row in session["minutes"] if row["minute"] in active]}
    totals = session["totals"]
    summary = {key: value for key, value in session.items() if key != "minutes"}
    report = {
        "event": event,
        "coins_per_usd": options.coins_per_usd,
        "share_bps": options.share_bps,
        "session_id": result.session_id,
        "coins_total": totals["coins"],
        "donations": len(result.booked),
        "gifters_unique": totals["gifters_unique"],
        "diamonds_total": diamonds_number(totals["diamond_units"]),
        "diamond_units_total": totals["diamond_units"],
        "peak_coins_per_minute": session["velocity"]["peak_coins_per_minute"],
        "top_supporters": top_supporters(analytics, result.session_id),
        "chapters": _chapters(session, result),
        "per_minute": per_minute,
        "refused": dict(sorted(result.refused.items())),
        "session_report": summary,
    }
    return report, page


def diamonds_number(units: int) -> int | float:
    """Diamonds as a JSON number, exact: whole, or a decimal of at most four places
    (its shortest float representation prints exactly those digits)."""
    whole, rest = divmod(units, UNITS_PER_DIAMOND)
    return whole if rest == 0 else float(Decimal(units) / UNITS_PER_DIAMOND)


def top_supporters(analytics: Analytics, session_id: int) -> list[Json]:
    """The largest named donors by coins; ties go to the smaller donor id."""

    named = [
        (supporter.external_id.removeprefix(LOG_PREFIX), supporter.coins)
        for supporter in analytics.context.read(lambda tx: stored.supporters(tx, session_id))
        if not supporter.external_id.startswith(_ANONYMOUS)
    ]
    named.sort(key=lambda pair: (-pair[1], pair[0]))
    return [{"viewer": viewer, "coins": coins} for viewer, coins in named[:TOP_SUPPORTERS]]


def _chapters(session: Json, result: ReplayResult) -> list[Json]:
    """Each run with its window as scheduled and what the stored chapter received."""
    times = [booked.donation.at_ns for booked in result.booked]
    stored = {chapter["position"]: chapter for chapter in session["chapters"]}
    chapters = []
    for position, run in enumerate(result.runs, start=1):
        donations = max(0, bisect_left(times, run.end_ns) - bisect_left(times, run.start_ns))
        chapters.append(
            {
                "name": run.game,
                "start": instant(run.start_ns),
                "end": instant(run.end_ns),
                "coins": stored[position]["coins"] if position in stored else 0,
                "donations": donations,
            }
        )
    return chapters


def _per_minute(session: Json, result: ReplayResult) -> list[Json]:
    donations: Counter[int] = Counter()
    coins: Counter[int] = Counter()
    for booked in result.booked:
        minute = minute_index(booked.donation.at_ns)
        donations[minute] += 1
        coins[minute] += booked.coins if not booked.refused else 0
    stored = {row["minute"]: row for row in session["minutes"]}
    rows = []
    refused = bool(result.refused)
    for minute in sorted(donations):
        label = minute_label(minute)
        row = stored.get(label, {"coins": 0, "gifts": 0, "gifters": 0})
        if not refused and row["coins"] != coins[minute]:
            raise ReplayError(
                f"minute {label}: booked {coins[minute]} coins, stored {row['coins']}"
            )
        rows.append({"minute": label, "coins": row["coins"], "donations": donations[minute]})
    return rows
