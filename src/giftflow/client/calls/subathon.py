"""Subathon timers and gift rules: start, pause, resume, change, end; the overlay's
state; a room's gift rules and their firings. None moves money, so none takes an
Idempotency-Key."""

from __future__ import annotations

from collections.abc import Sequence

from giftflow.client.call import Call, model, nothing, path
from giftflow.client.models import (
    FiringList,
    GiftRuleList,
    GiftRulePublic,
    SubathonList,
    SubathonPublic,
    SubathonStatePublic,
)
from giftflow.client.requests import Tier, without_none


def start_subathon(
    room_id: int,
    *,
    initial_s: int,
    cap_s: int,
    tiers: Sequence[Tier] = (),
    ms_per_coin: int = 0,
) -> Call[SubathonPublic]:
    """``POST /v1/rooms/{id}/subathons``."""
    body = {
        "initial_s": initial_s,
        "cap_s": cap_s,
        "tiers": [tier.to_json() for tier in tiers],
        "ms_per_coin": ms_per_coin,
    }
    return Call("POST", path("/v1/rooms/{}/subathons", room_id), model(SubathonPublic), body=body)


def list_subathons(room_id: int) -> Call[SubathonList]:
    return Call("GET", path("/v1/rooms/{}/subathons", room_id), model(SubathonList))


def get_subathon(subathon_id: str) -> Call[SubathonPublic]:
    return Call("GET", path("/v1/subathons/{}", subathon_id), model(SubathonPublic))


def update_subathon(
    subathon_id: str, *, tiers: Sequence[Tier], ms_per_coin: int = 0
) -> Call[SubathonPublic]:
    """New rules for the gifts counted from now on."""
    body = {"tiers": [tier.to_json() for tier in tiers], "ms_per_coin": ms_per_coin}
    url = path("/v1/subathons/{}", subathon_id)
    return Call("PATCH", url, model(SubathonPublic), body=body)


def pause_subathon(subathon_id: str) -> Call[SubathonPublic]:
    return Call("POST", path("/v1/subathons/{}/pause", subathon_id), model(SubathonPublic))


def resume_subathon(subathon_id: str) -> Call[SubathonPublic]:
    return Call("POST", path("/v1/subathons/{}/resume", subathon_id), model(SubathonPublic))


def end_subathon(subathon_id: str) -> Call[SubathonPublic]:
    return Call("POST", path("/v1/subathons/{}/end", subathon_id), model(SubathonPublic))


def subathon_state(room_id: int, *, room_token: str) -> Call[SubathonStatePublic]:
    """``GET /v1/rooms/{id}/subathon-state``: the subathon overlay's state (a room
    token, not the client's credential)."""
    url = path("/v1/rooms/{}/subathon-state", room_id)
    query = {"token": room_token}
    return Call("GET", url, model(SubathonStatePublic), query=query, authenticated=False)


def create_gift_rule(
    room_id: int,
    *,
    action: str,
    payload: str = "",
    min_coins: int | None = None,
    gift_id: int | None = None,
    cooldown_s: int = 0,
) -> Call[GiftRulePublic]:
    """``POST /v1/rooms/{id}/gift-rules``: ``min_coins``, ``gift_id`` or both."""
    body = without_none(
        action=action,
        payload=payload,
        min_coins=min_coins,
        gift_id=gift_id,
        cooldown_s=cooldown_s,
    )
    url = path("/v1/rooms/{}/gift-rules", room_id)
    return Call("POST", url, model(GiftRulePublic), body=body)


def list_gift_rules(room_id: int) -> Call[GiftRuleList]:
    return Call("GET", path("/v1/rooms/{}/gift-rules", room_id), model(GiftRuleList))


def get_gift_rule(rule_id: int) -> Call[GiftRulePublic]:
    return Call("GET", path("/v1/gift-rules/{}", rule_id), model(GiftRulePublic))


def delete_gift_rule(rule_id: int) -> Call[None]:
    return Call("DELETE", path("/v1/gift-rules/{}", rule_id), nothing)


def list_gift_rule_firings(rule_id: int) -> Call[FiringList]:
    return Call("GET", path("/v1/gift-rules/{}/firings", rule_id), model(FiringList))
