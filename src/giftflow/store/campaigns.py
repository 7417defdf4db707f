"""Campaigns' rows: a creator's named group of promotions, reported together. The
promotions name their campaign (``store/promotions.py``); the flows are
``giftflow.service.promote.promotions``."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.store import promotions
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign with its promotions, oldest first."""

    id: str
    creator_id: UserId
    name: str
    created_at: UnixNs
    promotion_ids: tuple[str, ...]


def by_id(tx: Tx, campaign_id: str) -> Campaign | None:
    row = tx.named(
        "SELECT id, creator_id, name, created_at FROM campaigns WHERE id = ?", (campaign_id,)
    )
    if row is None:
        return None
    return Campaign(
        id=row["id"],
        creator_id=row["creator_id"],
        name=row["name"],
        created_at=row["created_at"],
        promotion_ids=promotions.ids_of_campaign(tx, campaign_id),
    )


def owner_of(tx: Tx, campaign_id: str) -> UserId | None:
    """The campaign's creator (None: no such campaign)."""
    row = tx.named("SELECT creator_id FROM campaigns WHERE id = ?", (campaign_id,))
    return None if row is None else UserId(int(row["creator_id"]))


def newest_ids(tx: Tx, *, creator_id: UserId | None, limit: int) -> list[str]:
    """Campaigns' ids, newest first (of one creator when given)."""
    where, parameters = ("WHERE creator_id = ? ", [creator_id]) if creator_id else ("", [])
    rows = tx.named_all(
        f"SELECT id FROM campaigns {where}ORDER BY created_at DESC, id LIMIT ?",
        (*parameters, limit),
    )
    return [row["id"] for row in rows]


def insert(tx: Tx, campaign_id: str, *, creator_id: UserId, name: str, now_ns: int) -> None:
    tx.execute(
        "INSERT INTO campaigns (id, creator_id, name, created_at) VALUES (?, ?, ?, ?)",
        (campaign_id, creator_id, name, now_ns),
    )
