"""Gift rules: "when a gift of at least N coins, or gift X, arrives: emit this action",
with a cooldown, as pure rules.

A rule belongs to a room. A gift event qualifies when it reaches ``min_coins`` (if set)
and is the rule's ``gift_id`` (if set); a streak's every increment is its own gift
event, so each increment is judged alone on the coins it adds. A qualifying gift fires
the rule unless the rule fired less than ``cooldown_s`` before it: it fires again at
exactly ``last_fired_at + cooldown_s`` and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.live.errors import LiveError

COOLDOWN_S_MAX: Final = 86_400
COINS_MAX: Final = 1_000_000_000
RULES_PER_ROOM_MAX: Final = 50
ACTION_LENGTH_MAX: Final = 64
PAYLOAD_LENGTH_MAX: Final = 500


@dataclass(frozen=True, slots=True)
class GiftRule:
    id: int
    creator_id: UserId
    action: str
    """The name the room's listeners act on (``confetti``, ``spin-wheel`` …)."""
    payload: str
    """Free text handed on with the action."""
    min_coins: int | None
    gift_id: GiftId | None
    cooldown_s: int
    fired: int = 0
    """How many times it fired."""
    last_fired_at: UnixNs | None = None
    created_at: UnixNs = 0

    def qualifies(self, *, gift_id: GiftId, coins: int) -> bool:
        if self.min_coins is not None and coins < self.min_coins:
            return False
        return self.gift_id is None or gift_id == self.gift_id

    def cooled_at(self) -> int | None:
        """From when it may fire again; ``None``: it never fired."""
        if self.last_fired_at is None:
            return None
        return self.last_fired_at + self.cooldown_s * NS_PER_S

    def moment(self, at: int) -> int:
        """When a gift booked ``at`` is judged: never before the rule last fired (a
        gift recorded with an earlier time counts as arriving now)."""
        return at if self.last_fired_at is None else max(at, self.last_fired_at)

    def fires(self, *, gift_id: GiftId, coins: int, at: int) -> bool:
        """Whether a gift event judged ``at`` (``moment``) fires it."""
        if not self.qualifies(gift_id=gift_id, coins=coins):
            return False
        cooled = self.cooled_at()
        return cooled is None or at >= cooled


def check(*, min_coins: int | None, gift_id: GiftId | None, cooldown_s: int) -> None:
    """A rule names a minimum, a gift, or both; its cooldown is 0 to a day."""
    if min_coins is None and gift_id is None:
        raise LiveError("a rule needs min_coins, gift_id or both", code="gift_rule_invalid")
    if min_coins is not None and not 1 <= min_coins <= COINS_MAX:
        raise LiveError(f"min_coins is 1 to {COINS_MAX}", code="gift_rule_invalid")
    if not 0 <= cooldown_s <= COOLDOWN_S_MAX:
        raise LiveError(f"cooldown_s is 0 to {COOLDOWN_S_MAX}", code="gift_rule_invalid")
