"""The API's operations, listed once for both clients.

Each attribute of ``Operations`` is an ``Operation``: a descriptor around a builder of
``giftflow.client.calls``. Read from a ``Client`` it is a method with the builder's own
signature that sends the call and returns its result; read from an ``AsyncClient`` the
same method returns a coroutine. So a signature, a docstring and a request are written
once, and mypy types both clients from them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Protocol, TypeVar, overload

from giftflow.client.call import Call
from giftflow.client.calls import (
    accounts,
    admin,
    analytics,
    bio,
    live,
    milestones,
    money,
    products,
    promote,
    schedules,
    subathon,
    test_mode,
    webhook_endpoints,
)

if TYPE_CHECKING:
    from giftflow.client.asynchronous import AsyncClient
    from giftflow.client.synchronous import Client

P = ParamSpec("P")
T = TypeVar("T")


class _Sender(Protocol):
    def _operation(self, build: Callable[..., Call[Any]]) -> Callable[..., Any]: ...


class Operation(Generic[P, T]):
    """One operation: ``build`` makes its ``Call``; the client the operation is read
    from sends it."""

    def __init__(self, build: Callable[P, Call[T]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Operation[P, T]: ...

    @overload
    def __get__(self, instance: Client, owner: type[Any]) -> Callable[P, T]: ...

    @overload
    def __get__(
        self, instance: AsyncClient, owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...

    def __get__(self, instance: _Sender | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        return functools.update_wrapper(instance._operation(self.build), self.build)


class Operations:
    """Every operation of the API (docs/api.md), grouped as there."""

    # --- Operations, users, tokens, the catalog, wallets and earnings --------

    health = Operation(accounts.health)
    ready = Operation(accounts.ready)
    metrics = Operation(accounts.metrics)
    register_user = Operation(accounts.register_user)
    get_user = Operation(accounts.get_user)
    update_user = Operation(accounts.update_user)
    issue_token = Operation(accounts.issue_token)
    revoke_token = Operation(accounts.revoke_token)
    revoke_user_tokens = Operation(accounts.revoke_user_tokens)
    create_sign_in_link = Operation(accounts.create_sign_in_link)
    list_regions = Operation(accounts.list_regions)
    list_gifts = Operation(accounts.list_gifts)
    list_packs = Operation(accounts.list_packs)
    get_wallet = Operation(accounts.get_wallet)
    get_earnings = Operation(accounts.get_earnings)
    get_statement = Operation(accounts.get_statement)

    # --- Coins in, gifts and payouts -----------------------------------------

    start_purchase = Operation(money.start_purchase)
    get_payment = Operation(money.get_payment)
    deliver_webhook = Operation(money.deliver_webhook)
    send_gift = Operation(money.send_gift)
    send_gifts = Operation(money.send_gifts)
    end_streak = Operation(money.end_streak)
    request_payout = Operation(money.request_payout)
    list_payouts = Operation(money.list_payouts)
    get_payout = Operation(money.get_payout)
    hold_payout = Operation(money.hold_payout)
    approve_payout = Operation(money.approve_payout)
    reject_payout = Operation(money.reject_payout)

    # --- Rooms and LIVE ------------------------------------------------------

    issue_room_token = Operation(live.issue_room_token)
    revoke_room_tokens = Operation(live.revoke_room_tokens)
    overlay_state = Operation(live.overlay_state)
    start_session = Operation(live.start_session)
    end_session = Operation(live.end_session)
    get_session = Operation(live.get_session)
    join = Operation(live.join)
    leave = Operation(live.leave)
    interact = Operation(live.interact)
    plan_chapters = Operation(live.plan_chapters)
    advance_chapter = Operation(live.advance_chapter)
    create_goal = Operation(live.create_goal)
    list_goals = Operation(live.list_goals)
    session_leaderboard = Operation(live.session_leaderboard)
    room_leaderboard = Operation(live.room_leaderboard)
    get_perks = Operation(live.get_perks)
    put_perks = Operation(live.put_perks)
    invite = Operation(live.invite)
    get_invitation = Operation(live.get_invitation)
    accept_invitation = Operation(live.accept_invitation)
    decline_invitation = Operation(live.decline_invitation)
    withdraw_invitation = Operation(live.withdraw_invitation)
    room_invitations = Operation(live.room_invitations)
    start_battle = Operation(live.start_battle)
    trigger_booster = Operation(live.trigger_booster)
    end_battle = Operation(live.end_battle)
    get_battle = Operation(live.get_battle)

    # --- Scheduled LIVEs -----------------------------------------------------

    schedule_live = Operation(schedules.schedule_live)
    list_schedules = Operation(schedules.list_schedules)
    get_schedule = Operation(schedules.get_schedule)
    update_schedule = Operation(schedules.update_schedule)
    cancel_schedule = Operation(schedules.cancel_schedule)
    register = Operation(schedules.register)
    unregister = Operation(schedules.unregister)
    list_registrations = Operation(schedules.list_registrations)
    schedule_report = Operation(schedules.schedule_report)
    schedule_calendar = Operation(schedules.schedule_calendar)
    countdown = Operation(schedules.countdown)

    # --- Milestone posts -----------------------------------------------------

    create_milestone_channel = Operation(milestones.create_milestone_channel)
    list_milestone_channels = Operation(milestones.list_milestone_channels)
    get_milestone_channel = Operation(milestones.get_milestone_channel)
    update_milestone_channel = Operation(milestones.update_milestone_channel)
    delete_milestone_channel = Operation(milestones.delete_milestone_channel)
    send_test_post = Operation(milestones.send_test_post)
    list_milestone_posts = Operation(milestones.list_milestone_posts)
    # --- Subathons and gift rules ----------------------------------------------

    start_subathon = Operation(subathon.start_subathon)
    list_subathons = Operation(subathon.list_subathons)
    get_subathon = Operation(subathon.get_subathon)
    update_subathon = Operation(subathon.update_subathon)
    pause_subathon = Operation(subathon.pause_subathon)
    resume_subathon = Operation(subathon.resume_subathon)
    end_subathon = Operation(subathon.end_subathon)
    subathon_state = Operation(subathon.subathon_state)
    create_gift_rule = Operation(subathon.create_gift_rule)
    list_gift_rules = Operation(subathon.list_gift_rules)
    get_gift_rule = Operation(subathon.get_gift_rule)
    delete_gift_rule = Operation(subathon.delete_gift_rule)
    list_gift_rule_firings = Operation(subathon.list_gift_rule_firings)
    # --- Link-in-bio pages ---------------------------------------------------

    save_bio = Operation(bio.save_bio)
    get_bio = Operation(bio.get_bio)
    replace_bio_links = Operation(bio.replace_bio_links)
    list_bio_links = Operation(bio.list_bio_links)
    bio_analytics = Operation(bio.bio_analytics)
    list_leads = Operation(bio.list_leads)
    export_leads = Operation(bio.export_leads)
    delete_lead = Operation(bio.delete_lead)
    # --- Perks that deliver, products, priority Q&A ----------------------------

    upload_file = Operation(products.upload_file)
    list_files = Operation(products.list_files)
    add_file_perk = Operation(products.add_file_perk)
    add_schedule_early_access = Operation(products.add_schedule_early_access)
    list_delivering_perks = Operation(products.list_delivering_perks)
    remove_perk = Operation(products.remove_perk)
    perk_link = Operation(products.perk_link)
    download = Operation(products.download)
    create_product = Operation(products.create_product)
    list_products = Operation(products.list_products)
    get_product = Operation(products.get_product)
    update_product = Operation(products.update_product)
    buy_product = Operation(products.buy_product)
    list_product_purchases = Operation(products.list_product_purchases)
    buyer_product_purchases = Operation(products.buyer_product_purchases)
    get_product_purchase = Operation(products.get_product_purchase)
    refund_product_purchase = Operation(products.refund_product_purchase)
    purchase_link = Operation(products.purchase_link)
    ask_question = Operation(products.ask_question)
    question_queue = Operation(products.question_queue)
    answer_question = Operation(products.answer_question)
    skip_question = Operation(products.skip_question)

    # --- Analytics -----------------------------------------------------------

    session_series = Operation(analytics.session_series)
    session_report = Operation(analytics.session_report)
    session_report_html = Operation(analytics.session_report_html)
    create_report_link = Operation(analytics.create_report_link)
    revoke_report_link = Operation(analytics.revoke_report_link)
    creator_sessions = Operation(analytics.creator_sessions)
    creator_cohorts = Operation(analytics.creator_cohorts)
    creator_coin_flows = Operation(analytics.creator_coin_flows)
    platform_coin_flows = Operation(analytics.platform_coin_flows)
    follow = Operation(analytics.follow)

    # --- Webhook endpoints ---------------------------------------------------

    create_webhook_endpoint = Operation(webhook_endpoints.create_webhook_endpoint)
    list_webhook_endpoints = Operation(webhook_endpoints.list_webhook_endpoints)
    get_webhook_endpoint = Operation(webhook_endpoints.get_webhook_endpoint)
    update_webhook_endpoint = Operation(webhook_endpoints.update_webhook_endpoint)
    delete_webhook_endpoint = Operation(webhook_endpoints.delete_webhook_endpoint)
    rotate_webhook_secret = Operation(webhook_endpoints.rotate_webhook_secret)
    list_webhook_deliveries = Operation(webhook_endpoints.list_webhook_deliveries)
    get_webhook_delivery = Operation(webhook_endpoints.get_webhook_delivery)
    redeliver_webhook = Operation(webhook_endpoints.redeliver_webhook)

    # --- Administration ------------------------------------------------------

    export_payout_batch = Operation(admin.export_payout_batch)
    download_payout_batch = Operation(admin.download_payout_batch)
    import_payout_results = Operation(admin.import_payout_results)
    list_fraud_decisions = Operation(admin.list_fraud_decisions)
    review_fraud_decision = Operation(admin.review_fraud_decision)
    freeze_wallet = Operation(admin.freeze_wallet)
    unfreeze_wallet = Operation(admin.unfreeze_wallet)
    reconcile = Operation(admin.reconcile)

    # --- Promote -------------------------------------------------------------

    create_promotion = Operation(promote.create_promotion)
    list_promotions = Operation(promote.list_promotions)
    get_promotion = Operation(promote.get_promotion)
    submit_promotion = Operation(promote.submit_promotion)
    cancel_promotion = Operation(promote.cancel_promotion)
    pause_promotion = Operation(promote.pause_promotion)
    resume_promotion = Operation(promote.resume_promotion)
    approve_promotion = Operation(promote.approve_promotion)
    reject_promotion = Operation(promote.reject_promotion)
    promotion_report = Operation(promote.promotion_report)
    create_campaign = Operation(promote.create_campaign)
    list_campaigns = Operation(promote.list_campaigns)
    get_campaign = Operation(promote.get_campaign)
    campaign_report = Operation(promote.campaign_report)
    fill = Operation(promote.fill)
    promote_events = Operation(promote.promote_events)
    promote_planning = Operation(promote.promote_planning)
    session_highlights = Operation(promote.session_highlights)

    # --- Test mode and payee destinations ------------------------------------

    test_clock = Operation(test_mode.test_clock)
    advance_test_clock = Operation(test_mode.advance_test_clock)
    sandbox_pay = Operation(test_mode.sandbox_pay)
    sandbox_refund = Operation(test_mode.sandbox_refund)
    sandbox_dispute = Operation(test_mode.sandbox_dispute)
    set_payee_destination = Operation(test_mode.set_payee_destination)
    get_payee_destination = Operation(test_mode.get_payee_destination)
