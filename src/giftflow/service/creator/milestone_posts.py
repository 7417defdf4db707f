"""The milestone watcher: which milestones the staged events reach, and the post (with
its delivery) each writes once per channel, in the transaction of the change that
reached it. The channels and their rules are ``giftflow.service.creator.milestones``,
which registers the watcher (``watch``).

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
    ChannelFormat,
    Milestone,
    MilestoneKind,
    crossed,
    discord_body,
    render,
    telegram_body,
)
from giftflow.ids import UserId
from giftflow.live.levels import level_for
from giftflow.service.economy.context import PendingEvent
from giftflow.service.live.sessions import FOLLOWER_GAINED
from giftflow.service.webhooks.outbox import rfc3339
from giftflow.store import milestones as store
from giftflow.store.milestones import ActiveRule, NewPost
from giftflow.store.supporters import supporter_coins
from giftflow.store.tx import Tx

_MEMO: Final = "milestones.rules"
Index = Mapping[UserId, Mapping[MilestoneKind, tuple[ActiveRule, ...]]]
"""The rules of enabled channels, by creator and kind."""


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
    index: dict[UserId, dict[MilestoneKind, list[ActiveRule]]] = {}
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
    sender_id, coins = UserId(int(event.data["sender_id"])), int(event.data["coins"])
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
