"""The statements of milestone posts (``milestone_tables``): channels with their
endpoint and rules, the rules every process caches, the posts and their deliveries.

A channel's endpoint is a ``webhook_endpoints`` row of its own (``creator_id`` set,
``event_types`` empty: the outbox never subscribes it); its posts are delivery rows of
that endpoint, so the delivery worker sends them with its retries, log and disabling
(decisions/0085)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from giftflow.creator.milestones import ChannelFormat, MilestoneKind, Rule
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.store.tx import NamedRow, Tx

_CHANNEL = (
    "SELECT c.id, c.creator_id, c.format, c.name, c.endpoint_id, c.telegram_chat_id,"
    " c.telegram_api_url, c.link_url, c.created_at, c.updated_at, e.url, e.enabled,"
    " e.disabled_reason, e.failing_since"
    " FROM milestone_channels c JOIN webhook_endpoints e ON e.id = c.endpoint_id"
)
_RULES = "SELECT channel_id, kind, template, thresholds FROM milestone_rules"
_ACTIVE = (
    "SELECT c.id AS channel_id, c.creator_id, c.format, c.endpoint_id, c.telegram_chat_id,"
    " c.link_url, r.kind, r.template, r.thresholds"
    " FROM milestone_rules r JOIN milestone_channels c ON c.id = r.channel_id"
    " JOIN webhook_endpoints e ON e.id = c.endpoint_id WHERE e.enabled"
    " ORDER BY c.creator_id, c.id, r.kind"
)
_POSTS = (
    "SELECT p.id, p.channel_id, p.milestone_key, p.kind, p.text, p.created_at,"
    " p.delivery_id, d.state, d.attempts, d.delivered_at, d.last_status_code, d.last_error"
    " FROM milestone_posts p LEFT JOIN webhook_deliveries d ON d.id = p.delivery_id"
)


@dataclass(frozen=True, slots=True)
class ChannelRow:
    id: str
    creator_id: UserId
    format: ChannelFormat
    name: str
    endpoint_id: str
    url: str
    """Where its posts go (a Telegram one carries the bot's token: never shown)."""
    telegram_chat_id: str | None
    telegram_api_url: str | None
    link_url: str
    enabled: bool
    disabled_reason: str | None
    failing_since: int
    created_at: UnixNs
    updated_at: UnixNs
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class ActiveRule:
    """A rule of an enabled channel: what the milestone watcher posts by."""

    channel_id: str
    creator_id: UserId
    format: ChannelFormat
    endpoint_id: str
    telegram_chat_id: str | None
    link_url: str
    rule: Rule


@dataclass(frozen=True, slots=True)
class PostRow:
    id: int
    channel_id: str
    milestone_key: str
    kind: str
    text: str
    created_at: UnixNs
    delivery_id: int | None
    state: str | None
    """The delivery's (``pending``, ``delivered``, ``failed``); None once it is gone."""
    attempts: int
    delivered_at: UnixNs
    last_status_code: int | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class NewPost:
    channel_id: str
    endpoint_id: str
    creator_id: UserId
    milestone_key: str
    kind: str
    text: str
    event_id: str
    payload: str
    """The body as sent, in the channel's format."""
    at: int


def _thresholds(text: str) -> tuple[int, ...]:
    return tuple(int(value) for value in text.split())


def _rule(row: NamedRow) -> Rule:
    return Rule(MilestoneKind(row["kind"]), row["template"], _thresholds(row["thresholds"]))


def _channel(row: NamedRow, rules: Sequence[Rule]) -> ChannelRow:
    return ChannelRow(
        id=row["id"],
        creator_id=UserId(int(row["creator_id"])),
        format=ChannelFormat(row["format"]),
        name=row["name"],
        endpoint_id=row["endpoint_id"],
        url=row["url"],
        telegram_chat_id=row["telegram_chat_id"],
        telegram_api_url=row["telegram_api_url"],
        link_url=row["link_url"],
        enabled=bool(row["enabled"]),
        disabled_reason=row["disabled_reason"],
        failing_since=int(row["failing_since"]),
        created_at=int(row["created_at"]),
        updated_at=int(row["updated_at"]),
        rules=tuple(rules),
    )


def _rules_of(tx: Tx, channel_ids: Sequence[str]) -> dict[str, list[Rule]]:
    found: dict[str, list[Rule]] = {channel_id: [] for channel_id in channel_ids}
    if not channel_ids:
        return found
    clause, value = tx.any_of(list(channel_ids))
    for row in tx.named_all(f"{_RULES} WHERE channel_id {clause} ORDER BY kind", (value,)):
        found[row["channel_id"]].append(_rule(row))
    order = list(MilestoneKind)
    return {key: sorted(rules, key=lambda r: order.index(r.kind)) for key, rules in found.items()}


def channel(tx: Tx, channel_id: str) -> ChannelRow | None:
    row = tx.named(f"{_CHANNEL} WHERE c.id = ?", (channel_id,))
    return None if row is None else _channel(row, _rules_of(tx, [channel_id])[channel_id])


def channels_of(tx: Tx, creator_id: UserId) -> list[ChannelRow]:
    rows = tx.named_all(
        f"{_CHANNEL} WHERE c.creator_id = ? ORDER BY c.created_at, c.id", (creator_id,)
    )
    rules = _rules_of(tx, [row["id"] for row in rows])
    return [_channel(row, rules[row["id"]]) for row in rows]


def insert_channel(
    tx: Tx,
    *,
    channel_id: str,
    endpoint_id: str,
    creator_id: UserId,
    format: ChannelFormat,
    name: str,
    url: str,
    secret: str,
    telegram_chat_id: str | None,
    telegram_api_url: str | None,
    link_url: str,
    now: int,
) -> None:
    """The channel and its endpoint (subscribed to no event type)."""
    body_format = "standard" if format is ChannelFormat.JSON else str(format)
    tx.execute(
        "INSERT INTO webhook_endpoints (id, url, description, event_types, secret,"
        " created_by, created_at, updated_at, body_format, creator_id)"
        " VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?)",
        (
            endpoint_id,
            url,
            f"milestones {channel_id}",
            secret,
            f"creator:{creator_id}",
            now,
            now,
            body_format,
            creator_id,
        ),
    )
    tx.execute(
        "INSERT INTO milestone_channels (id, creator_id, format, name, endpoint_id,"
        " telegram_chat_id, telegram_api_url, link_url, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            channel_id,
            creator_id,
            str(format),
            name,
            endpoint_id,
            telegram_chat_id,
            telegram_api_url,
            link_url,
            now,
            now,
        ),
    )
    changed(tx)


def replace_rules(tx: Tx, channel_id: str, rules: Sequence[Rule]) -> None:
    tx.execute("DELETE FROM milestone_rules WHERE channel_id = ?", (channel_id,))
    tx.executemany(
        "INSERT INTO milestone_rules (channel_id, kind, template, thresholds) VALUES (?, ?, ?, ?)",
        [
            (channel_id, str(rule.kind), rule.template, " ".join(map(str, rule.thresholds)))
            for rule in rules
        ],
    )
    changed(tx)


def update_channel(
    tx: Tx,
    found: ChannelRow,
    *,
    name: str | None,
    link_url: str | None,
    url: str | None,
    telegram_chat_id: str | None,
    enabled: bool | None,
    now: int,
) -> None:
    """Change what is given; enabling clears the endpoint's failure streak (its waiting
    posts go on), disabling says the creator did it."""
    tx.execute(
        "UPDATE milestone_channels SET name = COALESCE(?, name),"
        " link_url = COALESCE(?, link_url), telegram_chat_id = COALESCE(?, telegram_chat_id),"
        " updated_at = ? WHERE id = ?",
        (name, link_url, telegram_chat_id, now, found.id),
    )
    tx.execute(
        "UPDATE webhook_endpoints SET url = COALESCE(?, url), updated_at = ? WHERE id = ?",
        (url, now, found.endpoint_id),
    )
    if enabled is not None:
        tx.execute(
            "UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?,"
            " failing_since = CASE WHEN ? THEN 0 ELSE failing_since END WHERE id = ?",
            (enabled, None if enabled else "disabled by the creator", enabled, found.endpoint_id),
        )
    changed(tx)


def delete_channel(tx: Tx, found: ChannelRow) -> None:
    """The channel, its rules and posts, its endpoint with its deliveries and their log."""
    tx.execute("DELETE FROM milestone_posts WHERE channel_id = ?", (found.id,))
    tx.execute("DELETE FROM milestone_rules WHERE channel_id = ?", (found.id,))
    tx.execute("DELETE FROM milestone_channels WHERE id = ?", (found.id,))
    tx.execute(
        "DELETE FROM webhook_attempts WHERE delivery_id IN"
        " (SELECT id FROM webhook_deliveries WHERE endpoint_id = ?)",
        (found.endpoint_id,),
    )
    tx.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = ?", (found.endpoint_id,))
    tx.execute("DELETE FROM webhook_endpoints WHERE id = ?", (found.endpoint_id,))
    changed(tx)


def changed(tx: Tx) -> None:
    """A channel or its rules changed: every process reloads the rules it cached."""
    tx.execute("UPDATE milestone_state SET version = version + 1 WHERE id = 1")


def versions(tx: Tx) -> tuple[int, int]:
    """The rules' version and the webhook endpoints' (an endpoint the worker disabled
    posts nothing more): one read of two one-row tables."""
    row = tx.named(
        "SELECT m.version AS rules, w.version AS endpoints"
        " FROM milestone_state m, webhook_state w WHERE m.id = 1 AND w.id = 1"
    )
    assert row is not None, "migration 0013 writes milestone_state's row"
    return int(row["rules"]), int(row["endpoints"])


def active_rules(tx: Tx) -> list[ActiveRule]:
    return [
        ActiveRule(
            channel_id=row["channel_id"],
            creator_id=UserId(int(row["creator_id"])),
            format=ChannelFormat(row["format"]),
            endpoint_id=row["endpoint_id"],
            telegram_chat_id=row["telegram_chat_id"],
            link_url=row["link_url"],
            rule=_rule(row),
        )
        for row in tx.named_all(_ACTIVE)
    ]


def display_name(tx: Tx, user_id: UserId) -> str:
    row = tx.named("SELECT display_name FROM users WHERE id = ?", (user_id,))
    return "" if row is None else str(row["display_name"])


def follower_count(tx: Tx, creator_id: UserId) -> int:
    row = tx.named("SELECT COUNT(*) AS followers FROM follows WHERE creator_id = ?", (creator_id,))
    return 0 if row is None else int(row["followers"])


def insert_post(tx: Tx, post: NewPost) -> int | None:
    """The post and its delivery, unless the channel posted this milestone already
    (its unique key): the post's id, or None."""
    row = tx.named(
        "INSERT INTO milestone_posts (channel_id, milestone_key, kind, text, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id, milestone_key) DO NOTHING"
        " RETURNING id",
        (post.channel_id, post.milestone_key, post.kind, post.text, post.at),
    )
    if row is None:
        return None
    delivery = tx.named(
        "INSERT INTO webhook_deliveries (endpoint_id, event_id, room_id, type, payload,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (
            post.endpoint_id,
            post.event_id,
            post.creator_id,
            f"milestone.{post.kind}",
            post.payload,
            post.at,
        ),
    )
    assert delivery is not None
    tx.execute(
        "UPDATE milestone_posts SET delivery_id = ? WHERE id = ?", (delivery["id"], row["id"])
    )
    return int(row["id"])


def _post(row: NamedRow) -> PostRow:
    return PostRow(
        id=int(row["id"]),
        channel_id=row["channel_id"],
        milestone_key=row["milestone_key"],
        kind=row["kind"],
        text=row["text"],
        created_at=int(row["created_at"]),
        delivery_id=row["delivery_id"],
        state=row["state"],
        attempts=int(row["attempts"] or 0),
        delivered_at=int(row["delivered_at"] or 0),
        last_status_code=row["last_status_code"],
        last_error=row["last_error"],
    )


def post(tx: Tx, post_id: int) -> PostRow | None:
    row = tx.named(f"{_POSTS} WHERE p.id = ?", (post_id,))
    return None if row is None else _post(row)


def post_count(tx: Tx) -> int:
    """Every channel's posts (tests and benchmarks)."""
    row = tx.named("SELECT COUNT(*) AS posts FROM milestone_posts")
    return 0 if row is None else int(row["posts"])


def posts(tx: Tx, channel_id: str, *, limit: int) -> list[PostRow]:
    """The channel's posts, newest first."""
    rows = tx.named_all(
        f"{_POSTS} WHERE p.channel_id = ? ORDER BY p.id DESC LIMIT ?", (channel_id, limit)
    )
    return [_post(row) for row in rows]
