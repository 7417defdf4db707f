"""Battle invitations in the database: sent, answered, withdrawn, cancelled with their
session; the last acceptance opens the battle in its own transaction. The rules are
``giftflow.live.invitations``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.errors import LiveNotFoundError, LiveStateError
from giftflow.live.events import EventType
from giftflow.live.invitations import (
    Answer,
    Invitation,
    InvitationState,
    answering,
    check_invitation,
    require_pending,
)
from giftflow.service.economy.context import PendingEvent
from giftflow.service.live import battles
from giftflow.service.live.context import LiveContext, event, require_live
from giftflow.store import battle_invitations as stored
from giftflow.store.tx import Tx

SESSION_ENDED = "session_ended"
WITHDRAWN = "withdrawn"


def find(tx: Tx, invitation_id: int) -> Invitation:
    invitation = stored.by_id(tx, invitation_id)
    if invitation is None:
        raise LiveNotFoundError(
            f"no battle invitation {invitation_id}", code="battle_invitation_not_found"
        )
    return invitation


def get(context: LiveContext, invitation_id: int) -> Invitation:
    return context.read(lambda tx: find(tx, invitation_id))


def of_room(context: LiveContext, room_id: UserId) -> list[Invitation]:
    """The room's pending invitations, sent and received, oldest first."""
    now = context.now()

    def read(tx: Tx) -> list[Invitation]:
        ids = stored.pending_of_room(tx, room_id, now_ns=now)
        return [find(tx, invitation_id) for invitation_id in ids]

    return context.read(read)


def invite(
    context: LiveContext,
    session_id: int,
    invitee_session_ids: Sequence[int],
    *,
    duration_s: int | None = None,
    ttl_s: int | None = None,
) -> Invitation:
    """``session_id``'s host invites the other sessions to a battle of ``duration_s``
    (the battle default), open for answers for ``ttl_s`` (60 s by default)."""
    duration_s = context.settings.battle_duration_s if duration_s is None else duration_s
    ttl_s = context.settings.invitation_ttl_s if ttl_s is None else ttl_s
    check_invitation(session_id, invitee_session_ids, duration_s=duration_s, ttl_s=ttl_s)
    now = context.now()

    def send(tx: Tx) -> Invitation:
        creator_id = _lock_live(tx, session_id)
        invitees = [(s, require_live(tx, s)) for s in invitee_session_ids]
        _require_free(tx, [session_id, *invitee_session_ids])
        pending = stored.pending_sent(tx, session_id, now_ns=now)
        if pending is not None:
            raise LiveStateError(
                f"session {session_id} has invitation {pending} pending: withdraw it first",
                code="battle_invitation_pending",
            )
        invitation_id = stored.insert(
            tx,
            session_id=session_id,
            creator_id=creator_id,
            invitees=invitees,
            duration_s=duration_s,
            now_ns=now,
            expires_at_ns=now + ttl_s * NS_PER_S,
        )
        return find(tx, invitation_id)

    invitation = context.write(send)
    context.publish(_to_every_room(invitation, EventType.BATTLE_INVITED, now))
    return invitation


def accept(context: LiveContext, invitation_id: int, session_id: int) -> Invitation:
    """The invitee's host says yes; the last yes starts the battle (``battle_id``)."""
    return _answer_by(context, invitation_id, session_id, Answer.ACCEPTED, _after_yes)


def decline(context: LiveContext, invitation_id: int, session_id: int) -> Invitation:
    """The invitee's host says no: the invitation is declined for everyone."""
    return _answer_by(context, invitation_id, session_id, Answer.DECLINED, _after_no)


Then = Callable[[Tx, Invitation, int, int], tuple[Invitation, list[PendingEvent]]]


def _answer_by(
    context: LiveContext, invitation_id: int, session_id: int, answer: Answer, then: Then
) -> Invitation:
    now = context.now()
    outcome = InvitationState.ACCEPTED if answer is Answer.ACCEPTED else InvitationState.DECLINED

    def work(tx: Tx) -> tuple[Invitation, list[PendingEvent]]:
        invitation = _locked(tx, invitation_id)
        if _answered(invitation, session_id, answer, outcome, now):
            return invitation, []
        answering(invitation, session_id, now=now)
        _answer(tx, invitation_id, session_id, answer, now)
        return then(tx, find(tx, invitation_id), session_id, now)

    return _publishing(context, work)


def _after_yes(
    tx: Tx, answered: Invitation, session_id: int, now: int
) -> tuple[Invitation, list[PendingEvent]]:
    if not answered.all_accepted():
        return answered, _to_every_room(
            answered, EventType.BATTLE_ACCEPTED, now, session_id=session_id
        )
    battle = battles.begin(tx, answered.session_ids, answered.duration_s, now)
    _decide(tx, answered.id, InvitationState.ACCEPTED, now, battle_id=battle.id)
    decided = find(tx, answered.id)
    accepted = _to_every_room(decided, EventType.BATTLE_ACCEPTED, now, session_id=session_id)
    return decided, [*accepted, *battles.started(tx, battle, now)]


def _after_no(
    tx: Tx, answered: Invitation, session_id: int, now: int
) -> tuple[Invitation, list[PendingEvent]]:
    _decide(tx, answered.id, InvitationState.DECLINED, now)
    declined = find(tx, answered.id)
    return declined, _to_every_room(declined, EventType.BATTLE_DECLINED, now, session_id=session_id)


def withdraw(context: LiveContext, invitation_id: int) -> Invitation:
    """The inviter takes the invitation back; withdrawing twice changes nothing."""
    now = context.now()

    def take_back(tx: Tx) -> tuple[Invitation, list[PendingEvent]]:
        invitation = _locked(tx, invitation_id)
        if invitation.state is InvitationState.CANCELLED:
            return invitation, []
        require_pending(invitation, now=now)
        return _cancel(tx, invitation_id, now, WITHDRAWN)

    return _publishing(context, take_back)


def cancel_for_session(tx: Tx, session_id: int, now: int) -> list[PendingEvent]:
    """The session ended: every pending invitation it is in is cancelled."""
    pending = stored.pending_of_session(tx, session_id)
    return [e for each in pending for e in _cancel(tx, each, now, SESSION_ENDED)[1]]


# --- in the transaction ---------------------------------------------------------------


def _lock_live(tx: Tx, session_id: int) -> UserId:
    """The live session's creator, its row locked first (a no-op write): one invitation
    is sent from it at a time, and it cannot end unseen while one is."""
    stored.lock_session(tx, session_id)
    return require_live(tx, session_id)


def _require_free(tx: Tx, session_ids: Sequence[int]) -> None:
    for session_id in session_ids:
        busy = battles.running_battle(tx, session_id)
        if busy is not None:
            raise LiveStateError(f"session {session_id} is in battle {busy}", code="battle_running")


def _locked(tx: Tx, invitation_id: int) -> Invitation:
    """The invitation, its row locked (a no-op write): answers to one invitation take
    turns, so two last acceptances cannot both miss each other."""
    stored.lock(tx, invitation_id)
    return find(tx, invitation_id)


def _answered(
    invitation: Invitation, session_id: int, answer: Answer, outcome: InvitationState, now: int
) -> bool:
    """This invitee gave this answer already (a retry): nothing to do."""
    invitee = invitation.invitee(session_id)
    if invitee is None or invitee.answer is not answer:
        return False
    return invitation.state_at(now) in (InvitationState.PENDING, outcome)


def _answer(tx: Tx, invitation_id: int, session_id: int, answer: Answer, now: int) -> None:
    stored.set_answer(tx, invitation_id, session_id=session_id, answer=answer, now_ns=now)


def _decide(
    tx: Tx, invitation_id: int, state: InvitationState, now: int, *, battle_id: int | None = None
) -> None:
    stored.decide(tx, invitation_id, state=state, now_ns=now, battle_id=battle_id)


def _cancel(
    tx: Tx, invitation_id: int, now: int, reason: str
) -> tuple[Invitation, list[PendingEvent]]:
    _decide(tx, invitation_id, InvitationState.CANCELLED, now)
    cancelled = find(tx, invitation_id)
    return cancelled, _to_every_room(
        cancelled, EventType.BATTLE_INVITATION_CANCELLED, now, reason=reason
    )


def _publishing(
    context: LiveContext, work: Callable[[Tx], tuple[Invitation, list[PendingEvent]]]
) -> Invitation:
    invitation, events = context.write(work)
    context.publish(events)
    return invitation


# --- events ---------------------------------------------------------------------------


def data(invitation: Invitation, now: int) -> dict[str, Any]:
    """An invitation as its events carry it (times in nanoseconds)."""
    return {
        "invitation_id": invitation.id,
        "session_id": invitation.session_id,
        "creator_id": invitation.creator_id,
        "duration_s": invitation.duration_s,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "state": invitation.state_at(now).value,
        "battle_id": invitation.battle_id,
        "invitees": [
            {"session_id": i.session_id, "creator_id": i.creator_id, "answer": i.answer.value}
            for i in invitation.invitees
        ],
    }


def _to_every_room(
    invitation: Invitation, type: str, now: int, **extra: object
) -> list[PendingEvent]:
    body = data(invitation, now) | extra
    return [event(room, type, body, now) for room in invitation.creator_ids]
