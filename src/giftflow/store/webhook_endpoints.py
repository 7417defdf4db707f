"""The platform's webhook endpoints (tables in ``webhook_tables.py``): their rows, the
changes the API makes to them, and which enabled endpoint wants which types, for the
outbox's cache (``giftflow.service.webhooks.outbox``).

A creator's milestone channel has an endpoint row too (docs/milestones.md); the
statements here read and change the platform's own only (``creator_id IS NULL``), but
``subscriptions`` lists every enabled one, since the outbox writes to both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.ledger.clock import UnixNs
from giftflow.store.tx import NamedRow, Tx

ALL_TYPES: Final = "*"
"""The stored ``event_types`` of an endpoint subscribed to every type."""
COLUMNS: Final = (
    "id, url, description, event_types, enabled, disabled_reason, failing_since,"
    " created_by, created_at, updated_at"
)
_PLATFORMS: Final = "creator_id IS NULL"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A platform's endpoint as the API shows it (never its secrets)."""

    id: str
    url: str
    description: str
    event_types: tuple[str, ...] | None
    """None: every type, present and future."""
    enabled: bool
    disabled_reason: str | None
    failing_since: int
    """When its deliveries began to fail without a success since; 0 while healthy."""
    created_by: str
    created_at: UnixNs
    updated_at: UnixNs


@dataclass(frozen=True, slots=True)
class Subscription:
    """An enabled endpoint and the types it wants, as stored (``*`` or space-separated)."""

    endpoint_id: str
    event_types: str


def endpoint_from(row: NamedRow) -> Endpoint:
    stored = row["event_types"]
    return Endpoint(
        id=row["id"],
        url=row["url"],
        description=row["description"],
        event_types=None if stored == ALL_TYPES else tuple(stored.split()),
        enabled=bool(row["enabled"]),
        disabled_reason=row["disabled_reason"],
        failing_since=int(row["failing_since"]),
        created_by=row["created_by"],
        created_at=int(row["created_at"]),
        updated_at=int(row["updated_at"]),
    )


def by_id(tx: Tx, endpoint_id: str) -> Endpoint | None:
    """The platform's endpoint of this id, if there is one."""
    row = tx.named(
        f"SELECT {COLUMNS} FROM webhook_endpoints WHERE id = ? AND {_PLATFORMS}", (endpoint_id,)
    )
    return None if row is None else endpoint_from(row)


def platform_endpoints(tx: Tx) -> list[Endpoint]:
    """Every endpoint of the platform, oldest first."""
    rows = tx.named_all(
        f"SELECT {COLUMNS} FROM webhook_endpoints WHERE {_PLATFORMS} ORDER BY created_at, id"
    )
    return [endpoint_from(row) for row in rows]


def insert(
    tx: Tx,
    *,
    endpoint_id: str,
    url: str,
    description: str,
    event_types: str,
    secret: str,
    created_by: str,
    now_ns: int,
) -> None:
    """A new platform endpoint, enabled; ``event_types`` in its stored form."""
    tx.execute(
        "INSERT INTO webhook_endpoints (id, url, description, event_types, secret,"
        " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (endpoint_id, url, description, event_types, secret, created_by, now_ns, now_ns),
    )


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """What an update sets; None leaves it as it is."""

    url: str | None = None
    description: str | None = None
    event_types: str | None = None
    """In the stored form."""
    enabled: bool | None = None
    """Enabling clears the reason and the failure streak; disabling says it was you."""


def update(tx: Tx, endpoint_id: str, change: EndpointChange, *, now_ns: int) -> bool:
    """Apply ``change`` to the platform's endpoint; whether there was one."""
    sets: list[str] = ["updated_at = ?"]
    values: list[object] = [now_ns]
    for column, value in (
        ("url", change.url),
        ("description", change.description),
        ("event_types", change.event_types),
    ):
        if value is not None:
            sets.append(f"{column} = ?")
            values.append(value)
    if change.enabled is not None:
        sets.append("enabled = ?")
        values.append(change.enabled)
        if change.enabled:
            sets.append("disabled_reason = NULL, failing_since = 0")
        else:
            sets.append("disabled_reason = 'disabled by you'")
    tx.execute(
        f"UPDATE webhook_endpoints SET {', '.join(sets)} WHERE id = ? AND {_PLATFORMS}",
        (*values, endpoint_id),
    )
    return tx.rowcount == 1


def delete(tx: Tx, endpoint_id: str) -> None:
    """The endpoint, its deliveries and their attempts."""
    tx.execute(
        "DELETE FROM webhook_attempts WHERE delivery_id IN"
        " (SELECT id FROM webhook_deliveries WHERE endpoint_id = ?)",
        (endpoint_id,),
    )
    tx.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = ?", (endpoint_id,))
    tx.execute("DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,))


def rotate_secret(
    tx: Tx, endpoint_id: str, *, secret: str, previous_until_ns: int, now_ns: int
) -> bool:
    """Sign with ``secret`` from now on, with the current one too until
    ``previous_until_ns``; whether the platform has that endpoint."""
    tx.execute(
        "UPDATE webhook_endpoints SET previous_secret = secret, secret = ?,"
        f" previous_secret_until = ?, updated_at = ? WHERE id = ? AND {_PLATFORMS}",
        (secret, previous_until_ns, now_ns, endpoint_id),
    )
    return tx.rowcount == 1


def subscriptions(tx: Tx) -> list[Subscription]:
    """Every enabled endpoint (the platform's and the milestone channels')."""
    rows = tx.named_all("SELECT id, event_types FROM webhook_endpoints WHERE enabled")
    return [Subscription(row["id"], row["event_types"]) for row in rows]
