"""Fraud rules: each looks at one fact and returns a decision to log (pure).

Decisions are logged whatever they say, so that a person can review them: ``block``
stops the action, ``review`` lets it happen but flags it (and may freeze a wallet),
``allow`` is logged only where a rule was close to firing.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from enum import StrEnum

from giftflow.ids import UserId

_NS = 1_000_000_000


class Action(StrEnum):
    ALLOW = "allow"
    BLOCK = "block"
    REVIEW = "review"


class Rule(StrEnum):
    VELOCITY = "gift_velocity"
    SELF_GIFTING = "self_gifting"
    SHARED_INSTRUMENT = "shared_instrument"
    CHARGEBACK = "chargeback"
    FROZEN_WALLET_PAYMENT = "frozen_wallet_payment"


@dataclass(frozen=True, slots=True)
class Decision:
    rule: Rule
    action: Action
    user_id: UserId | None
    subject: str
    detail: str


class VelocityLimiter:
    """At most ``limit`` gift events per wallet in any ``window_s`` seconds.

    It counts in this process; several server processes each enforce the limit on
    the events they see (documented in docs/economy.md)."""

    def __init__(self, *, limit: int, window_s: int) -> None:
        self.limit = limit
        self.window_ns = window_s * _NS
        self._events: dict[UserId, deque[int]] = defaultdict(deque)

    def check(self, user_id: UserId, now: int) -> Decision | None:
        events = self._events[user_id]
        while events and events[0] <= now - self.window_ns:
            events.popleft()
        if len(events) >= self.limit:
            return Decision(
                Rule.VELOCITY,
                Action.BLOCK,
                user_id,
                f"wallet of user {user_id}",
                f"more than {self.limit} gift events in {self.window_ns // _NS} s",
            )
        events.append(now)
        return None

    def release(self, user_id: UserId, at: int) -> None:
        """Take back an event ``check`` counted at ``at`` that was not sent after all
        (refused later: too few coins, a lost race): only gifts sent count."""
        events = self._events.get(user_id)
        if not events:
            return
        for index in range(len(events) - 1, -1, -1):
            if events[index] == at:
                del events[index]
                return


def self_gifting(sender_id: UserId, creator_id: UserId) -> Decision | None:
    if sender_id != creator_id:
        return None
    return Decision(
        Rule.SELF_GIFTING, Action.BLOCK, sender_id, f"user {sender_id}", "a gift to oneself"
    )


def shared_instrument(
    instrument: str, user_id: UserId, wallets_funded: int, limit: int, *, rank: int
) -> Decision | None:
    """``wallets_funded`` counts the distinct wallets this instrument has paid for,
    this one included; ``rank`` is this wallet's place among them by first payment
    (1: the first it funded). Only a wallet beyond the limit is flagged: one of the
    first ``limit`` paying again with its own card is no new sharing."""
    if rank <= limit:
        return None
    return Decision(
        Rule.SHARED_INSTRUMENT,
        Action.REVIEW,
        user_id,
        f"instrument {instrument}",
        f"one payment instrument funded {wallets_funded} wallets (limit {limit})",
    )
