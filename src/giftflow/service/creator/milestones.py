"""Milestone posts: a creator's channels and their rules (create, change, test, list
the posts), and ``watch``, which registers the watcher that posts each milestone once
per channel, in the transaction of the change that reached it
(``giftflow.service.creator.milestone_posts``: what each event reaches and the post it
writes; docs/milestones.md, decisions/0085-0087).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.creator.milestones import (
    SAMPLE_VALUES,
    TELEGRAM_API_URL,
    TEST_TEXT,
    ChannelFormat,
    Destination,
    Milestone,
    MilestoneError,
    MilestoneKind,
    Rule,
    check_bot_token,
    check_chat_id,
    check_rules,
    check_url,
    telegram_url,
)
from giftflow.economy.errors import NotFoundError
from giftflow.ids import UserId
from giftflow.service.creator.milestone_posts import MilestoneWatcher, post
from giftflow.service.economy import Economy, users
from giftflow.service.economy.context import EconomyContext
from giftflow.service.webhooks.endpoints import new_secret
from giftflow.store import milestones as store
from giftflow.store.milestones import ActiveRule, ChannelRow, PostRow
from giftflow.store.tx import Tx

__all__ = [
    "CHANNELS_PER_CREATOR_MAX",
    "ChannelRow",
    "MilestoneChannelNotFoundError",
    "Milestones",
    "NewChannel",
    "PostRow",
    "watch",
]
CHANNELS_PER_CREATOR_MAX: Final = 10
POSTS_LIMIT_MAX: Final = 500


class MilestoneChannelNotFoundError(NotFoundError):
    code = "milestone_channel_not_found"


@dataclass(frozen=True, slots=True)
class NewChannel:
    channel: ChannelRow
    signing_secret: str | None
    """A JSON channel's ``whsec_…`` secret, shown once; None for the other formats."""


def watch(economy: Economy, level_thresholds_coins: tuple[int, ...]) -> MilestoneWatcher:
    """The economy's milestone watcher, registered now unless it was already."""
    watchers = economy.context.stage_watchers
    for watcher in watchers:
        if isinstance(watcher, MilestoneWatcher):
            return watcher
    added = MilestoneWatcher(tuple(level_thresholds_coins))
    watchers.append(added)
    return added


# --- channels ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Milestones:
    """The channel flows; ``levels``: how many supporter levels there are."""

    context: EconomyContext
    levels: int

    def _find(self, tx: Tx, channel_id: str) -> ChannelRow:
        found = store.channel(tx, channel_id)
        if found is None:
            raise MilestoneChannelNotFoundError(f"no milestone channel {channel_id}")
        return found

    def get(self, channel_id: str) -> ChannelRow:
        """The milestone channel; its not-found error when there is none."""
        return self.context.ledger.read(lambda tx: self._find(tx, channel_id))

    def of_creator(self, creator_id: UserId) -> list[ChannelRow]:
        """The creator's milestone channels."""
        return self.context.ledger.read(lambda tx: store.channels_of(tx, creator_id))

    def create(
        self,
        creator_id: UserId,
        destination: Destination,
        *,
        rules: Sequence[Rule],
        name: str = "",
        link_url: str = "",
    ) -> NewChannel:
        """A channel posting ``rules`` to ``destination`` (checked: the route checks
        its URL against the URL policy first)."""
        url = destination.target_url()
        checked = check_rules(rules, levels=self.levels)
        channel_id = f"mc_{secrets.token_hex(8)}"
        secret = new_secret()
        now = self.context.now()
        telegram = destination.format is ChannelFormat.TELEGRAM

        def add(tx: Tx) -> ChannelRow:
            if not users.find(tx, creator_id).is_creator:
                raise MilestoneError(f"user {creator_id} is not a creator", code="not_a_creator")
            if len(store.channels_of(tx, creator_id)) >= CHANNELS_PER_CREATOR_MAX:
                raise MilestoneError(
                    f"a creator has at most {CHANNELS_PER_CREATOR_MAX} milestone channels",
                    code="milestone_channels_too_many",
                )
            store.insert_channel(
                tx,
                channel_id=channel_id,
                endpoint_id=f"we_{secrets.token_hex(8)}",
                creator_id=creator_id,
                format=destination.format,
                name=name,
                url=url,
                secret=secret,
                telegram_chat_id=destination.chat_id if telegram else None,
                telegram_api_url=(destination.api_url or TELEGRAM_API_URL) if telegram else None,
                link_url=link_url,
                now=now,
            )
            store.replace_rules(tx, channel_id, checked)
            return self._find(tx, channel_id)

        created = self.context.ledger.write(add)
        return NewChannel(created, secret if destination.format is ChannelFormat.JSON else None)

    def update(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        link_url: str | None = None,
        enabled: bool | None = None,
        rules: Sequence[Rule] | None = None,
        url: str | None = None,
        bot_token: str | None = None,
        chat_id: str | None = None,
    ) -> ChannelRow:
        """Change what is given; ``rules`` replace the channel's rules all at once."""
        checked = None if rules is None else check_rules(rules, levels=self.levels)
        now = self.context.now()

        def change(tx: Tx) -> ChannelRow:
            found = self._find(tx, channel_id)
            target = _new_target(found, url=url, bot_token=bot_token, chat_id=chat_id)
            store.update_channel(
                tx,
                found,
                name=name,
                link_url=link_url,
                url=target,
                telegram_chat_id=chat_id,
                enabled=enabled,
                now=now,
            )
            if checked is not None:
                store.replace_rules(tx, channel_id, checked)
            return self._find(tx, channel_id)

        return self.context.ledger.write(change)

    def delete(self, channel_id: str) -> None:
        """The channel with its rules, its posts and their deliveries."""
        self.context.ledger.write(lambda tx: store.delete_channel(tx, self._find(tx, channel_id)))

    def send_test(self, channel_id: str, kind: MilestoneKind | None = None) -> PostRow:
        """A test post, delivered like a milestone's: the template of ``kind`` (which
        the channel must have a rule for) filled with sample values, or a plain test
        text without ``kind``."""
        now = self.context.now()

        def send(tx: Tx) -> PostRow:
            found = self._find(tx, channel_id)
            rule = _test_rule(found, kind)
            active = ActiveRule(
                channel_id=found.id,
                creator_id=found.creator_id,
                format=found.format,
                endpoint_id=found.endpoint_id,
                telegram_chat_id=found.telegram_chat_id,
                link_url=found.link_url,
                rule=rule,
            )
            milestone = Milestone(
                found.creator_id, rule.kind, f"test:{secrets.token_hex(8)}", SAMPLE_VALUES, now
            )
            post_id = post(tx, active, milestone, test=True)
            assert post_id is not None, "a test post's key is new"
            written = store.post(tx, post_id)
            assert written is not None
            return written

        return self.context.ledger.write(send)

    def posts(self, channel_id: str, *, limit: int = 100) -> list[PostRow]:
        """The channel's posts, newest first, each with its delivery's state."""

        def read(tx: Tx) -> list[PostRow]:
            self._find(tx, channel_id)
            return store.posts(tx, channel_id, limit=min(limit, POSTS_LIMIT_MAX))

        return self.context.ledger.read(read)


def _test_rule(found: ChannelRow, kind: MilestoneKind | None) -> Rule:
    if kind is None:
        return Rule(MilestoneKind.LIVE_STARTED, TEST_TEXT)
    for rule in found.rules:
        if rule.kind is kind:
            return rule
    raise MilestoneError(
        f"channel {found.id} posts no {kind} milestone", code="milestone_rule_missing"
    )


def _new_target(
    found: ChannelRow, *, url: str | None, bot_token: str | None, chat_id: str | None
) -> str | None:
    """The endpoint's new URL, if the change moves it."""
    if found.format is not ChannelFormat.TELEGRAM:
        if bot_token is not None or chat_id is not None:
            raise MilestoneError(
                f"a {found.format} channel has no Telegram fields",
                code="milestone_destination_invalid",
            )
        return None if url is None else check_url(url)
    if url is not None:
        raise MilestoneError(
            "a telegram channel's URL comes from its bot_token",
            code="milestone_destination_invalid",
        )
    if chat_id is not None:
        check_chat_id(chat_id)
    if bot_token is None:
        return None
    check_bot_token(bot_token)
    return check_url(telegram_url(found.telegram_api_url or TELEGRAM_API_URL, bot_token))
