"""Fills and events on each backend: targeting, the frequency cap and the schedule are
honoured; invalid traffic is never billed and is reported with its reason; follows are
attributed from the real follows table only, in the stated windows."""

from __future__ import annotations

from giftflow.promote.promotions import AgeBand, Audience
from giftflow.service.promote import EventKind, ImpressionEvent, Result
from tests.promote.conftest import HOUR_S, Field, burst


def test_targeting_serves_only_matching_viewers_and_never_the_creator(
    promote_field: Field,
) -> None:
    field = promote_field
    creator = field.creator()
    audience = Audience(frozenset({"FR"}), frozenset({AgeBand.A18_24}), frozenset({"art"}))
    field.active(creator, field.plan(audience=audience))
    field.advance(HOUR_S)
    assert field.promote.fill(field.request(region="US", age_band="18-24")) == []
    assert field.promote.fill(field.request(region="FR", age_band="25-34")) == []
    assert (
        field.promote.fill(field.request(region="FR", age_band="18-24", interests=frozenset()))
        == []
    )
    assert field.promote.fill(field.request(creator.id, region="FR", age_band="18-24")) == []
    assert field.promote.fill(field.request(region="FR", age_band="18-24")) != []


def test_the_frequency_cap_holds_per_viewer(promote_field: Field) -> None:
    field = promote_field
    field.active(field.creator(), field.plan(frequency_cap=2, budget_coins=5_000))
    field.advance(4 * HOUR_S)  # far behind its curve: it serves every request it may
    shown = sum(len(field.promote.fill(field.request(42))) for _ in range(6))
    assert shown == 2
    field.advance(24 * HOUR_S)  # past the window, but also past the promotion's end
    assert field.promote.fill(field.request(42)) == []


def test_the_schedule_serves_only_within_bursts(promote_field: Field) -> None:
    field = promote_field
    start = field.now
    bursts = (burst(start, 1, 2, 5_000), burst(start, 5, 6, 5_000))
    field.active(field.creator(), field.plan(bursts=bursts))
    field.advance(0.5 * HOUR_S)
    assert field.promote.fill(field.request()) == []
    field.advance(HOUR_S)  # 1.5 h: inside the first burst
    assert field.promote.fill(field.request()) != []
    field.advance(2 * HOUR_S)  # 3.5 h: between bursts
    assert field.promote.fill(field.request()) == []


def test_invalid_traffic_is_never_billed_and_is_reported(promote_field: Field) -> None:
    field = promote_field
    creator = field.creator()
    promotion = field.active(creator, field.plan(budget_coins=5_000))
    field.advance(4 * HOUR_S)
    outcomes = []
    for extra, visible_ms in (({"bot": True}, 2_500), ({"own_account": True}, 2_500), ({}, 1_500)):
        (served, *_) = field.promote.fill(field.request(slots=1))
        outcomes.append(field.view(served, visible_ms, **extra))
    assert [o.result for o in outcomes] == [Result.INVALID] * 3
    assert [o.reason for o in outcomes] == ["bot", "own_view", "not_viewable"]
    (served, *_) = field.promote.fill(field.request(slots=1))
    event = ImpressionEvent(served.impression_id, EventKind.VIEWABLE, 2_500)
    too_soon = field.promote.record_events([event])[0]  # no time has passed since serving
    assert (too_soon.result, too_soon.reason) == (Result.INVALID, "impossible_rate")
    (served, *_) = field.promote.fill(field.request(slots=1))
    assert field.view(served).result == Result.BILLED
    assert field.view(served).result == Result.DUPLICATE
    assert (
        field.promote.record_events([ImpressionEvent("im_nope", EventKind.CLICK)])[0].result
        == Result.UNKNOWN
    )
    report = field.promote.report(promotion.id)
    assert report.invalid == {"bot": 1, "own_view": 1, "not_viewable": 1, "impossible_rate": 1}
    assert report.billed == 1 and report.billed_millicoins == 10_000
    assert field.stage.market.economy.reconcile().ok


def test_follows_are_attributed_from_real_follows_in_their_windows(promote_field: Field) -> None:
    field = promote_field
    creator = field.creator()
    promotion = field.active(creator, field.plan(budget_coins=5_000, hours=24 * 9))
    field.advance(24 * HOUR_S)
    viewers = [field.stage.viewer(coins=0) for _ in range(4)]
    served = []
    for viewer in viewers:
        (item, *_) = field.promote.fill(field.request(viewer.id, slots=1))
        assert field.view(item).result == Result.BILLED
        served.append(item)
    live = field.stage.live
    live.follow(creator.id, viewers[0].id)  # within a day of the view: view_1d
    click = ImpressionEvent(served[1].impression_id, EventKind.CLICK)
    field.promote.record_events([click])
    field.advance(3 * 24 * HOUR_S)
    live.follow(creator.id, viewers[1].id)  # three days after a click: click_7d
    live.follow(creator.id, viewers[2].id)  # three days after a view only: not attributed
    report = field.promote.report(promotion.id)
    assert (report.follows_click_7d, report.follows_view_1d) == (1, 1)
    assert report.clicks == 1 and report.coins_per_follow == report.spent_coins / 2
