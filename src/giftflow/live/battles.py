"""Battles (LIVE Match): two or more co-hosts' sessions compete for gifts, for a set
time (300 s by default).

Rules, in one place:

- **Window.** A side scores the coin value of the gifts its session receives during
  ``[started_at, ends_at)``, where ``ends_at`` is moved earlier if the battle is ended
  by hand. A gift's time is the ledger timestamp it was booked at.
- **Booster.** Each side may trigger one booster per battle, only while the battle
  runs and only by that side's host (the creator whose session it is). It multiplies
  the side's points by ``multiplier`` (2..``BOOSTER_MULTIPLIER_MAX``) for gifts booked
  during ``[booster_started_at, booster_started_at + duration)``, cut at the battle's
  end. Points are ``coins * multiplier`` then, ``coins`` otherwise.
- **Outcome.** The side with the most points wins; when the top score is shared the
  battle is a draw (no winner).
- **MVPs.** Per side, the supporters who brought the most points (leaderboard order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.live.errors import LiveError
from giftflow.live.leaderboards import Standing, Support, rank

DEFAULT_DURATION_S = 300
BOOSTER_MULTIPLIER_MAX = 5
BOOSTER_DURATION_S_DEFAULT = 30
MVP_COUNT = 3


@dataclass(frozen=True, slots=True)
class Booster:
    multiplier: int
    started_at: UnixNs
    ends_at: UnixNs

    def active(self, at: int) -> bool:
        return self.started_at <= at < self.ends_at


@dataclass(frozen=True, slots=True)
class Side:
    session_id: int
    creator_id: UserId
    score: int
    booster: Booster | None = None


@dataclass(frozen=True, slots=True)
class Battle:
    id: int
    started_at: UnixNs
    ends_at: UnixNs
    ended_at: UnixNs | None
    winner_session_id: int | None
    sides: tuple[Side, ...]

    @property
    def is_over(self) -> bool:
        return self.ended_at is not None

    def side(self, session_id: int) -> Side | None:
        return next((s for s in self.sides if s.session_id == session_id), None)


def check_start(session_ids: Iterable[int], duration_s: int) -> None:
    sessions = list(session_ids)
    if len(sessions) < 2 or len(set(sessions)) != len(sessions):
        raise LiveError(
            "a battle needs two or more different sessions", code="battle_sides_invalid"
        )
    if duration_s <= 0:
        raise LiveError("a battle lasts a positive time", code="battle_duration_invalid")


def in_window(started_at: int, ends_at: int, at: int) -> bool:
    return started_at <= at < ends_at


def points(coins: int, booster: Booster | None, at: int) -> int:
    return coins * booster.multiplier if booster is not None and booster.active(at) else coins


def plan_booster(
    battle: Battle, side: Side, *, by_user_id: UserId, multiplier: int, duration_s: int, now: int
) -> Booster:
    """The booster ``by_user_id`` triggers for ``side`` now, or the rule it breaks."""
    if battle.is_over or not in_window(battle.started_at, battle.ends_at, now):
        raise LiveError("the battle is not running", code="battle_not_running")
    if by_user_id != side.creator_id:
        raise LiveError("only the side's host may trigger its booster", code="booster_forbidden")
    if side.booster is not None:
        raise LiveError("this side has used its booster", code="booster_used")
    if not 2 <= multiplier <= BOOSTER_MULTIPLIER_MAX or duration_s <= 0:
        raise LiveError(
            f"a booster multiplies by 2..{BOOSTER_MULTIPLIER_MAX} for a positive time",
            code="booster_invalid",
        )
    return Booster(multiplier, now, min(now + duration_s * NS_PER_S, battle.ends_at))


def winner(scores: Mapping[int, int]) -> int | None:
    """The session with the highest score; ``None`` for a draw."""
    if not scores:
        return None
    best = max(scores.values())
    leaders = [session for session, score in scores.items() if score == best]
    return leaders[0] if len(leaders) == 1 else None


def mvps(supports: Iterable[Support], *, count: int = MVP_COUNT) -> list[Standing]:
    """A side's most valuable supporters by points (``Support.coins`` holds points)."""
    return rank(supports, limit=count)
