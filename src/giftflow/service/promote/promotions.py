"""Promotions and campaigns: create, submit (the budget reserved), review, pause,
resume, cancel and end (the unspent rest released), each a compare-and-set on the
promotion's row in the transaction of its ledger transfers (``money``)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from giftflow.economy.errors import NotACreatorError
from giftflow.economy.users import require_adult
from giftflow.promote.errors import CampaignNotFoundError, PromoteError, PromotionNotFoundError
from giftflow.promote.promotions import (
    AgeBand,
    Audience,
    Burst,
    ContentKind,
    Goal,
    Plan,
    PromotionState,
    check_plan,
    check_transition,
)
from giftflow.service.economy import users
from giftflow.service.once import Once
from giftflow.service.promote.context import PromoteContext
from giftflow.store.tx import RecordRejectedError, Row, Tx

COLUMNS = (
    "id, creator_id, campaign_id, content_kind, content_id, goal, audience, bursts,"
    " budget_coins, price_per_1000_coins, starts_at, ends_at, frequency_cap,"
    " frequency_window_s, state, reason, reserve_seq, reserve_transfer_id, reserved_coins,"
    " billed_millicoins, posted_coins, released_coins, created_at, submitted_at, closed_at,"
    " updated_at"
)
LIST_MAX = 500
MINIMUM_AGE_YEARS = 18


@dataclass(frozen=True, slots=True)
class Promotion:
    id: str
    creator_id: int
    campaign_id: str | None
    plan: Plan
    price_per_1000_coins: int
    state: PromotionState
    reason: str | None
    reserve_seq: int
    reserve_transfer_id: int
    reserved_coins: int
    billed_millicoins: int
    posted_coins: int
    released_coins: int
    created_at: int
    submitted_at: int
    closed_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    creator_id: int
    name: str
    created_at: int
    promotion_ids: tuple[str, ...]


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


def promotion_of(row: Row) -> Promotion:
    plan = Plan(
        content_kind=ContentKind(row[3]),
        content_id=row[4],
        goal=Goal(row[5]),
        budget_coins=row[8],
        starts_at=row[10],
        ends_at=row[11],
        audience=audience_of(row[6]),
        bursts=bursts_of(row[7]),
        frequency_cap=row[12],
        frequency_window_s=row[13],
    )
    return Promotion(
        row[0], row[1], row[2], plan, row[9], PromotionState(row[14]), row[15], *row[16:]
    )


def find(tx: Tx, promotion_id: str) -> Promotion:
    row = tx.execute(f"SELECT {COLUMNS} FROM promotions WHERE id = ?", (promotion_id,)).fetchone()
    if row is None:
        raise PromotionNotFoundError(f"no promotion {promotion_id}")
    return promotion_of(row)


def get(context: PromoteContext, promotion_id: str) -> Promotion:
    return context.read(lambda tx: find(tx, promotion_id))


def listing(
    context: PromoteContext,
    *,
    creator_id: int | None = None,
    state: PromotionState | None = None,
    campaign_id: str | None = None,
) -> list[Promotion]:
    conditions, parameters = [], []
    for column, value in (
        ("creator_id", creator_id),
        ("state", state),
        ("campaign_id", campaign_id),
    ):
        if value is not None:
            conditions.append(f"{column} = ?")
            parameters.append(str(value) if isinstance(value, PromotionState) else value)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    query = f"SELECT {COLUMNS} FROM promotions{where} ORDER BY created_at DESC, id LIMIT {LIST_MAX}"
    return context.read(
        lambda tx: [promotion_of(r) for r in tx.execute(query, parameters).fetchall()]
    )


# --- create -----------------------------------------------------------------------


def create(
    context: PromoteContext,
    *,
    creator_id: int,
    plan: Plan,
    campaign_id: str | None = None,
    once: Once | None = None,
) -> Promotion:
    """A draft: checked, priced at today's price per 1,000, nothing reserved yet."""
    creator = users.get(context.economy, creator_id)
    if not creator.is_creator:
        raise NotACreatorError(f"user {creator_id} is not a creator")
    require_adult(creator, context.economy.today(), minimum_age=MINIMUM_AGE_YEARS, role="creator")
    now = context.now()
    check_plan(plan, now=now)
    promotion_id = context.economy.new_id("pr")
    row = (
        promotion_id, creator_id, campaign_id, plan.content_kind.value, plan.content_id,
        plan.goal.value, audience_json(plan.audience), bursts_json(plan.bursts),
        plan.budget_coins, context.price_per_1000_coins, plan.starts_at, plan.ends_at,
        plan.frequency_cap, plan.frequency_window_s, PromotionState.DRAFT.value, now, now,
    )  # fmt: skip

    def insert(tx: Tx) -> Promotion:
        if campaign_id is not None:
            _campaign_of_creator(tx, campaign_id, creator_id)
        tx.execute(
            "INSERT INTO promotions (id, creator_id, campaign_id, content_kind, content_id,"
            " goal, audience, bursts, budget_coins, price_per_1000_coins, starts_at, ends_at,"
            " frequency_cap, frequency_window_s, state, created_at, updated_at)"
            f" VALUES ({', '.join('?' * len(row))})",
            row,
        )
        created = find(tx, promotion_id)
        if once is not None:
            once.keep(tx, created, now=now)
        return created

    return context.write(insert)


def _campaign_of_creator(tx: Tx, campaign_id: str, creator_id: int) -> None:
    owner = tx.scalar("SELECT creator_id FROM campaigns WHERE id = ?", (campaign_id,))
    if owner is None:
        raise CampaignNotFoundError(f"no campaign {campaign_id}")
    if owner != creator_id:
        raise PromoteError("the campaign is another creator's", code="campaign_other_creator")


# --- moves without money ------------------------------------------------------------


def move(
    context: PromoteContext,
    promotion_id: str,
    target: PromotionState,
    *,
    reason: str | None = None,
    once: Once | None = None,
) -> Promotion:
    """approve (in review -> active), pause, resume, or cancel a draft: no money moves."""
    current = get(context, promotion_id)
    check_transition(current.state, target)
    now = context.now()

    def update(tx: Tx) -> Promotion:
        changed = tx.execute(
            "UPDATE promotions SET state = ?, reason = COALESCE(?, reason), updated_at = ?,"
            " closed_at = CASE WHEN ? = 'cancelled' THEN ? ELSE closed_at END"
            " WHERE id = ? AND state = ?",
            (target.value, reason, now, target.value, now, promotion_id, current.state.value),
        ).rowcount
        if changed != 1:
            raise RecordRejectedError(
                f"promotion {promotion_id} changed meanwhile", code="promotion_conflict"
            )
        moved = find(tx, promotion_id)
        if once is not None:
            once.keep(tx, moved, now=now)
        return moved

    return context.write(update)


# --- campaigns ----------------------------------------------------------------------


def create_campaign(
    context: PromoteContext, *, creator_id: int, name: str, once: Once | None = None
) -> Campaign:
    creator = users.get(context.economy, creator_id)
    if not creator.is_creator:
        raise NotACreatorError(f"user {creator_id} is not a creator")
    campaign_id = context.economy.new_id("cp")
    now = context.now()

    def insert(tx: Tx) -> Campaign:
        tx.execute(
            "INSERT INTO campaigns (id, creator_id, name, created_at) VALUES (?, ?, ?, ?)",
            (campaign_id, creator_id, name, now),
        )
        created = find_campaign(tx, campaign_id)
        if once is not None:
            once.keep(tx, created, now=now)
        return created

    return context.write(insert)


def find_campaign(tx: Tx, campaign_id: str) -> Campaign:
    row = tx.execute(
        "SELECT id, creator_id, name, created_at FROM campaigns WHERE id = ?", (campaign_id,)
    ).fetchone()
    if row is None:
        raise CampaignNotFoundError(f"no campaign {campaign_id}")
    ids = tx.execute(
        "SELECT id FROM promotions WHERE campaign_id = ? ORDER BY created_at, id", (campaign_id,)
    ).fetchall()
    return Campaign(row[0], row[1], row[2], row[3], tuple(r[0] for r in ids))


def get_campaign(context: PromoteContext, campaign_id: str) -> Campaign:
    return context.read(lambda tx: find_campaign(tx, campaign_id))


def campaigns_of(context: PromoteContext, creator_id: int | None) -> list[Campaign]:
    def query(tx: Tx) -> list[Campaign]:
        where, parameters = ("WHERE creator_id = ?", [creator_id]) if creator_id else ("", [])
        rows = tx.execute(
            f"SELECT id FROM campaigns {where} ORDER BY created_at DESC, id LIMIT {LIST_MAX}",
            parameters,
        ).fetchall()
        return [find_campaign(tx, row[0]) for row in rows]

    return context.read(query)
