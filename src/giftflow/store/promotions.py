"""Promotions' rows: the plan (audience and bursts as JSON), the price, the state and
the money counters, and the compare-and-sets that move them: review and pauses
(``set_state``), submission, billing, settlement and close, each in the transaction of
its ledger transfers (decisions/0040). The rules are ``giftflow.promote.promotions``;
the flows ``giftflow.service.promote``; the tables ``store/promote_tables.py``. Every
write stamps the row with its transaction's change number (``change_seq``), so that
each process reads again only the promotions that changed (``changed_since``,
decisions/0123)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.ledger.limits import TransferId
from giftflow.promote.promotions import (
    AgeBand,
    Audience,
    Burst,
    ContentKind,
    Goal,
    Plan,
    PromotionState,
)
from giftflow.store.promote_changes import next_seq
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = (
    "id, creator_id, campaign_id, content_kind, content_id, goal, audience, bursts,"
    " budget_coins, price_per_1000_coins, starts_at, ends_at, frequency_cap,"
    " frequency_window_s, state, reason, reserve_seq, reserve_transfer_id, reserved_coins,"
    " billed_millicoins, posted_coins, released_coins, created_at, submitted_at, closed_at,"
    " updated_at"
)


@dataclass(frozen=True, slots=True)
class Promotion:
    """A promotion as stored: its plan, its price per 1,000 billed impressions, its
    state, and its money counters (the open reservation, what is billed, posted and
    released)."""

    id: str
    creator_id: UserId
    campaign_id: str | None
    plan: Plan
    price_per_1000_coins: int
    state: PromotionState
    reason: str | None
    reserve_seq: int
    reserve_transfer_id: TransferId
    reserved_coins: int
    billed_millicoins: int
    posted_coins: int
    released_coins: int
    created_at: UnixNs
    submitted_at: UnixNs
    closed_at: UnixNs
    updated_at: UnixNs


def audience_json(audience: Audience) -> str:
    return json.dumps(
        {
            "regions": sorted(audience.regions),
            "age_bands": sorted(band.value for band in audience.age_bands),
            "interests": sorted(audience.interests),
        }
    )


def audience_of(text: str) -> Audience:
    data = json.loads(text)
    return Audience(
        frozenset(data["regions"]),
        frozenset(AgeBand(band) for band in data["age_bands"]),
        frozenset(data["interests"]),
    )


def bursts_json(bursts: tuple[Burst, ...]) -> str:
    return json.dumps([[b.starts_at, b.ends_at, b.share_bps] for b in bursts])


def bursts_of(text: str) -> tuple[Burst, ...]:
    return tuple(Burst(int(a), int(b), int(c)) for a, b, c in json.loads(text))


def promotion_from(row: NamedRow) -> Promotion:
    plan = Plan(
        content_kind=ContentKind(row["content_kind"]),
        content_id=row["content_id"],
        goal=Goal(row["goal"]),
        budget_coins=row["budget_coins"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        audience=audience_of(row["audience"]),
        bursts=bursts_of(row["bursts"]),
        frequency_cap=row["frequency_cap"],
        frequency_window_s=row["frequency_window_s"],
    )
    return Promotion(
        id=row["id"],
        creator_id=row["creator_id"],
        campaign_id=row["campaign_id"],
        plan=plan,
        price_per_1000_coins=row["price_per_1000_coins"],
        state=PromotionState(row["state"]),
        reason=row["reason"],
        reserve_seq=row["reserve_seq"],
        reserve_transfer_id=row["reserve_transfer_id"],
        reserved_coins=row["reserved_coins"],
        billed_millicoins=row["billed_millicoins"],
        posted_coins=row["posted_coins"],
        released_coins=row["released_coins"],
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        closed_at=row["closed_at"],
        updated_at=row["updated_at"],
    )


def by_id(tx: Tx, promotion_id: str) -> Promotion | None:
    row = tx.named(f"SELECT {COLUMNS} FROM promotions WHERE id = ?", (promotion_id,))
    return None if row is None else promotion_from(row)


def state_of(tx: Tx, promotion_id: str) -> PromotionState | None:
    """The promotion's state as this transaction sees it (None: no such promotion)."""
    row = tx.named("SELECT state FROM promotions WHERE id = ?", (promotion_id,))
    return None if row is None else PromotionState(row["state"])


def newest(
    tx: Tx,
    *,
    creator_id: UserId | None = None,
    state: PromotionState | None = None,
    campaign_id: str | None = None,
    limit: int,
) -> list[Promotion]:
    """Promotions, newest first, of one creator, in one state and/or of one campaign
    (all when ``None``), ``limit`` at most."""
    conditions: list[str] = []
    parameters: list[object] = []
    for column, value in (
        ("creator_id", creator_id),
        ("state", None if state is None else state.value),
        ("campaign_id", campaign_id),
    ):
        if value is not None:
            conditions.append(f"{column} = ?")
            parameters.append(value)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = tx.named_all(
        f"SELECT {COLUMNS} FROM promotions{where} ORDER BY created_at DESC, id LIMIT ?",
        (*parameters, limit),
    )
    return [promotion_from(row) for row in rows]


def ids_of_campaign(tx: Tx, campaign_id: str) -> tuple[str, ...]:
    """The campaign's promotions, oldest first."""
    rows = tx.named_all(
        "SELECT id FROM promotions WHERE campaign_id = ? ORDER BY created_at, id", (campaign_id,)
    )
    return tuple(row["id"] for row in rows)


def active(tx: Tx, *, now_ns: int) -> list[Promotion]:
    """The active promotions not ended at ``now_ns``: what fills choose from, now or
    once they start."""
    rows = tx.named_all(
        f"SELECT {COLUMNS} FROM promotions WHERE state = 'active' AND ends_at > ?", (now_ns,)
    )
    return [promotion_from(row) for row in rows]


def changed_since(tx: Tx, seq: int) -> list[Promotion]:
    """The promotions, in any state, whose row was written after change number ``seq``
    (``promote_changes``)."""
    rows = tx.named_all(f"SELECT {COLUMNS} FROM promotions WHERE change_seq > ?", (seq,))
    return [promotion_from(row) for row in rows]


def due_to_end(tx: Tx, *, now_ns: int, limit: int) -> list[str]:
    """Active or paused promotions whose end has come or whose budget cannot pay for
    one more impression, soonest end first."""
    rows = tx.named_all(
        "SELECT id FROM promotions WHERE state IN ('active', 'paused')"
        " AND (ends_at <= ? OR billed_millicoins + price_per_1000_coins"
        " > budget_coins * 1000) ORDER BY ends_at, id LIMIT ?",
        (now_ns, limit),
    )
    return [row["id"] for row in rows]


def insert_draft(
    tx: Tx,
    promotion_id: str,
    *,
    creator_id: UserId,
    campaign_id: str | None,
    plan: Plan,
    price_per_1000_coins: int,
    now_ns: int,
) -> None:
    tx.execute(
        "INSERT INTO promotions (id, creator_id, campaign_id, content_kind, content_id,"
        " goal, audience, bursts, budget_coins, price_per_1000_coins, starts_at, ends_at,"
        " frequency_cap, frequency_window_s, state, created_at, updated_at, change_seq)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            promotion_id, creator_id, campaign_id, plan.content_kind.value, plan.content_id,
            plan.goal.value, audience_json(plan.audience), bursts_json(plan.bursts),
            plan.budget_coins, price_per_1000_coins, plan.starts_at, plan.ends_at,
            plan.frequency_cap, plan.frequency_window_s, PromotionState.DRAFT.value, now_ns,
            now_ns, next_seq(tx),
        ),
    )  # fmt: skip


def set_state(
    tx: Tx,
    promotion_id: str,
    *,
    current: PromotionState,
    target: PromotionState,
    reason: str | None,
    now_ns: int,
) -> bool:
    """The compare-and-set of a move without money (review, pause, resume, a draft's
    cancel, which closes it); False when the promotion was not in ``current``."""
    tx.execute(
        "UPDATE promotions SET state = ?, reason = COALESCE(?, reason), updated_at = ?,"
        " closed_at = CASE WHEN ? = 'cancelled' THEN ? ELSE closed_at END, change_seq = ?"
        " WHERE id = ? AND state = ?",
        (
            target.value,
            reason,
            now_ns,
            target.value,
            now_ns,
            next_seq(tx),
            promotion_id,
            current.value,
        ),
    )
    return tx.rowcount == 1


def set_submitted(
    tx: Tx, promotion_id: str, *, reserve_transfer_id: TransferId, now_ns: int
) -> bool:
    """A draft sent to review with its whole budget reserved by reservation 0; False
    when it was no longer a draft."""
    tx.execute(
        "UPDATE promotions SET state = 'in_review', reserve_seq = 0,"
        " reserve_transfer_id = ?, reserved_coins = budget_coins, submitted_at = ?,"
        " updated_at = ?, change_seq = ? WHERE id = ? AND state = 'draft'",
        (reserve_transfer_id, now_ns, now_ns, next_seq(tx), promotion_id),
    )
    return tx.rowcount == 1


def add_billed(
    tx: Tx, promotion_id: str, *, price_millicoins: int, cap_millicoins: int, now_ns: int
) -> bool:
    """Bill one impression: ``billed_millicoins`` grows by ``price_millicoins`` only
    while the promotion is billable and the total stays within ``cap_millicoins`` (the
    database decides, so no race bills past it)."""
    tx.execute(
        "UPDATE promotions SET billed_millicoins = billed_millicoins + ?, updated_at = ?,"
        " change_seq = ? WHERE id = ? AND state IN ('active', 'paused')"
        " AND billed_millicoins + ? <= ?",
        (
            price_millicoins,
            now_ns,
            next_seq(tx),
            promotion_id,
            price_millicoins,
            cap_millicoins,
        ),
    )
    return tx.rowcount == 1


def set_settled(
    tx: Tx,
    promotion_id: str,
    *,
    seq: int,
    next_transfer_id: TransferId,
    rest_coins: int,
    due_coins: int,
    now_ns: int,
) -> bool:
    """A settlement's compare-and-set: reservation ``seq`` (holding ``rest_coins +
    due_coins``) replaced by the next, ``due_coins`` posted within what is billed; False
    when another settlement or the close came first."""
    tx.execute(
        "UPDATE promotions SET reserve_seq = ?, reserve_transfer_id = ?,"
        " reserved_coins = ?, posted_coins = posted_coins + ?, updated_at = ?,"
        " change_seq = ? WHERE id = ? AND reserve_seq = ? AND reserved_coins = ?"
        " AND posted_coins + ? <= billed_millicoins / 1000",
        (
            seq + 1, next_transfer_id, rest_coins, due_coins, now_ns, next_seq(tx),
            promotion_id, seq, rest_coins + due_coins, due_coins,
        ),
    )  # fmt: skip
    return tx.rowcount == 1


def set_closed(
    tx: Tx,
    promotion: Promotion,
    *,
    target: PromotionState,
    reason: str | None,
    posted_coins: int,
    now_ns: int,
) -> bool:
    """The final state, ``posted_coins`` posted and the rest of the reservation
    released, by compare-and-set on the state, the reservation and what is billed as
    ``promotion`` read them; False when any of them moved."""
    released = promotion.reserved_coins - posted_coins
    tx.execute(
        "UPDATE promotions SET state = ?, reason = COALESCE(?, reason),"
        " posted_coins = posted_coins + ?, released_coins = ?, reserved_coins = 0,"
        " reserve_transfer_id = 0, closed_at = ?, updated_at = ?, change_seq = ?"
        " WHERE id = ? AND state = ? AND reserve_seq = ? AND billed_millicoins = ?"
        " AND reserved_coins = ?",
        (
            target.value, reason, posted_coins, released, now_ns, now_ns, next_seq(tx),
            promotion.id, promotion.state.value, promotion.reserve_seq,
            promotion.billed_millicoins, promotion.reserved_coins,
        ),
    )  # fmt: skip
    return tx.rowcount == 1
