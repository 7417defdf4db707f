"""Subathon timers and gift rules over HTTP (docs/subathon.md): a creator starts a
timer that gifts extend, pauses, resumes, changes its rules or ends it; rules fire an
action on qualifying gifts; the subathon overlay reads the timer with a room token.

Writes are for the room's creator (a creator token), an administrator, or a key with
``live:write``; reads for the creator, an administrator, or a key with ``live:read``.
Ids of subathons are random (``sa_…``), of rules numbers: each is looked up first to
find its room. Nothing here moves money, so nothing takes an Idempotency-Key.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from giftflow.api.routes.live import RoomIdPath, may_read, may_write
from giftflow.api.routes.rooms import RoomTokenQuery
from giftflow.creator.gift_rules import GiftRule
from giftflow.creator.subathon import ControlKind
from giftflow.http.deps import EconomyDep, PrincipalDep, StateDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas.common import gift_id_or_none
from giftflow.http.schemas.subathon import (
    FiringList,
    FiringPublic,
    GiftRuleCreate,
    GiftRuleList,
    GiftRulePublic,
    SubathonCreate,
    SubathonId,
    SubathonList,
    SubathonPublic,
    SubathonStatePublic,
    SubathonUpdate,
    rules_of,
)
from giftflow.ledger.limits import INT64_MAX
from giftflow.service.creator import gift_rules, subathon
from giftflow.service.creator.subathon import Subathon
from giftflow.service.economy import Economy

router = APIRouter(prefix="/v1", tags=["subathons"], responses=RESPONSES)
SubathonIdPath = Annotated[SubathonId, Path(description="A subathon's id (`sa_…`).")]
RuleIdPath = Annotated[int, Path(ge=1, le=INT64_MAX, description="A gift rule's id.")]


def _subathon(economy: Economy, subathon_id: str, principal: Principal, *, write: bool) -> Subathon:
    found = subathon.get(economy.context, subathon_id)
    (may_write if write else may_read)(principal, found.creator_id)
    return found


def _rule(economy: Economy, rule_id: int, principal: Principal, *, write: bool) -> GiftRule:
    rule = gift_rules.get(economy.context, rule_id)
    (may_write if write else may_read)(principal, rule.creator_id)
    return rule


# --- subathons ------------------------------------------------------------------------------


@router.post("/rooms/{room_id}/subathons", status_code=201, response_model=SubathonPublic)
def start_subathon(
    room_id: RoomIdPath, body: SubathonCreate, principal: PrincipalDep, economy: EconomyDep
) -> SubathonPublic:
    """Start the room's subathon now (``subathon.started``): 409 ``subathon_running``
    while its last one runs or is paused."""
    may_write(principal, room_id)
    started = subathon.start(
        economy.context,
        room_id,
        initial_s=body.initial_s,
        cap_s=body.cap_s,
        rules=rules_of(body.tiers, body.ms_per_coin),
    )
    return SubathonPublic.of(started)


@router.get("/rooms/{room_id}/subathons", response_model=SubathonList)
def list_subathons(
    room_id: RoomIdPath, principal: PrincipalDep, economy: EconomyDep
) -> SubathonList:
    """The room's subathons, the last first (at most 100)."""
    may_read(principal, room_id)
    found = subathon.of_room(economy.context, room_id)
    return SubathonList(subathons=[SubathonPublic.of(s) for s in found])


@router.get("/subathons/{subathon_id}", response_model=SubathonPublic)
def get_subathon(
    subathon_id: SubathonIdPath, principal: PrincipalDep, economy: EconomyDep
) -> SubathonPublic:
    """The timer now: its state, end, time left and what gifts added."""
    return SubathonPublic.of(_subathon(economy, subathon_id, principal, write=False))


@router.patch("/subathons/{subathon_id}", response_model=SubathonPublic)
def update_subathon(
    subathon_id: SubathonIdPath, body: SubathonUpdate, principal: PrincipalDep, economy: EconomyDep
) -> SubathonPublic:
    """New tiers and time per coin for the gifts counted from now on
    (``subathon.updated``); gifts already counted keep what they added."""
    _subathon(economy, subathon_id, principal, write=True)
    rules = rules_of(body.tiers, body.ms_per_coin)
    return SubathonPublic.of(
        subathon.control(economy.context, subathon_id, ControlKind.CHANGE, rules)
    )


def _move(
    economy: Economy, subathon_id: str, principal: Principal, kind: ControlKind
) -> SubathonPublic:
    _subathon(economy, subathon_id, principal, write=True)
    return SubathonPublic.of(subathon.control(economy.context, subathon_id, kind))


@router.post("/subathons/{subathon_id}/pause", response_model=SubathonPublic)
def pause_subathon(
    subathon_id: SubathonIdPath, principal: PrincipalDep, economy: EconomyDep
) -> SubathonPublic:
    """The time stops running (``subathon.paused``); gifts still add. 409
    ``subathon_paused`` or ``subathon_ended``."""
    return _move(economy, subathon_id, principal, ControlKind.PAUSE)


@router.post("/subathons/{subathon_id}/resume", response_model=SubathonPublic)
def resume_subathon(
    subathon_id: SubathonIdPath, principal: PrincipalDep, economy: EconomyDep
) -> SubathonPublic:
    """The time runs again (``subathon.resumed``). 409 ``subathon_not_paused`` or
    ``subathon_ended``."""
    return _move(economy, subathon_id, principal, ControlKind.RESUME)


@router.post("/subathons/{subathon_id}/end", response_model=SubathonPublic)
def end_subathon(
    subathon_id: SubathonIdPath, principal: PrincipalDep, economy: EconomyDep
) -> SubathonPublic:
    """End it now (``subathon.ended``); later gifts add nothing. 409 ``subathon_ended``."""
    return _move(economy, subathon_id, principal, ControlKind.END)


@router.get("/rooms/{room_id}/subathon-state", response_model=SubathonStatePublic)
def subathon_state(
    room_id: RoomIdPath, economy: EconomyDep, state: StateDep, token: RoomTokenQuery = None
) -> SubathonStatePublic:
    """The subathon overlay's state: the room's last subathon, and ``last_event_id`` to
    resume the WebSocket after. For the room token only, in the query (as
    ``overlay-state``)."""
    state.room_tokens.check(token, room_id)
    last_event_id = state.bus.last_id(room_id)  # first: the state read counts it
    return SubathonStatePublic.of(subathon.overlay(economy.context, room_id, last_event_id))


# --- gift rules -----------------------------------------------------------------------------


@router.post("/rooms/{room_id}/gift-rules", status_code=201, response_model=GiftRulePublic)
def create_gift_rule(
    room_id: RoomIdPath, body: GiftRuleCreate, principal: PrincipalDep, economy: EconomyDep
) -> GiftRulePublic:
    """A rule of the room: a gift event that qualifies fires ``gift_rule.fired`` (room
    and webhooks out), at most once per ``cooldown_s``. At most 50 per room."""
    may_write(principal, room_id)
    rule = gift_rules.create(
        economy.context,
        room_id,
        action=body.action,
        payload=body.payload,
        min_coins=body.min_coins,
        gift_id=gift_id_or_none(body.gift_id),
        cooldown_s=body.cooldown_s,
    )
    return GiftRulePublic.of(rule)


@router.get("/rooms/{room_id}/gift-rules", response_model=GiftRuleList)
def list_gift_rules(
    room_id: RoomIdPath, principal: PrincipalDep, economy: EconomyDep
) -> GiftRuleList:
    """The room's rules, oldest first."""
    may_read(principal, room_id)
    rules = gift_rules.of_room(economy.context, room_id)
    return GiftRuleList(rules=[GiftRulePublic.of(r) for r in rules])


@router.get("/gift-rules/{rule_id}", response_model=GiftRulePublic)
def get_gift_rule(
    rule_id: RuleIdPath, principal: PrincipalDep, economy: EconomyDep
) -> GiftRulePublic:
    return GiftRulePublic.of(_rule(economy, rule_id, principal, write=False))


@router.delete("/gift-rules/{rule_id}", status_code=204)
def delete_gift_rule(rule_id: RuleIdPath, principal: PrincipalDep, economy: EconomyDep) -> Response:
    """The rule stops firing (its firings stay counted); 404 once deleted."""
    _rule(economy, rule_id, principal, write=True)
    gift_rules.delete(economy.context, rule_id)
    return Response(status_code=204)


@router.get("/gift-rules/{rule_id}/firings", response_model=FiringList)
def list_firings(rule_id: RuleIdPath, principal: PrincipalDep, economy: EconomyDep) -> FiringList:
    """The gift events that fired the rule, newest first (at most 1,000)."""
    _rule(economy, rule_id, principal, write=False)
    firings = gift_rules.firings(economy.context, rule_id)
    return FiringList(rule_id=rule_id, firings=[FiringPublic.of(f) for f in firings])
