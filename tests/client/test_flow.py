"""The integration flow of docs/client.md through ``giftflow.client`` alone, against a
real server: users, coins through the signed sandbox webhook, a LIVE with goals, gifts
(a streak, a batch), the report, a payout to the end, webhooks out verified, the books
reconciled."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date

from giftflow.client import Client, GiftEvent, models, sandbox_event
from tests.api.conftest import DAY_S, DOUGHNUT, LION, ROSE, SANDBOX_SECRET, World
from tests.api.receiver import receiving
from tests.api.test_webhooks_out import deliver
from tests.client.conftest import async_client, now_s

ADULT = date(1990, 5, 17)
UNITS_PER_DIAMOND = 10_000


def test_the_python_client_runs_the_whole_integration_flow(world: World, admin: Client) -> None:
    with receiving() as receiver:
        hook = admin.create_webhook_endpoint(
            url=receiver.url, event_types=["gift.sent", "goal.completed", "payout.paid"]
        )
        viewer, creator = _users(admin)
        fan = admin.with_credential(admin.issue_token(viewer.id).token)
        star = admin.with_credential(admin.issue_token(creator.id, role="creator").token)
        gateway = admin.with_credential(world.key("gifts:write"))  # `giftflow keys create`
        _buy_coins(world, fan, viewer.id, 30_100)
        session = _live_with_goals_and_gifts(fan, star, gateway, viewer.id, creator.id)
        _report(star, session.id, creator.id)
        world.clock.advance(seconds=7 * DAY_S + 1)  # past the holding period
        star = admin.with_credential(admin.issue_token(creator.id, role="creator").token)
        payout = _pay_out(admin, star, creator.id)

        deliver(world.economy)
        events = receiver.events(hook.secret)
        assert {event["type"] for event in events} == {"gift.sent", "goal.completed", "payout.paid"}
        assert [e["data"]["id"] for e in events if e["type"] == "payout.paid"] == [payout.id]
    books = admin.reconcile()
    assert books.ok and all(unit.balanced for unit in books.units)


def _users(admin: Client) -> tuple[models.UserPublic, models.UserPublic]:
    viewer = admin.register_user(
        external_id="fan-1", display_name="Fan", birth_date=ADULT, region="US"
    )
    again = admin.register_user(
        external_id="fan-1", display_name="Fan", birth_date=ADULT, region="US"
    )
    assert again == viewer  # registering is idempotent by external_id
    creator = admin.register_user(
        external_id="star-1",
        display_name="Star",
        birth_date=ADULT,
        region="US",
        is_creator=True,
        identity_verified=True,
    )
    assert admin.get_user(creator.id).is_creator
    return viewer, creator


def _buy_coins(world: World, fan: Client, viewer_id: int, coins: int) -> None:
    us = next(region for region in fan.list_regions().regions if region.code == "US")
    assert us.currency == "USD" and us.payout.currency == "USD"
    packs = fan.list_packs(region="US", channel="web")
    assert packs.packs and all(pack.currency == "USD" for pack in packs.packs)
    payment = fan.start_purchase(user_id=viewer_id, channel="web", provider="sandbox", coins=coins)
    assert (payment.status, payment.coins) == ("created", coins)
    payload, headers = sandbox_event(SANDBOX_SECRET, payment, at_s=now_s(world))
    minted = fan.deliver_webhook("sandbox", payload, headers)
    assert (minted.event, minted.coins_minted) == ("paid", coins)
    assert fan.deliver_webhook("sandbox", payload, headers).coins_minted == 0  # redelivered
    assert fan.get_payment(payment.id).status == "paid"
    assert fan.get_wallet(viewer_id) == models.WalletPublic(
        user_id=viewer_id, coins=coins, frozen=False
    )


def _live_with_goals_and_gifts(
    fan: Client, star: Client, gateway: Client, viewer_id: int, creator_id: int
) -> models.SessionPublic:
    session = star.start_session(creator_id, title="Friday night")
    coins_goal = star.create_goal(session.id, target_coins=30_000, promise="a song")
    roses_goal = star.create_goal(session.id, gift_id=ROSE, count=3)
    assert fan.join(session.id, viewer_id).concurrent_viewers == 1

    lion = fan.send_gift(
        GiftEvent(
            sender_id=viewer_id,
            creator_id=creator_id,
            gift_id=LION,
            event_id="lion-1",
            session_id=session.id,
        )
    )
    assert (lion.coins, lion.quantity) == (29_999, 1)
    for count in (1, 2, 3):
        rose = GiftEvent(
            sender_id=viewer_id,
            creator_id=creator_id,
            gift_id=ROSE,
            streak_id="roses",
            repeat_count=count,
            session_id=session.id,
        )
        assert fan.send_gift(rose).quantity == 1  # each event adds its delta
    assert fan.end_streak("roses", sender_id=viewer_id).repeat_count == 3

    batch = gateway.send_gifts(  # a gateway's batch: a platform key
        [
            GiftEvent(
                sender_id=viewer_id,
                creator_id=creator_id,
                gift_id=DOUGHNUT,
                event_id=f"doughnut-{n}",
                session_id=session.id,
            )
            for n in range(3)
        ]
    )
    assert [type(result) for result in batch.results] == [models.GiftBatchOk] * 3
    goals = {goal.id: goal for goal in star.list_goals(session.id).goals}
    assert goals[coins_goal.id].state == goals[roses_goal.id].state == "completed"
    top = star.session_leaderboard(session.id).top
    assert [(s.user_id, s.coins) for s in top] == [(viewer_id, 29_999 + 3 + 90)]
    assert fan.get_wallet(viewer_id).coins == 30_100 - 29_999 - 3 - 90
    ended = star.end_session(session.id)
    assert ended.state == "ended"
    return ended


def _report(star: Client, session_id: int, creator_id: int) -> None:
    report = star.session_report(session_id)
    assert report["session"]["id"] == session_id
    assert "<svg" in star.session_report_html(session_id)
    link = star.create_report_link(session_id, expires_in_s=600)
    assert link.session_id == session_id and "/reports/" in link.url
    assert star.revoke_report_link(session_id, link.link_id).revoked
    assert [s.id for s in star.creator_sessions(creator_id).sessions] == [session_id]


def _pay_out(admin: Client, star: Client, creator_id: int) -> models.PayoutPublic:
    earnings = star.get_earnings(creator_id)
    assert earnings.pending_units == 0 and earnings.available_diamonds == 15_046
    assert {line.kind for line in star.get_statement(creator_id).lines} == {"gift", "matured"}
    payee = star.set_payee_destination(
        creator_id, kind="iban", destination="GB82 WEST 1234 5698 7654 32", holder_name="Star"
    )
    assert payee.destination_masked.endswith("5432")
    payout = star.request_payout(creator_id=creator_id, diamonds=12_000)
    assert (payout.state, payout.gross_minor) == ("held", 6_000)
    assert admin.approve_payout(payout.id).state == "approved"
    batch = admin.export_payout_batch(partner="manual")
    assert batch.batch_id is not None and batch.count == 1
    rows = list(csv.DictReader(io.StringIO(admin.download_payout_batch(batch.batch_id))))
    assert [row["payout_id"] for row in rows] == [payout.id]
    results = f"payout_id,status,reference,reason\n{payout.id},paid,bank-7,\n".encode()
    summary = admin.import_payout_results(results, partner="manual")
    assert summary.paid == [payout.id]
    paid = star.get_payout(payout.id)
    assert (paid.state, paid.partner_reference) == ("paid", "bank-7")
    assert star.get_earnings(creator_id).withdrawn_units == 12_000 * UNITS_PER_DIAMOND
    return paid


def test_the_async_client_books_concurrent_gifts_once_each(world: World, admin: Client) -> None:
    viewer, creator = _users(admin)
    _buy_coins(world, admin, viewer.id, 100)

    async def gifts() -> list[models.GiftSentPublic]:
        async with async_client(world, world.admin_key) as client:
            assert (await client.health()).status == "ok"
            sends = [
                client.send_gift(
                    GiftEvent(
                        sender_id=viewer.id, creator_id=creator.id, gift_id=ROSE, event_id=f"r{n}"
                    )
                )
                for n in range(40)
            ]
            return await asyncio.gather(*sends)

    sent = asyncio.run(gifts())
    assert sorted(gift.id for gift in sent) == sorted({gift.id for gift in sent})
    assert admin.get_wallet(viewer.id).coins == 100 - 40
    assert admin.get_earnings(creator.id).pending_units == 40 * 5_000
