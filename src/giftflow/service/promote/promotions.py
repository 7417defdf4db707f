"""Promotions and campaigns: create, submit (the budget reserved), review, pause,
resume, cancel and end (the unspent rest released), each a compare-and-set on the
promotion's row in the transaction of its ledger transfers (``money``)."""

from __future__ import annotations

from giftflow.economy.errors import NotACreatorError
from giftflow.economy.users import require_adult
from giftflow.ids import UserId
from giftflow.promote.errors import CampaignNotFoundError, PromoteError, PromotionNotFoundError
from giftflow.promote.promotions import Plan, PromotionState, check_plan, check_transition
from giftflow.service.economy import users
from giftflow.service.once import Once
from giftflow.service.promote.context import PromoteContext
from giftflow.store import campaigns, promotions
from giftflow.store.campaigns import Campaign
from giftflow.store.promotions import Promotion
from giftflow.store.tx import RecordRejectedError, Tx

__all__ = ["Campaign", "Promotion"]

LIST_MAX = 500
MINIMUM_AGE_YEARS = 18


def find(tx: Tx, promotion_id: str) -> Promotion:
    """The promotion (``promotion_not_found`` when there is none)."""
    promotion = promotions.by_id(tx, promotion_id)
    if promotion is None:
        raise PromotionNotFoundError(f"no promotion {promotion_id}")
    return promotion


def get(context: PromoteContext, promotion_id: str) -> Promotion:
    return context.read(lambda tx: find(tx, promotion_id))


def listing(
    context: PromoteContext,
    *,
    creator_id: UserId | None = None,
    state: PromotionState | None = None,
    campaign_id: str | None = None,
) -> list[Promotion]:
    return context.read(
        lambda tx: promotions.newest(
            tx, creator_id=creator_id, state=state, campaign_id=campaign_id, limit=LIST_MAX
        )
    )


# --- create -----------------------------------------------------------------------


def create(
    context: PromoteContext,
    *,
    creator_id: UserId,
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

    def insert(tx: Tx) -> Promotion:
        if campaign_id is not None:
            _campaign_of_creator(tx, campaign_id, creator_id)
        promotions.insert_draft(
            tx,
            promotion_id,
            creator_id=creator_id,
            campaign_id=campaign_id,
            plan=plan,
            price_per_1000_coins=context.price_per_1000_coins,
            now_ns=now,
        )
        created = find(tx, promotion_id)
        if once is not None:
            once.keep(tx, created, now=now)
        return created

    return context.write(insert)


def _campaign_of_creator(tx: Tx, campaign_id: str, creator_id: UserId) -> None:
    owner = campaigns.owner_of(tx, campaign_id)
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
        if not promotions.set_state(
            tx, promotion_id, current=current.state, target=target, reason=reason, now_ns=now
        ):
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
    context: PromoteContext, *, creator_id: UserId, name: str, once: Once | None = None
) -> Campaign:
    creator = users.get(context.economy, creator_id)
    if not creator.is_creator:
        raise NotACreatorError(f"user {creator_id} is not a creator")
    campaign_id = context.economy.new_id("cp")
    now = context.now()

    def insert(tx: Tx) -> Campaign:
        campaigns.insert(tx, campaign_id, creator_id=creator_id, name=name, now_ns=now)
        created = find_campaign(tx, campaign_id)
        if once is not None:
            once.keep(tx, created, now=now)
        return created

    return context.write(insert)


def find_campaign(tx: Tx, campaign_id: str) -> Campaign:
    """The campaign (``campaign_not_found`` when there is none)."""
    campaign = campaigns.by_id(tx, campaign_id)
    if campaign is None:
        raise CampaignNotFoundError(f"no campaign {campaign_id}")
    return campaign


def get_campaign(context: PromoteContext, campaign_id: str) -> Campaign:
    return context.read(lambda tx: find_campaign(tx, campaign_id))


def campaigns_of(context: PromoteContext, creator_id: UserId | None) -> list[Campaign]:
    def query(tx: Tx) -> list[Campaign]:
        ids = campaigns.newest_ids(tx, creator_id=creator_id, limit=LIST_MAX)
        return [find_campaign(tx, campaign_id) for campaign_id in ids]

    return context.read(query)
