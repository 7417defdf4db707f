"""Milestone posts: a creator's channels and rules, and the watcher that posts each
milestone once per channel, in the transaction of the change that reached it.

The watcher is a stage watcher of the economy (``EconomyContext.stage_watchers``): it
sees the events a transaction stages for webhooks out (``goal.completed``,
``session.started``, ``gift.sent``, ``follower.gained``) and writes, for each rule of an
enabled channel the event reaches, a post row and its delivery row. The post's unique
key (channel, milestone) makes a milestone post once whatever path reaches it again: a
retried request, a second follow, a level passed twice. The delivery worker sends
it, with its retries, log and disabling (docs/milestones.md, decisions/0085-0087).

Which creators have rules is cached in the process and checked once per transaction
against the rules' version and the endpoints' (decisions/0085), as the outbox does.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from giftflow.creator.milestones import (
    PLACEHOLDERS,
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
    crossed,
    discord_body,
    render,
    telegram_body,
    telegram_url,
)
from giftflow.economy.errors import NotFoundError
from giftflow.live.levels import level_for
from giftflow.service.economy import Economy, users
from giftflow.service.economy.context import EconomyContext, PendingEvent
from giftflow.service.live.sessions import FOLLOWER_GAINED
from giftflow.service.webhooks.endpoints import new_secret
from giftflow.service.webhooks.outbox import rfc3339
from giftflow.store import milestones as store
from giftflow.store.milestones import ActiveRule, ChannelRow, NewPost, PostRow
from giftflow.store.supporters import supporter_coins
from giftflow.store.tx import Tx

__all__ = [
    "CHANNELS_PER_CREATOR_MAX",
    "ChannelRow",
    "MilestoneChannelNotFoundError",
    "MilestoneWatcher",
    "Milestones",
    "NewChannel",
    "PostRow",
    "body",
    "post",
    "watch",
]
CHANNELS_PER_CREATOR_MAX: Final = 10
POSTS_LIMIT_MAX: Final = 500
_MEMO: Final = "milestones.rules"
Index = Mapping[int, Mapping[MilestoneKind, tuple[ActiveRule, ...]]]
"""The rules of enabled channels, by creator and kind."""


class MilestoneChannelNotFoundError(NotFoundError):
    code = "milestone_channel_not_found"


@dataclass(frozen=True, slots=True)
class NewChannel:
    channel: ChannelRow
    signing_secret: str | None
    """A JSON channel's ``whsec_…`` secret, shown once; None for the other formats."""


@dataclass(slots=True)
class MilestoneWatcher:
    """A stage watcher: posts the milestones the staged events reach."""

    level_thresholds_coins: tuple[int, ...]
    _cached: tuple[tuple[int, int], Index] | None = field(default=None, init=False)

    def __call__(self, tx: Tx, events: list[PendingEvent]) -> None:
        index = self.index(tx)
        if not index:
            return
        for event in events:
            by_kind = index.get(event.room_id)
            if by_kind:
                self._watch(tx, event, by_kind)

    def index(self, tx: Tx) -> Index:
        """The rules this transaction sees: the versions read once per transaction,
        the rules only when one moved."""
        seen: Index | None = tx.memo.get(_MEMO)
        if seen is not None:
            return seen
        versions = store.versions(tx)
        if self._cached is None or self._cached[0] != versions:
            self._cached = versions, _index(store.active_rules(tx))
        tx.memo[_MEMO] = self._cached[1]
        return self._cached[1]

    def _watch(
        self, tx: Tx, event: PendingEvent, by_kind: Mapping[MilestoneKind, tuple[ActiveRule, ...]]
    ) -> None:
        for active, milestone in _reached(self, tx, event, by_kind):
            post(tx, active, milestone)


def _index(rules: Sequence[ActiveRule]) -> Index:
    index: dict[int, dict[MilestoneKind, list[ActiveRule]]] = {}
    for active in rules:
        index.setdefault(active.creator_id, {}).setdefault(active.rule.kind, []).append(active)
    return {
        creator: {kind: tuple(found) for kind, found in kinds.items()}
        for creator, kinds in index.items()
    }


Reached = list[tuple[ActiveRule, Milestone]]
"""Each milestone reached, with the rule (of one channel) that posts it."""


def _reached(
    watcher: MilestoneWatcher,
    tx: Tx,
    event: PendingEvent,
    by_kind: Mapping[MilestoneKind, tuple[ActiveRule, ...]],
) -> Reached:
    """The milestones ``event`` reaches, each with the rule that posts it."""
    data, at = event.data, event.at
    if event.type == "goal.completed" and MilestoneKind.GOAL_COMPLETED in by_kind:
        kind = MilestoneKind.GOAL_COMPLETED
        values = {
            "goal": str(data.get("promise") or ""),
            "count": str(data["target"]),
            "supporter": str(data.get("completed_by_name") or ""),
        }
        once = Milestone(event.room_id, kind, f"goal:{data['goal_id']}", values, at)
        return [(active, once) for active in by_kind[kind]]
    if event.type == "session.started" and MilestoneKind.LIVE_STARTED in by_kind:
        kind = MilestoneKind.LIVE_STARTED
        values = {"title": str(data.get("title") or "")}
        once = Milestone(event.room_id, kind, f"live:{data['session_id']}", values, at)
        return [(active, once) for active in by_kind[kind]]
    if event.type == FOLLOWER_GAINED and MilestoneKind.FOLLOWERS_REACHED in by_kind:
        return _followers(tx, event, by_kind[MilestoneKind.FOLLOWERS_REACHED])
    if event.type == "gift.sent" and MilestoneKind.SUPPORTER_LEVEL_REACHED in by_kind:
        rules = by_kind[MilestoneKind.SUPPORTER_LEVEL_REACHED]
        return _levels(tx, event, rules, watcher.level_thresholds_coins)
    return []


def _followers(tx: Tx, event: PendingEvent, rules: tuple[ActiveRule, ...]) -> Reached:
    """One first follow: the count went from ``count - 1`` to ``count``."""
    kind = MilestoneKind.FOLLOWERS_REACHED
    count = store.follower_count(tx, event.room_id)
    found = [
        (active, Milestone(event.room_id, kind, f"followers:{n}", {"count": str(n)}, event.at))
        for active in rules
        for n in crossed(count - 1, count, active.rule.thresholds)
    ]
    return found


def _levels(
    tx: Tx, event: PendingEvent, rules: tuple[ActiveRule, ...], thresholds: tuple[int, ...]
) -> Reached:
    """The levels this gift carried its sender past (their lifetime coins to the
    creator, as the gift's listeners left them, went up by the gift's coins)."""
    kind = MilestoneKind.SUPPORTER_LEVEL_REACHED
    sender_id, coins = int(event.data["sender_id"]), int(event.data["coins"])
    after = supporter_coins(tx, event.room_id, sender_id)
    level_before, level_after = level_for(after - coins, thresholds), level_for(after, thresholds)
    if level_after == level_before:
        return []
    name = str(event.data.get("sender_name") or "")
    found = [
        (
            active,
            Milestone(
                event.room_id,
                kind,
                f"supporter:{sender_id}:{level}",
                {"supporter": name, "level": str(level)},
                event.at,
            ),
        )
        for active in rules
        for level in crossed(level_before, level_after, active.rule.thresholds)
    ]
    return found


def post(tx: Tx, active: ActiveRule, milestone: Milestone, *, test: bool = False) -> int | None:
    """The milestone's post on the channel, in the channel's format, unless it was
    posted there already: the post's id, or None. A ``test`` post says ``test`` for
    its kind."""
    creator = store.display_name(tx, milestone.creator_id)
    values = {**milestone.values, "creator": creator, "url": active.link_url}
    text = render(active.rule.template, values)
    event_id = f"msg_{secrets.token_hex(12)}"
    kind = "test" if test else str(milestone.kind)
    names = sorted(values) if test else PLACEHOLDERS[milestone.kind]
    known = {name: values.get(name, "") for name in names}
    payload = body(
        active.format,
        text,
        chat_id=active.telegram_chat_id,
        envelope={
            "id": event_id,
            "type": f"milestone.{kind}",
            "timestamp": rfc3339(milestone.at),
            "room_id": milestone.creator_id,
            "data": {
                "channel_id": active.channel_id,
                "kind": kind,
                "milestone": milestone.key,
                "text": text,
                "values": known,
            },
        },
    )
    new = NewPost(
        channel_id=active.channel_id,
        endpoint_id=active.endpoint_id,
        creator_id=milestone.creator_id,
        milestone_key=milestone.key,
        kind=kind,
        text=text,
        event_id=event_id,
        payload=payload,
        at=milestone.at,
    )
    return store.insert_post(tx, new)


def body(
    format: ChannelFormat, text: str, *, chat_id: str | None, envelope: Mapping[str, Any]
) -> str:
    """The body as sent: Discord's or Telegram's, or the signed JSON ``envelope``."""
    if format is ChannelFormat.DISCORD:
        content: Mapping[str, Any] = discord_body(text)
    elif format is ChannelFormat.TELEGRAM:
        assert chat_id is not None, "a telegram channel has its chat"
        content = telegram_body(chat_id, text)
    else:
        content = envelope
    return json.dumps(content, separators=(",", ":"), ensure_ascii=False)


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
        return self.context.ledger.read(lambda tx: self._find(tx, channel_id))

    def of_creator(self, creator_id: int) -> list[ChannelRow]:
        return self.context.ledger.read(lambda tx: store.channels_of(tx, creator_id))

    def create(
        self,
        creator_id: int,
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
