"""Milestone posts: a creator's channels (a Discord webhook, a Telegram chat, a plain
JSON endpoint), the milestones each one posts, the creator's template per milestone,
and the bodies each format sends.

A template is plain text with placeholders in braces (``{creator} reached {count}
followers!``); ``{{`` and ``}}`` are literal braces. Only the placeholders of the
milestone's kind exist; any other is refused when the template is saved. Rendering
replaces each placeholder with its value and nothing else: no attribute access, no
indexing, no format specifiers (``str.format`` on user text would allow all three).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Any, Final

from giftflow.errors import GiftflowError
from giftflow.ids import UserId

TEMPLATE_LENGTH_MAX: Final = 1_000
THRESHOLDS_MAX: Final = 20
FOLLOWERS_THRESHOLD_MAX: Final = 1_000_000_000
DISCORD_CONTENT_MAX: Final = 2_000
"""Discord refuses a webhook message whose ``content`` is longer."""
TELEGRAM_TEXT_MAX: Final = 4_096
"""Telegram refuses a ``sendMessage`` whose ``text`` is longer."""
_PLACEHOLDER: Final = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class MilestoneError(GiftflowError):
    code = "milestone_invalid"


class MilestoneKind(StrEnum):
    GOAL_COMPLETED = "goal_completed"
    """A goal of a LIVE reached its target."""
    FOLLOWERS_REACHED = "followers_reached"
    """The creator's follower count reached one of the thresholds the rule lists."""
    SUPPORTER_LEVEL_REACHED = "supporter_level_reached"
    """A viewer reached, for the first time, one of the supporter levels the rule
    lists."""
    LIVE_STARTED = "live_started"


class ChannelFormat(StrEnum):
    DISCORD = "discord"
    """Discord's "execute webhook" body: ``content`` and ``allowed_mentions``."""
    TELEGRAM = "telegram"
    """The Bot API's ``sendMessage`` body: ``chat_id``, ``text``."""
    JSON = "json"
    """A JSON body signed per Standard Webhooks, like the platform's webhooks out."""


PLACEHOLDERS: Final[Mapping[MilestoneKind, tuple[str, ...]]] = {
    MilestoneKind.GOAL_COMPLETED: ("creator", "goal", "count", "supporter", "url"),
    MilestoneKind.FOLLOWERS_REACHED: ("creator", "count", "url"),
    MilestoneKind.SUPPORTER_LEVEL_REACHED: ("creator", "supporter", "level", "url"),
    MilestoneKind.LIVE_STARTED: ("creator", "title", "url"),
}
"""What each kind's template may say: ``goal`` the goal's promise, ``count`` the goal's
target or the follower count reached, ``supporter`` the viewer (who completed the goal,
or reached the level), ``level`` the level, ``title`` the LIVE's title, ``url`` the
link the channel was given."""

DEFAULT_TEMPLATES: Final[Mapping[MilestoneKind, str]] = {
    MilestoneKind.GOAL_COMPLETED: "{creator} reached the goal: {goal} ({count})! {url}",
    MilestoneKind.FOLLOWERS_REACHED: "{creator} has {count} followers! {url}",
    MilestoneKind.SUPPORTER_LEVEL_REACHED: "{supporter} reached level {level} with {creator}!",
    MilestoneKind.LIVE_STARTED: "{creator} is live: {title} {url}",
}
THRESHOLD_KINDS: Final = frozenset(
    {MilestoneKind.FOLLOWERS_REACHED, MilestoneKind.SUPPORTER_LEVEL_REACHED}
)
"""The kinds whose rule lists the thresholds (follower counts, levels) that count."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One milestone a channel posts, with its template."""

    kind: MilestoneKind
    template: str
    thresholds: tuple[int, ...] = ()
    """Ascending: follower counts, or supporter levels; empty for the other kinds."""


@dataclass(frozen=True, slots=True)
class Milestone:
    """What happened, once: ``key`` names it for good (a goal, a threshold, a viewer's
    level, a session), so each channel posts it at most once."""

    creator_id: UserId
    kind: MilestoneKind
    key: str
    values: Mapping[str, str]
    """The placeholders' values, but ``creator`` and ``url`` (the channel adds them)."""
    at: int


def placeholders(template: str) -> list[str]:
    """The placeholder names in ``template``, in order; ``MilestoneError`` for a brace
    that opens or closes nothing."""
    names: list[str] = []
    for match in _PLACEHOLDER.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            raise MilestoneError(
                f"a lone {token!r} at {match.start()}: write {token * 2} for a brace",
                code="milestone_template_invalid",
            )
        names.append(match.group(1))
    return names


def check_template(kind: MilestoneKind, template: str) -> str:
    """The template, or ``MilestoneError`` naming the placeholders its kind lacks."""
    if not template.strip():
        raise MilestoneError("a template says something", code="milestone_template_invalid")
    if len(template) > TEMPLATE_LENGTH_MAX:
        raise MilestoneError(
            f"a template has at most {TEMPLATE_LENGTH_MAX} characters",
            code="milestone_template_invalid",
        )
    known = PLACEHOLDERS[kind]
    unknown = sorted(set(placeholders(template)) - set(known))
    if unknown:
        listed = ", ".join("{" + name + "}" for name in unknown)
        allowed = ", ".join("{" + name + "}" for name in known)
        raise MilestoneError(
            f"unknown placeholders {listed} for {kind}; use {allowed}",
            code="milestone_placeholder_unknown",
            facts={"placeholders": " ".join(unknown), "kind": str(kind)},
        )
    return template


def check_thresholds(kind: MilestoneKind, thresholds: Sequence[int], *, levels: int) -> None:
    """Follower counts 1..10⁹, or supporter levels 1..``levels``; ascending, at least
    one, at most ``THRESHOLDS_MAX``. Other kinds list none."""
    if kind not in THRESHOLD_KINDS:
        if thresholds:
            raise MilestoneError(f"{kind} lists no thresholds", code="milestone_thresholds_invalid")
        return
    top = levels if kind is MilestoneKind.SUPPORTER_LEVEL_REACHED else FOLLOWERS_THRESHOLD_MAX
    ascending = all(a < b for a, b in pairwise(thresholds))
    within = all(1 <= value <= top for value in thresholds)
    if not thresholds or len(thresholds) > THRESHOLDS_MAX or not ascending or not within:
        raise MilestoneError(
            f"{kind} lists 1 to {THRESHOLDS_MAX} ascending thresholds, each 1..{top}",
            code="milestone_thresholds_invalid",
        )


def check_rules(rules: Sequence[Rule], *, levels: int) -> tuple[Rule, ...]:
    """The rules, one per kind, each checked."""
    kinds = [rule.kind for rule in rules]
    if len(set(kinds)) != len(kinds):
        raise MilestoneError("one rule per milestone kind", code="milestone_rules_invalid")
    for rule in rules:
        check_template(rule.kind, rule.template)
        check_thresholds(rule.kind, rule.thresholds, levels=levels)
    return tuple(sorted(rules, key=lambda rule: list(MilestoneKind).index(rule.kind)))


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with each placeholder replaced by its value (a saved template
    names only placeholders its kind has: one missing here renders empty)."""

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        return token if name is None else values.get(name, "")

    return _PLACEHOLDER.sub(one, template).strip()


def crossed(before: int, after: int, thresholds: Sequence[int]) -> list[int]:
    """The thresholds that ``before`` had not reached and ``after`` has."""
    return [value for value in thresholds if before < value <= after]


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis saying when something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def discord_body(text: str) -> dict[str, Any]:
    """No mention pings anyone (``@everyone``, ``@here``, users, roles): the text is
    sent as written and ``allowed_mentions`` parses none."""
    return {"content": shorten(text, DISCORD_CONTENT_MAX), "allowed_mentions": {"parse": []}}


def telegram_body(chat_id: str, text: str) -> dict[str, Any]:
    """Plain text (no ``parse_mode``: nothing in it needs escaping), no link preview."""
    return {
        "chat_id": chat_id,
        "text": shorten(text, TELEGRAM_TEXT_MAX),
        "disable_web_page_preview": True,
    }


SAMPLE_VALUES: Final[Mapping[str, str]] = {
    "goal": "a test goal",
    "count": "1000",
    "supporter": "a viewer",
    "level": "3",
    "title": "a test LIVE",
}
"""What a test post fills its template with."""
TEST_TEXT: Final = "A test post from giftflow: {creator}'s milestones will be posted here. {url}"


def telegram_url(api_url: str, bot_token: str) -> str:
    """Where a Telegram channel posts: the Bot API's ``sendMessage`` of the bot."""
    return f"{api_url.rstrip('/')}/bot{bot_token}/sendMessage"


def masked_token(bot_token: str) -> str:
    """A bot token as shown back: the bot's id, and the secret's last 4 characters."""
    bot, _, secret = bot_token.partition(":")
    return f"{bot}:…{secret[-4:]}"


def masked_url(url: str) -> str:
    """A URL as shown back: its last path segment, the secret of a Discord webhook
    URL (``…/webhooks/<id>/<token>``), cut to its last 4 characters."""
    head, slash, last = url.rpartition("/")
    if not slash or not last or head.endswith(":/"):
        return url
    return f"{head}/…{last[-4:]}"


TELEGRAM_API_URL: Final = "https://api.telegram.org"
_BOT_TOKEN: Final = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")
_URL: Final = re.compile(r"[!-~]+")
_CHAT_ID: Final = re.compile(r"-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}")


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a channel posts: a URL (Discord's webhook URL, a JSON endpoint), or a
    Telegram bot and chat (and the Bot API server, Telegram's own by default)."""

    format: ChannelFormat
    url: str | None = None
    bot_token: str | None = None
    chat_id: str | None = None
    api_url: str | None = None

    def target_url(self) -> str:
        """The URL its posts go to, or ``MilestoneError`` for what the format lacks."""
        if self.format is not ChannelFormat.TELEGRAM:
            if self.url is None or self.bot_token or self.chat_id or self.api_url:
                raise _destination(f"a {self.format} channel has a url, and no Telegram fields")
            return check_url(self.url)
        if self.url is not None or self.bot_token is None or self.chat_id is None:
            raise _destination("a telegram channel has a bot_token and a chat_id, no url")
        check_bot_token(self.bot_token)
        check_chat_id(self.chat_id)
        return check_url(telegram_url(self.api_url or TELEGRAM_API_URL, self.bot_token))


def check_url(url: str) -> str:
    """A destination URL is printable ASCII without spaces (a host in another script
    is written in its punycode): it goes into the request line as it is."""
    if _URL.fullmatch(url) is None:
        raise _destination("a destination URL is printable ASCII, without spaces")
    return url


def check_bot_token(bot_token: str) -> None:
    if _BOT_TOKEN.fullmatch(bot_token) is None:
        raise _destination("a bot token is <bot id>:<secret>, as @BotFather gives it")


def check_chat_id(chat_id: str) -> None:
    if _CHAT_ID.fullmatch(chat_id) is None:
        raise _destination("a chat_id is a number (-100… for a channel) or @channelname")


def _destination(message: str) -> MilestoneError:
    return MilestoneError(message, code="milestone_destination_invalid")
