"""Perks that deliver, on the supporter levels of ``giftflow.live.levels``: pure rules.

- ``file``: the supporters at or above the perk's level download one of the creator's
  files, through a signed link that expires (``giftflow.creator.perks_links``).
- ``early_access``: to a product (buy it) or to a scheduled LIVE (register for it)
  before it opens to everyone. The target opens to everyone at ``opens_at``; the
  supporters at or above the level may from ``early_s`` seconds before; before that
  nobody may.
- Priority Q&A is the existing ``qa_priority`` perk (``PerkKind.QA_PRIORITY``): during a
  LIVE the viewers it entitles put questions in a queue the creator works through,
  ordered by level (highest first), then by submission time, then by id.

A supporter's level is what it is at the moment of the check: one who drops below it
(the creator raised the thresholds) loses the perk at once, links already made included.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from giftflow.economy.errors import EconomyError, NotFoundError
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.live.levels import Perk, PerkKind

EARLY_S_MAX: Final = 30 * 86_400
"""Early access opens at most 30 days before everyone's."""
QUESTION_LENGTH_MAX: Final = 500
QUEUE_LIST_MAX: Final = 500


class PerkError(EconomyError):
    code = "perk_error"


class PerkNotFoundError(NotFoundError):
    code = "perk_not_found"


class NotEntitledError(PerkError):
    """The user is not (or no longer) entitled to what they ask for."""

    code = "not_entitled"


class DeliveryKind(StrEnum):
    FILE = "file"
    EARLY_ACCESS = "early_access"


@dataclass(frozen=True, slots=True)
class EarlyAccess:
    """When a product or a scheduled LIVE opens: to the supporters at or above
    ``level`` from ``opens_at - early_s * 1e9``, to everyone from ``opens_at`` (ns)."""

    level: int
    opens_at: UnixNs
    early_s: int

    @property
    def early_at(self) -> int:
        return self.opens_at - self.early_s * NS_PER_S


@dataclass(frozen=True, slots=True)
class DeliveringPerk:
    """A perk that delivers: a file, or early access to one product or scheduled LIVE."""

    id: str
    creator_id: UserId
    level: int
    kind: DeliveryKind
    file_id: str | None
    product_id: str | None
    schedule_id: str | None
    early: EarlyAccess | None
    created_at: UnixNs


class Opening(StrEnum):
    """Whether a user may act on an early-access target now."""

    OPEN = "open"
    EARLY = "early"
    """Only the entitled supporters may, for now."""
    NOT_YET = "not_yet"


def check_level(level: int, levels: int) -> None:
    if not 1 <= level <= levels:
        raise PerkError(f"a perk's level is 1..{levels}", code="perk_level_invalid")


def check_early(early: EarlyAccess, levels: int) -> None:
    check_level(early.level, levels)
    if not 0 <= early.early_s <= EARLY_S_MAX:
        raise PerkError(
            f"early access opens 0 to {EARLY_S_MAX} seconds before everyone's",
            code="early_access_invalid",
        )
    if early.opens_at <= 0:
        raise PerkError(
            "early access needs the moment it opens to all", code="early_access_invalid"
        )


def opening(early: EarlyAccess | None, *, now: int) -> Opening:
    if early is None or now >= early.opens_at:
        return Opening.OPEN
    return Opening.EARLY if now >= early.early_at else Opening.NOT_YET


def require_open(early: EarlyAccess | None, *, level: int, now: int, what: str) -> None:
    """Raise unless a supporter at ``level`` may act on the target at ``now``."""
    state = opening(early, now=now)
    if state is Opening.OPEN:
        return
    if state is Opening.NOT_YET:
        raise PerkError(f"{what} does not open before its early access", code="not_open_yet")
    assert early is not None
    if level < early.level:
        raise NotEntitledError(
            f"{what} opens to supporters of level {early.level} first; to everyone later",
            code="early_access_only",
        )


def entitled(level: int, perk_level: int) -> bool:
    return level >= perk_level


def qa_level(perks: list[Perk]) -> int | None:
    """The lowest level whose supporters may put questions in the queue (None: the
    creator offers no priority Q&A)."""
    levels = [p.level for p in perks if p.kind is PerkKind.QA_PRIORITY]
    return min(levels) if levels else None


class QuestionState(StrEnum):
    QUEUED = "queued"
    ANSWERED = "answered"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    session_id: int
    creator_id: UserId
    user_id: UserId
    level: int
    """The asker's supporter level when they asked: what orders the queue."""
    text: str
    state: QuestionState
    submitted_at: UnixNs
    closed_at: UnixNs


def queue_order(question: Question) -> tuple[int, int, str]:
    """Highest level first, then first asked, then by id (a stable tie-break)."""
    return (-question.level, question.submitted_at, question.id)


def ordered(questions: list[Question]) -> list[Question]:
    return sorted(questions, key=queue_order)


def check_question(text: str) -> str:
    stripped = text.strip()
    if not stripped or len(stripped) > QUESTION_LENGTH_MAX:
        raise PerkError(
            f"a question is 1 to {QUESTION_LENGTH_MAX} characters", code="question_invalid"
        )
    return stripped
