"""Milestone channels, their rules, their posts and a test post (docs/milestones.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, Strict, StringConstraints

from giftflow import text as policy
from giftflow.creator.milestones import (
    DEFAULT_TEMPLATES,
    TEMPLATE_LENGTH_MAX,
    THRESHOLDS_MAX,
    ChannelFormat,
    Destination,
    MilestoneKind,
    Rule,
    masked_token,
    masked_url,
)
from giftflow.http.schemas.common import Request, WholeNumber, at, at_or_none, policed
from giftflow.service.creator.milestones import ChannelRow, PostRow

Template = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TEMPLATE_LENGTH_MAX),
    policed(policy.human, max_length=TEMPLATE_LENGTH_MAX),
]
Threshold = Annotated[int, Strict(), Field(ge=1, le=1_000_000_000), WholeNumber]
ChannelName = Annotated[
    str, StringConstraints(max_length=100), policed(policy.human, max_length=100)
]
LinkUrl = Annotated[str, StringConstraints(max_length=2048, pattern=r"^(https?://[^\s]+)?$")]
"""What ``{url}`` says: an http(s) link, or empty."""
DestinationUrl = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
BotToken = Annotated[str, StringConstraints(min_length=1, max_length=128)]
ChatId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ApiUrl = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^https?://")]


class RuleCreate(Request):
    kind: MilestoneKind
    template: Template | None = None
    """Placeholders in braces, those of the kind only (docs/milestones.md); ``{{`` and
    ``}}`` for braces. Leave out for the kind's default."""
    thresholds: Annotated[list[Threshold], Field(max_length=THRESHOLDS_MAX)] = Field(
        default_factory=list
    )
    """Ascending follower counts (``followers_reached``) or supporter levels
    (``supporter_level_reached``); none for the other kinds."""

    def rule(self) -> Rule:
        template = DEFAULT_TEMPLATES[self.kind] if self.template is None else self.template
        return Rule(self.kind, template, tuple(self.thresholds))


Rules = Annotated[list[RuleCreate], Field(max_length=len(MilestoneKind))]


class MilestoneChannelCreate(Request):
    format: ChannelFormat
    url: DestinationUrl | None = None
    """``discord``: the channel's webhook URL; ``json``: your endpoint. https (http in
    development), on a public address unless allowed in settings."""
    bot_token: BotToken | None = None
    """``telegram``: the bot's token from @BotFather (kept secret, shown masked)."""
    chat_id: ChatId | None = None
    """``telegram``: the chat, group or channel (a number, or ``@channelname``)."""
    api_url: ApiUrl | None = None
    """``telegram``: a Bot API server of your own; Telegram's by default."""
    name: ChannelName = ""
    link_url: LinkUrl = ""
    """What ``{url}`` says in the posts (your LIVE page, your profile)."""
    rules: Rules = Field(default_factory=list)

    def destination(self) -> Destination:
        return Destination(self.format, self.url, self.bot_token, self.chat_id, self.api_url)


class MilestoneChannelUpdate(Request):
    """Only the fields sent change; ``rules`` replace the channel's rules at once."""

    name: ChannelName | None = None
    link_url: LinkUrl | None = None
    enabled: bool | None = None
    """Enabling a channel its failures disabled resumes its waiting posts."""
    rules: Rules | None = None
    url: DestinationUrl | None = None
    bot_token: BotToken | None = None
    chat_id: ChatId | None = None


class MilestoneTestCreate(Request):
    kind: MilestoneKind | None = None
    """The rule whose template the test post fills with sample values; leave out for a
    plain test text."""


class RulePublic(BaseModel):
    kind: MilestoneKind
    template: str
    thresholds: list[int]


class TelegramPublic(BaseModel):
    chat_id: str
    bot_token: str
    """Masked: the bot's id and the secret's last 4 characters."""
    api_url: str


class MilestoneChannelPublic(BaseModel):
    id: str
    room_id: int
    format: ChannelFormat
    name: str
    url: str | None
    """Masked (the last path segment's last 4 characters); null for ``telegram``."""
    telegram: TelegramPublic | None
    link_url: str
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    rules: list[RulePublic]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, channel: ChannelRow) -> Self:
        telegram = None
        if channel.format is ChannelFormat.TELEGRAM:
            token = channel.url.rpartition("/bot")[2].partition("/")[0]
            telegram = TelegramPublic(
                chat_id=channel.telegram_chat_id or "",
                bot_token=masked_token(token),
                api_url=channel.telegram_api_url or "",
            )
        return cls(
            id=channel.id,
            room_id=channel.creator_id,
            format=channel.format,
            name=channel.name,
            url=None if telegram else masked_url(channel.url),
            telegram=telegram,
            link_url=channel.link_url,
            enabled=channel.enabled,
            disabled_reason=channel.disabled_reason,
            failing_since=at_or_none(channel.failing_since),
            rules=[
                RulePublic(kind=r.kind, template=r.template, thresholds=list(r.thresholds))
                for r in channel.rules
            ],
            created_at=at(channel.created_at),
            updated_at=at(channel.updated_at),
        )


class MilestoneChannelCreated(MilestoneChannelPublic):
    signing_secret: str | None
    """``json``: the ``whsec_…`` secret its posts are signed with, shown this once;
    null for the other formats."""


class MilestoneChannelList(BaseModel):
    channels: list[MilestoneChannelPublic]


class MilestonePostPublic(BaseModel):
    id: int
    channel_id: str
    milestone: str
    """What it marks, for good: ``goal:<id>``, ``followers:<count>``,
    ``supporter:<user>:<level>``, ``live:<session>``, ``test:<random>``."""
    kind: str
    """A milestone kind, or ``test``."""
    text: str
    created_at: datetime
    state: str | None
    """Its delivery's: ``pending``, ``delivered``, ``failed``."""
    attempts: int
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None

    @classmethod
    def of(cls, post: PostRow) -> Self:
        return cls(
            id=post.id,
            channel_id=post.channel_id,
            milestone=post.milestone_key,
            kind=post.kind,
            text=post.text,
            created_at=at(post.created_at),
            state=post.state,
            attempts=post.attempts,
            delivered_at=at_or_none(post.delivered_at),
            last_status_code=post.last_status_code,
            last_error=post.last_error,
        )


class MilestonePostList(BaseModel):
    posts: list[MilestonePostPublic]
