"""Battle invitations: a battle starts only when every other side has said yes.

Rules, in one place:

- **Invite.** The host of a live session (the inviter) invites one or more other live
  sessions (the invitees) to a battle of ``duration_s``. A session has at most one
  pending invitation out at a time; being invited blocks nothing: an invitee may
  start or accept other battles meanwhile.
- **Answer.** Each invitee's host accepts or declines for its own session. The last
  acceptance starts the battle (then the sides must still be live and free, or the
  acceptance is refused and may be tried again); one decline declines the whole
  invitation. Answering again as before changes nothing; an invitee who accepted may
  still decline while others have not answered.
- **End without a battle.** The inviter withdraws it (cancelled), a session in it ends
  (cancelled), or nobody answered before ``expires_at`` (expired, ``ttl_s`` after it
  was sent: 60 s by default, at most ``TTL_S_MAX``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.live.battles import check_start
from giftflow.live.errors import LiveError, LiveNotFoundError, LiveStateError

TTL_S_DEFAULT: Final = 60
TTL_S_MAX: Final = 600
"""An invitation left open longer is a notification nobody is still looking at."""


class InvitationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    """Every invitee accepted: the battle started (``battle_id``)."""
    DECLINED = "declined"
    CANCELLED = "cancelled"
    """The inviter withdrew it, or a session in it ended."""
    EXPIRED = "expired"
    """Pending past ``expires_at``: never stored, read from the clock."""


class Answer(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Invitee:
    session_id: int
    creator_id: UserId
    answer: Answer
    answered_at: UnixNs | None = None


@dataclass(frozen=True, slots=True)
class Invitation:
    id: int
    session_id: int
    """The inviter's session."""
    creator_id: UserId
    duration_s: int
    created_at: UnixNs
    expires_at: UnixNs
    state: InvitationState
    """As stored: ``PENDING`` even once expired (see ``state_at``)."""
    invitees: tuple[Invitee, ...]
    decided_at: UnixNs | None = None
    battle_id: int | None = None

    def state_at(self, now: int) -> InvitationState:
        if self.state is InvitationState.PENDING and now >= self.expires_at:
            return InvitationState.EXPIRED
        return self.state

    def invitee(self, session_id: int) -> Invitee | None:
        return next((i for i in self.invitees if i.session_id == session_id), None)

    @property
    def session_ids(self) -> list[int]:
        """Every side's session, the inviter's first."""
        return [self.session_id, *(invitee.session_id for invitee in self.invitees)]

    @property
    def creator_ids(self) -> list[UserId]:
        return [self.creator_id, *(invitee.creator_id for invitee in self.invitees)]

    def all_accepted(self) -> bool:
        return all(invitee.answer is Answer.ACCEPTED for invitee in self.invitees)


def check_invitation(
    session_id: int, invitee_session_ids: Sequence[int], *, duration_s: int, ttl_s: int
) -> None:
    check_start([session_id, *invitee_session_ids], duration_s)
    if not 1 <= ttl_s <= TTL_S_MAX:
        raise LiveError(
            f"an invitation waits 1..{TTL_S_MAX} s for its answers",
            code="battle_invitation_ttl_invalid",
        )


def answering(invitation: Invitation, session_id: int, *, now: int) -> Invitee:
    """The invitee answering for ``session_id``, or the rule the answer breaks."""
    invitee = invitation.invitee(session_id)
    if invitee is None:
        raise LiveNotFoundError(
            f"session {session_id} is not invited by invitation {invitation.id}",
            code="battle_invitee_not_found",
        )
    require_pending(invitation, now=now)
    return invitee


def require_pending(invitation: Invitation, *, now: int) -> None:
    state = invitation.state_at(now)
    if state is InvitationState.EXPIRED:
        raise LiveStateError(
            f"invitation {invitation.id} expired unanswered", code="battle_invitation_expired"
        )
    if state is not InvitationState.PENDING:
        raise LiveStateError(
            f"invitation {invitation.id} is {state.value}", code="battle_invitation_closed"
        )
