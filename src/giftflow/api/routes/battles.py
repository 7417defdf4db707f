"""Battles over HTTP, and the invitations that start them.

A creator never pulls another creator's LIVE into a battle: the host of a live session
invites others (``POST /v1/battle-invitations``), each invited host accepts or
declines for their own session, and the last acceptance starts the battle. The room's
writer is the host with a creator token, an administrator, or a key with
``live:write`` acting on the host's behalf; such a key or an administrator may also
start a battle at once (``POST /v1/battles``), for a platform that asked every side
itself. Events of every step go to every room in the invitation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Path

from giftflow.api.routes.live import WRITE, RoomIdPath, may_read, may_write, room_of
from giftflow.http import auth
from giftflow.http.deps import LiveDep, PrincipalDep
from giftflow.http.errors import ForbiddenError
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import Role
from giftflow.http.schemas.battles import (
    BattleCreate,
    BattlePublic,
    BoosterCreate,
    InvitationAnswer,
    InvitationCreate,
    InvitationList,
    InvitationPublic,
)
from giftflow.ids import UserId
from giftflow.ledger.limits import INT64_MAX
from giftflow.live.battles import Battle
from giftflow.live.errors import LiveNotFoundError
from giftflow.live.invitations import Invitation
from giftflow.service.live import Live

router = APIRouter(prefix="/v1", tags=["live"], responses=RESPONSES)
BattleIdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]
InvitationIdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]


def _is_host(principal: Principal, creator_ids: Sequence[UserId]) -> bool:
    return any(principal.is_user(creator_id, Role.CREATOR) for creator_id in creator_ids)


# --- invitations -------------------------------------------------------------------------


def _public(live: Live, invitation: Invitation) -> InvitationPublic:
    return InvitationPublic.of(invitation, live.context.now())


@router.post("/battle-invitations", status_code=201, response_model=InvitationPublic)
def invite(body: InvitationCreate, principal: PrincipalDep, live: LiveDep) -> InvitationPublic:
    """Invite other live sessions to a battle (the writer of ``session_id``'s room). No
    battle yet: it starts when every invited host accepts, within ``expires_in_s``. A
    session has one pending invitation out at a time (409
    ``battle_invitation_pending``): a retry is refused, read the room's invitations."""
    may_write(principal, room_of(live, body.session_id))
    invitation = live.invite_to_battle(
        body.session_id,
        body.invitee_session_ids,
        duration_s=body.duration_s,
        ttl_s=body.expires_in_s,
    )
    return _public(live, invitation)


@router.get("/battle-invitations/{invitation_id}", response_model=InvitationPublic)
def get_invitation(
    invitation_id: InvitationIdPath, principal: PrincipalDep, live: LiveDep
) -> InvitationPublic:
    """The invitation: for the host of any session in it, an administrator, or
    ``live:read``."""
    invitation = live.battle_invitation(invitation_id)
    if not _is_host(principal, invitation.creator_ids):
        may_read(principal, invitation.creator_id)
    return _public(live, invitation)


@router.post("/battle-invitations/{invitation_id}/accept", response_model=InvitationPublic)
def accept_invitation(
    invitation_id: InvitationIdPath, body: InvitationAnswer, principal: PrincipalDep, live: LiveDep
) -> InvitationPublic:
    """Yes, for the invited ``session_id`` (its room's writer): the last yes starts the
    battle (``battle_id``). Accepting again changes nothing. 409
    ``battle_running`` while a side is in another battle (try again later),
    ``battle_invitation_expired``, ``battle_invitation_closed``."""
    may_write(principal, _invitee_room(live, invitation_id, body.session_id))
    return _public(live, live.accept_battle_invitation(invitation_id, session_id=body.session_id))


@router.post("/battle-invitations/{invitation_id}/decline", response_model=InvitationPublic)
def decline_invitation(
    invitation_id: InvitationIdPath, body: InvitationAnswer, principal: PrincipalDep, live: LiveDep
) -> InvitationPublic:
    """No, for the invited ``session_id`` (its room's writer): declined for every side.
    Declining again changes nothing."""
    may_write(principal, _invitee_room(live, invitation_id, body.session_id))
    return _public(live, live.decline_battle_invitation(invitation_id, session_id=body.session_id))


@router.post("/battle-invitations/{invitation_id}/withdraw", response_model=InvitationPublic)
def withdraw_invitation(
    invitation_id: InvitationIdPath, principal: PrincipalDep, live: LiveDep
) -> InvitationPublic:
    """The inviter takes it back (the writer of the inviting room). Withdrawing again
    changes nothing."""
    may_write(principal, live.battle_invitation(invitation_id).creator_id)
    return _public(live, live.withdraw_battle_invitation(invitation_id))


@router.get("/rooms/{room_id}/battle-invitations", response_model=InvitationList)
def room_invitations(room_id: RoomIdPath, principal: PrincipalDep, live: LiveDep) -> InvitationList:
    """The room's pending invitations, sent and received (the room's reader)."""
    may_read(principal, room_id)
    invitations = live.battle_invitations(room_id)
    return InvitationList(invitations=[_public(live, i) for i in invitations])


def _invitee_room(live: Live, invitation_id: int, session_id: int) -> UserId:
    invitee = live.battle_invitation(invitation_id).invitee(session_id)
    if invitee is None:
        raise LiveNotFoundError(
            f"session {session_id} is not invited by invitation {invitation_id}",
            code="battle_invitee_not_found",
        )
    return invitee.creator_id


# --- battles -----------------------------------------------------------------------------


def _may_write_battle(principal: Principal, battle: Battle) -> None:
    """The host of any side, an administrator, or ``live:write``."""
    if _is_host(principal, [side.creator_id for side in battle.sides]):
        return
    may_write(principal, battle.sides[0].creator_id)


@router.post("/battles", status_code=201, response_model=BattlePublic)
def start_battle(body: BattleCreate, principal: PrincipalDep, live: LiveDep) -> BattlePublic:
    """A battle between live sessions at once, for ``duration_s`` (300 by default): for
    a key with ``live:write`` or an administrator, acting for every side. Creators
    invite (``POST /v1/battle-invitations``). A retry finds the sessions in this battle
    and is refused with ``battle_running``."""
    if not principal.is_admin:
        if not principal.is_key:
            raise ForbiddenError(
                "a creator invites the other hosts (POST /v1/battle-invitations); starting"
                " a battle at once is for live:write keys and administrators"
            )
        auth.require_scope(principal, WRITE)
    return BattlePublic.of(live.start_battle(body.session_ids, duration_s=body.duration_s))


@router.post("/battles/{battle_id}/booster", response_model=BattlePublic)
def trigger_booster(
    battle_id: BattleIdPath, body: BoosterCreate, principal: PrincipalDep, live: LiveDep
) -> BattlePublic:
    """Multiply a side's points for a while: its host (creator token), an
    administrator or ``live:write`` (on the host's behalf); once per side."""
    side = live.battle(battle_id).side(body.session_id)
    if side is None:
        raise LiveNotFoundError(
            f"session {body.session_id} is not in battle {battle_id}",
            code="battle_side_not_found",
        )
    may_write(principal, side.creator_id)
    battle = live.trigger_booster(
        battle_id,
        session_id=body.session_id,
        by_user_id=side.creator_id,
        multiplier=body.multiplier,
        duration_s=body.duration_s,
    )
    return BattlePublic.of(battle)


@router.post("/battles/{battle_id}/end", response_model=BattlePublic)
def end_battle(battle_id: BattleIdPath, principal: PrincipalDep, live: LiveDep) -> BattlePublic:
    """End the battle now (or at its end time, if that passed); ending twice changes
    nothing."""
    _may_write_battle(principal, live.battle(battle_id))
    return BattlePublic.of(live.end_battle(battle_id))


@router.get("/battles/{battle_id}", response_model=BattlePublic)
def get_battle(battle_id: BattleIdPath, principal: PrincipalDep, live: LiveDep) -> BattlePublic:
    battle = live.battle(battle_id)
    if not _is_host(principal, [side.creator_id for side in battle.sides]):
        may_read(principal, battle.sides[0].creator_id)
    return BattlePublic.of(battle)
