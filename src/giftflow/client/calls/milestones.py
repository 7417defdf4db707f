"""Milestone channels: a creator's Discord, Telegram or JSON destinations, the
milestones each posts with its template, a test post, the posts. None moves money, so
none takes an Idempotency-Key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from giftflow.client.call import Call, model, nothing, path
from giftflow.client.models import (
    MilestoneChannelCreated,
    MilestoneChannelList,
    MilestoneChannelPublic,
    MilestoneKind,
    MilestonePostList,
    MilestonePostPublic,
)
from giftflow.client.requests import without_none

ChannelFormat = Literal["discord", "telegram", "json"]


def create_milestone_channel(
    room_id: int,
    *,
    format: ChannelFormat,
    url: str | None = None,
    bot_token: str | None = None,
    chat_id: str | None = None,
    api_url: str | None = None,
    name: str | None = None,
    link_url: str | None = None,
    rules: Sequence[dict[str, Any]] = (),
) -> Call[MilestoneChannelCreated]:
    """``rules``: ``requests.milestone_rule(…)`` each. ``url`` for ``discord`` and
    ``json``; ``bot_token`` and ``chat_id`` (and an own Bot API server's ``api_url``)
    for ``telegram``. A JSON channel's ``signing_secret`` is in the answer, this once."""
    body = without_none(
        format=format,
        url=url,
        bot_token=bot_token,
        chat_id=chat_id,
        api_url=api_url,
        name=name,
        link_url=link_url,
        rules=list(rules),
    )
    url_ = path("/v1/rooms/{}/milestone-channels", room_id)
    return Call("POST", url_, model(MilestoneChannelCreated), body=body)


def list_milestone_channels(room_id: int) -> Call[MilestoneChannelList]:
    url = path("/v1/rooms/{}/milestone-channels", room_id)
    return Call("GET", url, model(MilestoneChannelList))


def get_milestone_channel(channel_id: str) -> Call[MilestoneChannelPublic]:
    url = path("/v1/milestone-channels/{}", channel_id)
    return Call("GET", url, model(MilestoneChannelPublic))


def update_milestone_channel(
    channel_id: str,
    *,
    name: str | None = None,
    link_url: str | None = None,
    enabled: bool | None = None,
    rules: Sequence[dict[str, Any]] | None = None,
    url: str | None = None,
    bot_token: str | None = None,
    chat_id: str | None = None,
) -> Call[MilestoneChannelPublic]:
    """Only what is given changes; ``rules`` replace the channel's rules at once."""
    body = without_none(
        name=name,
        link_url=link_url,
        enabled=enabled,
        rules=None if rules is None else list(rules),
        url=url,
        bot_token=bot_token,
        chat_id=chat_id,
    )
    url_ = path("/v1/milestone-channels/{}", channel_id)
    return Call("PATCH", url_, model(MilestoneChannelPublic), body=body, repeatable=True)


def delete_milestone_channel(channel_id: str) -> Call[None]:
    url = path("/v1/milestone-channels/{}", channel_id)
    return Call("DELETE", url, nothing, repeatable=True)


def send_test_post(
    channel_id: str, *, kind: MilestoneKind | None = None
) -> Call[MilestonePostPublic]:
    """A test post: ``kind``'s template with sample values, or a plain test text."""
    url = path("/v1/milestone-channels/{}/test", channel_id)
    return Call("POST", url, model(MilestonePostPublic), body=without_none(kind=kind))


def list_milestone_posts(channel_id: str, *, limit: int | None = None) -> Call[MilestonePostList]:
    url = path("/v1/milestone-channels/{}/posts", channel_id)
    query = without_none(limit=limit)
    return Call("GET", url, model(MilestonePostList), query=query)
