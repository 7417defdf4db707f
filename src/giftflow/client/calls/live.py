"""Rooms and LIVE: room tokens, overlay state, sessions, viewers, interactions, chapters,
goals, leaderboards, perks, battle invitations and battles. None moves money, so none
takes an Idempotency-Key; ``repeatable`` marks those that change nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from giftflow.client.call import Call, model, path
from giftflow.client.models import (
    BattlePublic,
    ChapterList,
    ChapterPublic,
    GoalList,
    GoalPublic,
    InteractionPublic,
    InvitationList,
    InvitationPublic,
    LeaderboardPublic,
    OverlayStatePublic,
    PerksPublic,
    RoomTokenPublic,
    RoomTokensRevokedPublic,
    SessionDetailPublic,
    SessionPublic,
    ViewersPublic,
)
from giftflow.client.requests import ChapterPlan, Perk, without_none

InteractionKind = Literal["follow", "like", "comment", "share"]
Period = Literal["week", "all"]


def issue_room_token(room_id: int) -> Call[RoomTokenPublic]:
    """``POST /v1/rooms/{id}/tokens``: a read-only token for the room's overlays."""
    return Call("POST", path("/v1/rooms/{}/tokens", room_id), model(RoomTokenPublic))


def revoke_room_tokens(room_id: int) -> Call[RoomTokensRevokedPublic]:
    """``POST /v1/rooms/{id}/tokens/revoke``: every room token of the room issued so far
    is refused (open WebSockets are closed)."""
    where = path("/v1/rooms/{}/tokens/revoke", room_id)
    return Call("POST", where, model(RoomTokensRevokedPublic), repeatable=True)


def overlay_state(room_id: int, *, room_token: str) -> Call[OverlayStatePublic]:
    """``GET /v1/rooms/{id}/overlay-state``: what the overlays show now (a room token,
    not the client's credential)."""
    url = path("/v1/rooms/{}/overlay-state", room_id)
    query = {"token": room_token}
    return Call("GET", url, model(OverlayStatePublic), query=query, authenticated=False)


def start_session(room_id: int, *, title: str | None = None) -> Call[SessionPublic]:
    """Go live; while a session is live, answers it and starts nothing."""
    url = path("/v1/rooms/{}/sessions", room_id)
    return Call("POST", url, model(SessionPublic), body=without_none(title=title), repeatable=True)


def end_session(session_id: int) -> Call[SessionPublic]:
    url = path("/v1/sessions/{}/end", session_id)
    return Call("POST", url, model(SessionPublic), repeatable=True)


def get_session(session_id: int) -> Call[SessionDetailPublic]:
    return Call("GET", path("/v1/sessions/{}", session_id), model(SessionDetailPublic))


def join(session_id: int, user_id: int) -> Call[ViewersPublic]:
    url = path("/v1/sessions/{}/viewers/{}/join", session_id, user_id)
    return Call("POST", url, model(ViewersPublic), repeatable=True)


def leave(session_id: int, user_id: int) -> Call[ViewersPublic]:
    url = path("/v1/sessions/{}/viewers/{}/leave", session_id, user_id)
    return Call("POST", url, model(ViewersPublic), repeatable=True)


def interact(
    session_id: int, *, user_id: int, kind: InteractionKind, text: str | None = None
) -> Call[InteractionPublic]:
    """A follow, like, comment or share (counts again when sent again)."""
    url = path("/v1/sessions/{}/interactions", session_id)
    body = without_none(user_id=user_id, kind=kind, text=text)
    return Call("POST", url, model(InteractionPublic), body=body)


def plan_chapters(session_id: int, chapters: Sequence[ChapterPlan]) -> Call[ChapterList]:
    """Appends to the plan; the answer is the whole plan."""
    url = path("/v1/sessions/{}/chapters", session_id)
    body = {"chapters": [chapter.to_json() for chapter in chapters]}
    return Call("POST", url, model(ChapterList), body=body)


def advance_chapter(session_id: int) -> Call[ChapterPublic]:
    url = path("/v1/sessions/{}/chapters/advance", session_id)
    return Call("POST", url, model(ChapterPublic))


def create_goal(
    session_id: int,
    *,
    target_coins: int | None = None,
    gift_id: int | None = None,
    count: int | None = None,
    deadline_s: int | None = None,
    promise: str | None = None,
) -> Call[GoalPublic]:
    """A goal of ``target_coins``, or of ``count`` gifts of ``gift_id``."""
    url = path("/v1/sessions/{}/goals", session_id)
    body = without_none(
        target_coins=target_coins,
        gift_id=gift_id,
        count=count,
        deadline_s=deadline_s,
        promise=promise,
    )
    return Call("POST", url, model(GoalPublic), body=body)


def list_goals(session_id: int) -> Call[GoalList]:
    return Call("GET", path("/v1/sessions/{}/goals", session_id), model(GoalList))


def session_leaderboard(session_id: int, *, limit: int | None = None) -> Call[LeaderboardPublic]:
    url = path("/v1/sessions/{}/leaderboard", session_id)
    return Call("GET", url, model(LeaderboardPublic), query={"limit": limit})


def room_leaderboard(
    room_id: int, *, period: Period | None = None, limit: int | None = None
) -> Call[LeaderboardPublic]:
    """This week's (since Monday 00:00 UTC) or all-time supporters."""
    url = path("/v1/rooms/{}/leaderboard", room_id)
    return Call("GET", url, model(LeaderboardPublic), query={"period": period, "limit": limit})


def get_perks(room_id: int) -> Call[PerksPublic]:
    return Call("GET", path("/v1/rooms/{}/perks", room_id), model(PerksPublic))


def put_perks(room_id: int, perks: Sequence[Perk]) -> Call[PerksPublic]:
    """Replaces the room's perks."""
    body = {"perks": [perk.to_json() for perk in perks]}
    return Call("PUT", path("/v1/rooms/{}/perks", room_id), model(PerksPublic), body=body)


def invite(
    *,
    session_id: int,
    invitee_session_ids: Sequence[int],
    duration_s: int | None = None,
    expires_in_s: int | None = None,
) -> Call[InvitationPublic]:
    """Invite other hosts to a battle; it starts when every one accepts."""
    body = without_none(
        session_id=session_id,
        invitee_session_ids=list(invitee_session_ids),
        duration_s=duration_s,
        expires_in_s=expires_in_s,
    )
    return Call("POST", "/v1/battle-invitations", model(InvitationPublic), body=body)


def get_invitation(invitation_id: int) -> Call[InvitationPublic]:
    url = path("/v1/battle-invitations/{}", invitation_id)
    return Call("GET", url, model(InvitationPublic))


def accept_invitation(invitation_id: int, *, session_id: int) -> Call[InvitationPublic]:
    url = path("/v1/battle-invitations/{}/accept", invitation_id)
    body = {"session_id": session_id}
    return Call("POST", url, model(InvitationPublic), body=body, repeatable=True)


def decline_invitation(invitation_id: int, *, session_id: int) -> Call[InvitationPublic]:
    url = path("/v1/battle-invitations/{}/decline", invitation_id)
    body = {"session_id": session_id}
    return Call("POST", url, model(InvitationPublic), body=body, repeatable=True)


def withdraw_invitation(invitation_id: int) -> Call[InvitationPublic]:
    url = path("/v1/battle-invitations/{}/withdraw", invitation_id)
    return Call("POST", url, model(InvitationPublic), repeatable=True)


def room_invitations(room_id: int) -> Call[InvitationList]:
    """The room's pending invitations, sent and received."""
    url = path("/v1/rooms/{}/battle-invitations", room_id)
    return Call("GET", url, model(InvitationList))


def start_battle(
    *, session_ids: Sequence[int], duration_s: int | None = None
) -> Call[BattlePublic]:
    """A battle at once, for a platform acting for every side (admin, ``live:write``)."""
    body = without_none(session_ids=list(session_ids), duration_s=duration_s)
    return Call("POST", "/v1/battles", model(BattlePublic), body=body)


def trigger_booster(
    battle_id: int,
    *,
    session_id: int,
    multiplier: int | None = None,
    duration_s: int | None = None,
) -> Call[BattlePublic]:
    url = path("/v1/battles/{}/booster", battle_id)
    body = without_none(session_id=session_id, multiplier=multiplier, duration_s=duration_s)
    return Call("POST", url, model(BattlePublic), body=body)


def end_battle(battle_id: int) -> Call[BattlePublic]:
    url = path("/v1/battles/{}/end", battle_id)
    return Call("POST", url, model(BattlePublic), repeatable=True)


def get_battle(battle_id: int) -> Call[BattlePublic]:
    return Call("GET", path("/v1/battles/{}", battle_id), model(BattlePublic))
