"""Reports of promotions and campaigns, planning analytics and highlights."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel

from giftflow.http.schemas.common import at
from giftflow.http.schemas.promote.promotions import AudienceBody
from giftflow.promote.highlights import Highlight
from giftflow.promote.planning import BestWindow, ChapterRetention, RegionSummary
from giftflow.service.promote import Planning, Report


class PacingPointPublic(BaseModel):
    at: datetime
    target_millicoins: int
    actual_millicoins: int


class StatementEntryPublic(BaseModel):
    transfer_id: int
    kind: str
    coins: int
    at: datetime


class ReportPublic(BaseModel):
    promotion_ids: list[str]
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
    follows_attributed: int
    budget_coins: int
    billed_millicoins: int
    spent_coins: int
    released_coins: int
    reserved_coins: int
    coins_per_follow: float | None
    pacing: list[PacingPointPublic]
    statement: list[StatementEntryPublic]

    @classmethod
    def of(cls, report: Report) -> Self:
        return cls(
            promotion_ids=list(report.promotion_ids),
            served=report.served,
            viewable=report.viewable,
            billed=report.billed,
            invalid=report.invalid,
            unbilled=report.unbilled,
            clicks=report.clicks,
            live_entries=report.live_entries,
            profile_visits=report.profile_visits,
            follows_click_7d=report.follows_click_7d,
            follows_view_1d=report.follows_view_1d,
            follows_attributed=report.follows_attributed,
            budget_coins=report.budget_coins,
            billed_millicoins=report.billed_millicoins,
            spent_coins=report.spent_coins,
            released_coins=report.released_coins,
            reserved_coins=report.reserved_coins,
            coins_per_follow=report.coins_per_follow,
            pacing=[
                PacingPointPublic(
                    at=at(p.at),
                    target_millicoins=p.target_millicoins,
                    actual_millicoins=p.actual_millicoins,
                )
                for p in report.pacing
            ],
            statement=[
                StatementEntryPublic(
                    transfer_id=e.transfer_id, kind=e.kind, coins=e.coins, at=at(e.at)
                )
                for e in report.statement
            ],
        )


class RetentionPublic(BaseModel):
    chapter_id: int
    title: str
    viewers_at_start: int
    stayed_through: int
    retention_bps: int

    @classmethod
    def of(cls, r: ChapterRetention) -> Self:
        return cls(
            chapter_id=r.chapter_id,
            title=r.title,
            viewers_at_start=r.viewers_at_start,
            stayed_through=r.stayed_through,
            retention_bps=r.retention_bps,
        )


class WindowPublic(BaseModel):
    weekday: int
    """0 Monday .. 6 Sunday, UTC."""
    hour: int
    coins: int
    follows: int
    viewers: int

    @classmethod
    def of(cls, w: BestWindow) -> Self:
        return cls(
            weekday=w.weekday, hour=w.hour, coins=w.coins, follows=w.follows, viewers=w.viewers
        )


class RegionPublic(BaseModel):
    region: str
    viewers: int
    coins: int
    watched_s_mean: int

    @classmethod
    def of(cls, r: RegionSummary) -> Self:
        return cls(
            region=r.region, viewers=r.viewers, coins=r.coins, watched_s_mean=r.watched_s_mean
        )


class PlanningPublic(BaseModel):
    creator_id: int
    sessions: int
    retention: list[RetentionPublic]
    best_windows: list[WindowPublic]
    regions: list[RegionPublic]
    suggested_audience: AudienceBody
    """The regions where the creator's LIVEs earn most: a starting point, not a rule."""

    @classmethod
    def of(cls, planning: Planning) -> Self:
        return cls(
            creator_id=planning.creator_id,
            sessions=planning.sessions,
            retention=[RetentionPublic.of(r) for r in planning.retention],
            best_windows=[WindowPublic.of(w) for w in planning.best_windows],
            regions=[RegionPublic.of(r) for r in planning.regions],
            suggested_audience=AudienceBody(regions=list(planning.suggested_regions)),
        )


class HighlightPublic(BaseModel):
    starts_at: datetime
    ends_at: datetime
    coins: int
    follows: int
    score_bps: int

    @classmethod
    def of(cls, h: Highlight) -> Self:
        return cls(
            starts_at=at(h.starts_at),
            ends_at=at(h.ends_at),
            coins=h.coins,
            follows=h.follows,
            score_bps=h.score_bps,
        )


class HighlightList(BaseModel):
    session_id: int
    highlights: list[HighlightPublic]
