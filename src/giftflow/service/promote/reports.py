"""Reports of promotions and campaigns, recomputed from the stored rows: impressions
served, viewable, invalid (and why), unbilled (and why), clicks, LIVE entries, profile
visits, follows attributed from the real follows table (1-day view and 7-day click,
both shown), coins spent and released, coins per follow, and the pacing chart (target
against actual spend at evenly spaced checkpoints)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from giftflow.ids import UserId
from giftflow.ledger.limits import TransferId
from giftflow.promote.attribution import Touch, attribute
from giftflow.promote.money import charged_coins
from giftflow.promote.pacing import planned_millicoins
from giftflow.service.promote.context import PromoteContext
from giftflow.service.promote.money import release_id, reserve_id, spend_id
from giftflow.service.promote.promotions import Promotion, find, find_campaign
from giftflow.store import impressions, promote_facts
from giftflow.store.impressions import Outcome
from giftflow.store.tx import Tx

CHECKPOINTS: Final = 24
"""Intervals of the pacing chart: 25 points from the start to the end."""


@dataclass(frozen=True, slots=True)
class PacingPoint:
    at: int
    target_millicoins: int
    actual_millicoins: int


@dataclass(frozen=True, slots=True)
class StatementEntry:
    """One ledger transfer of a promotion's budget, as the creator's statement lists
    it: ``reserved``, ``spent`` or ``released`` coins."""

    transfer_id: TransferId
    kind: str
    coins: int
    at: int


@dataclass(frozen=True, slots=True)
class Report:
    promotion_ids: tuple[str, ...]
    served: int
    viewable: int
    billed: int
    invalid: dict[str, int]
    unbilled: dict[str, int]
    clicks: int
    live_entries: int
    profile_visits: int
    follows_click_7d: int
    follows_view_1d: int
    budget_coins: int
    billed_millicoins: int
    spent_coins: int
    released_coins: int
    reserved_coins: int
    pacing: tuple[PacingPoint, ...]
    statement: tuple[StatementEntry, ...]

    @property
    def follows_attributed(self) -> int:
        return self.follows_click_7d + self.follows_view_1d

    @property
    def coins_per_follow(self) -> float | None:
        if self.follows_attributed == 0:
            return None
        return self.spent_coins / self.follows_attributed


def _pacing(promotions: Sequence[Promotion], rows: list[Outcome], now: int) -> list[PacingPoint]:
    if not promotions:
        return []
    start = min(p.plan.starts_at for p in promotions)
    end = max(p.plan.ends_at for p in promotions)
    billed = sorted((r.viewable_at, r.billed_millicoins) for r in rows if r.state == "billed")
    points, total, index = [], 0, 0
    for step in range(CHECKPOINTS + 1):
        at = start + (end - start) * step // CHECKPOINTS
        if at > now:
            break
        while index < len(billed) and billed[index][0] <= at:
            total += billed[index][1]
            index += 1
        target = sum(planned_millicoins(p.plan, at) for p in promotions)
        points.append(PacingPoint(at, target, total))
    return points


def _statement(context: PromoteContext, promotion: Promotion) -> list[StatementEntry]:
    if promotion.submitted_at == 0:
        return []
    ledger = context.economy.ledger
    entries = []
    for seq in range(promotion.reserve_seq + 1):
        for transfer_id, kind in (
            (reserve_id(promotion.id, seq), "reserved"),
            (spend_id(promotion.id, seq), "spent"),
            (release_id(promotion.id, seq), "released"),
        ):
            transfer = ledger.transfer(transfer_id)
            if transfer is not None:
                entries.append(
                    StatementEntry(transfer_id, kind, transfer.amount, transfer.timestamp)
                )
    return entries


def _report(_context: PromoteContext, tx: Tx, promotions: list[Promotion], now: int) -> Report:
    ids = tuple(p.id for p in promotions)
    rows = impressions.outcomes(tx, ids)
    valid = [r for r in rows if r.state in ("billed", "unbilled")]
    touches = [Touch(r.viewer_id, r.viewable_at, r.clicked_at) for r in valid]
    creators = {p.creator_id for p in promotions}
    follows: dict[UserId, int] = {}
    for creator_id in creators:
        follows |= promote_facts.followed_at(tx, creator_id, sorted({r.viewer_id for r in valid}))
    attributed = attribute(touches, follows)
    billed = sum(p.billed_millicoins for p in promotions)
    return Report(
        promotion_ids=ids,
        served=len(rows),
        viewable=sum(1 for r in rows if r.viewable_at > 0),
        billed=sum(1 for r in rows if r.state == "billed"),
        invalid=dict(Counter(r.reason or "" for r in rows if r.state == "invalid")),
        unbilled=dict(Counter(r.reason or "" for r in rows if r.state == "unbilled")),
        clicks=sum(1 for r in valid if r.clicked_at),
        live_entries=sum(1 for r in valid if r.entered_at),
        profile_visits=sum(1 for r in valid if r.visited_at),
        follows_click_7d=attributed.click_7d,
        follows_view_1d=attributed.view_1d,
        budget_coins=sum(p.plan.budget_coins for p in promotions),
        billed_millicoins=billed,
        spent_coins=sum(charged_coins(p.billed_millicoins) for p in promotions),
        released_coins=sum(p.released_coins for p in promotions),
        reserved_coins=sum(p.reserved_coins for p in promotions),
        pacing=tuple(_pacing(promotions, rows, now)),
        statement=(),
    )


def _with_statement(context: PromoteContext, report: Report) -> Report:
    promotions = context.read(lambda tx: [find(tx, pid) for pid in report.promotion_ids])
    entries = tuple(e for p in promotions for e in _statement(context, p))
    return replace(report, statement=entries)


def promotion_report(context: PromoteContext, promotion_id: str) -> Report:
    now = context.now()
    report = context.read(lambda tx: _report(context, tx, [find(tx, promotion_id)], now))
    return _with_statement(context, report)


def campaign_report(context: PromoteContext, campaign_id: str) -> Report:
    now = context.now()

    def build(tx: Tx) -> Report:
        campaign = find_campaign(tx, campaign_id)
        promotions = [find(tx, pid) for pid in campaign.promotion_ids]
        return _report(context, tx, promotions, now)

    return _with_statement(context, context.read(build))
