"""Milestone channels over HTTP (docs/milestones.md): a creator posts their milestones
(goal completed, follower count reached, supporter level reached, LIVE started) to a
Discord webhook, a Telegram chat or a JSON endpoint, with their own template text.

Writes are for the room's creator (a creator token), an administrator, or a key with
``live:write``; reads for the creator, an administrator, or a key with ``live:read``.
Channel ids are random (``mc_…``): a channel is looked up first to find its room. Nothing
here moves money, so nothing takes an Idempotency-Key.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from giftflow.api.routes.live import RoomIdPath, may_read, may_write
from giftflow.creator.milestones import ChannelFormat, telegram_url
from giftflow.http.deps import ApiState, PrincipalDep, StateDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import TOKEN
from giftflow.http.schemas.milestones import (
    MilestoneChannelCreate,
    MilestoneChannelCreated,
    MilestoneChannelList,
    MilestoneChannelPublic,
    MilestoneChannelUpdate,
    MilestonePostList,
    MilestonePostPublic,
    MilestoneTestCreate,
)
from giftflow.service.creator.milestones import ChannelRow, Milestones
from giftflow.service.webhooks.urls import UrlPolicy

router = APIRouter(prefix="/v1", tags=["milestones"], responses=RESPONSES)
ChannelIdPath = Annotated[
    str,
    Path(min_length=1, max_length=40, pattern=TOKEN, description="A milestone channel's id."),
]
LimitQuery = Annotated[int, Query(ge=1, le=500, description="100 by default.")]


def milestones(state: ApiState) -> Milestones:
    levels = len(state.live.context.settings.level_thresholds_coins)
    return Milestones(state.economy.context, levels)


async def _found(
    state: ApiState, channel_id: str, principal: Principal, *, write: bool
) -> ChannelRow:
    channel = await asyncio.to_thread(milestones(state).get, channel_id)
    (may_write if write else may_read)(principal, channel.creator_id)
    return channel


@router.post(
    "/rooms/{room_id}/milestone-channels", status_code=201, response_model=MilestoneChannelCreated
)
async def create_milestone_channel(
    room_id: RoomIdPath, body: MilestoneChannelCreate, principal: PrincipalDep, state: StateDep
) -> MilestoneChannelCreated:
    """A channel that posts the creator's milestones: its destination (a Discord
    webhook URL, a Telegram bot and chat, or a JSON endpoint), and a rule per
    milestone kind with its template. A JSON channel's signing secret is in the answer,
    shown this once. 422 ``milestone_placeholder_unknown`` for a template that names a
    placeholder its kind lacks."""
    may_write(principal, room_id)
    destination = body.destination()
    await UrlPolicy.of(state.settings).check(destination.target_url())
    new = await asyncio.to_thread(
        milestones(state).create,
        room_id,
        destination,
        rules=[rule.rule() for rule in body.rules],
        name=body.name,
        link_url=body.link_url,
    )
    public = MilestoneChannelPublic.of(new.channel)
    return MilestoneChannelCreated(**public.model_dump(), signing_secret=new.signing_secret)


@router.get("/rooms/{room_id}/milestone-channels", response_model=MilestoneChannelList)
async def list_milestone_channels(
    room_id: RoomIdPath, principal: PrincipalDep, state: StateDep
) -> MilestoneChannelList:
    may_read(principal, room_id)
    found = await asyncio.to_thread(milestones(state).of_creator, room_id)
    return MilestoneChannelList(channels=[MilestoneChannelPublic.of(c) for c in found])


@router.get("/milestone-channels/{channel_id}", response_model=MilestoneChannelPublic)
async def get_milestone_channel(
    channel_id: ChannelIdPath, principal: PrincipalDep, state: StateDep
) -> MilestoneChannelPublic:
    return MilestoneChannelPublic.of(await _found(state, channel_id, principal, write=False))


@router.patch("/milestone-channels/{channel_id}", response_model=MilestoneChannelPublic)
async def update_milestone_channel(
    channel_id: ChannelIdPath,
    body: MilestoneChannelUpdate,
    principal: PrincipalDep,
    state: StateDep,
) -> MilestoneChannelPublic:
    """Change what is sent: the name, the link, the rules (all at once), the
    destination, or enable / disable it."""
    channel = await _found(state, channel_id, principal, write=True)
    urls = UrlPolicy.of(state.settings)
    if body.url is not None:
        await urls.check(body.url)
    if body.bot_token is not None and channel.format is ChannelFormat.TELEGRAM:
        await urls.check(telegram_url(channel.telegram_api_url or "", body.bot_token))
    changed = await asyncio.to_thread(
        milestones(state).update,
        channel_id,
        name=body.name,
        link_url=body.link_url,
        enabled=body.enabled,
        rules=None if body.rules is None else [rule.rule() for rule in body.rules],
        url=body.url,
        bot_token=body.bot_token,
        chat_id=body.chat_id,
    )
    return MilestoneChannelPublic.of(changed)


@router.delete("/milestone-channels/{channel_id}", status_code=204, response_class=Response)
async def delete_milestone_channel(
    channel_id: ChannelIdPath, principal: PrincipalDep, state: StateDep
) -> Response:
    """Delete it, with its rules, its posts and their deliveries."""
    await _found(state, channel_id, principal, write=True)
    await asyncio.to_thread(milestones(state).delete, channel_id)
    return Response(status_code=204)


@router.post(
    "/milestone-channels/{channel_id}/test",
    status_code=202,
    response_model=MilestonePostPublic,
)
async def send_test_post(
    channel_id: ChannelIdPath,
    body: MilestoneTestCreate,
    principal: PrincipalDep,
    state: StateDep,
) -> MilestonePostPublic:
    """Send a test post: delivered like a milestone's (its state in the answer of
    ``GET …/posts``), the template of ``kind`` filled with sample values, or a plain
    test text."""
    await _found(state, channel_id, principal, write=True)
    written = await asyncio.to_thread(milestones(state).send_test, channel_id, body.kind)
    return MilestonePostPublic.of(written)


@router.get("/milestone-channels/{channel_id}/posts", response_model=MilestonePostList)
async def list_milestone_posts(
    channel_id: ChannelIdPath, principal: PrincipalDep, state: StateDep, limit: LimitQuery = 100
) -> MilestonePostList:
    """The channel's posts, newest first, each with its delivery's state and last
    attempt."""
    await _found(state, channel_id, principal, write=False)
    found = await asyncio.to_thread(milestones(state).posts, channel_id, limit=limit)
    return MilestonePostList(posts=[MilestonePostPublic.of(p) for p in found])
