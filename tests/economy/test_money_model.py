"""The money rules as documented, against the economy: random sequences of purchases on
both channels in several regions, signed sandbox webhooks (paid, redelivered, partial
refunds in any order, full refunds, disputes; one at a time and in batches), one-off
gifts and streaks (one at a time and in batches), clock steps across the velocity
window, the streak timeout and the holding period, reads of every kind anywhere,
payouts requested, rejected, paid and failed, and decisions reviewed.

The model (``money_model``) is written from the docs alone. After every step the books
must be the model's: every wallet and its freeze, each creator's diamonds, every
platform account the chart of accounts defines, every payment and payout, the open
fraud decisions, and a passing reconcile. A batch must answer and book what the same
items do one at a time; a read must change nothing; a redelivered webhook must change
nothing.

Runs a modest number of scenarios in the normal suite; ``-m slow`` runs the full count.
"""

from __future__ import annotations

import csv
import itertools
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import giftflow
from giftflow.economy.catalog import Channel
from giftflow.economy.chart import AccountKind, platform_account, user_account
from giftflow.economy.payees import PayeeKind
from giftflow.errors import GiftflowError
from giftflow.ids import GiftId, UserId
from giftflow.ledger.accounts import Account
from giftflow.ledger.clock import ManualClock
from giftflow.ledger.limits import AccountId
from giftflow.payments.sandbox import SandboxProvider
from giftflow.service.economy import (
    Economy,
    GiftRequest,
    GiftSent,
    Payment,
    PaymentOutcome,
    Payout,
    Registration,
    WebhookDelivery,
)
from giftflow.settings import Settings
from tests.economy.conftest import IBAN, SECRET, START_NS, checkout_of
from tests.economy.money_model import (
    DAY_NS,
    IN_FLIGHT,
    Answer,
    Choose,
    Model,
    Person,
    Result,
    branches,
    load_rules,
)
from tests.tables import RESET_LEDGER_CLOCK, RESET_TEST_CLOCK, empty_tables

CATALOG_FILE = Path(giftflow.__file__).parent / "economy/catalog/data/economy-2024-05.toml"
VELOCITY_LIMIT = 5
VELOCITY_WINDOW_S = 10
STREAK_TIMEOUT_S = 10
INSTRUMENT_WALLET_LIMIT = 2
SHARES_BPS = (5_000, 3_000, 10_000)
EXAMPLES = 10
"""Scenarios per backend in the normal suite (about 10 s on SQLite, 25 s on PostgreSQL)."""
EXAMPLES_SLOW = 500
"""Per backend under ``-m slow``: 1,000 scenarios in all."""
STEPS = 40

ADULT = date(1990, 5, 17)
MINOR = date(2008, 1, 1)
PEOPLE = (
    # external id, region, creator, born, verified
    ("viewer-us", "US", False, ADULT, False),
    ("viewer-br", "BR", False, ADULT, False),
    ("viewer-id", "ID", False, ADULT, False),
    ("viewer-jp", "JP", False, ADULT, False),
    ("viewer-gb", "GB", False, ADULT, False),
    ("minor-us", "US", False, MINOR, False),
    ("creator-us", "US", True, ADULT, True),
    ("creator-jp", "JP", True, ADULT, True),
    ("creator-br", "BR", True, ADULT, False),
)
STARTING_BUYERS = (0, 1)
"""Viewers who buy 250,000 coins and send two Lions to a creator before the first step
(so that payouts and clawbacks of big gifts happen)."""
CREATORS = tuple(index for index, person in enumerate(PEOPLE) if person[2])
RECEIVERS = st.sampled_from(CREATORS * 8 + tuple(range(len(PEOPLE))))
"""Mostly creators; now and then a viewer (refused ``not_a_creator``)."""

# Clock steps: every sum of them stays clear of 10 s (velocity window, streak timeout)
# and of 7 days (the holding period) by far more than the ledger's few nanoseconds.
CLOCK_STEPS_NS = (
    1_300_123_000,
    3_700_457_000,
    17_000_789_000,
    DAY_NS + 1_234_567_000,
    3 * DAY_NS + 5_111_111_000,
    8 * DAY_NS + 333_333_000,
)
PACKS = (70, 700, 17_500)
CUSTOM_COINS = (29, 30, 1_001, 40_000, 100_000, 250_000)
STREAKABLE = (5655, 5487, 5879, 8130)
"""Rose 1, Finger Heart 5, Doughnut 30, Like-Pop 99 coins."""
ONE_OFF = (5655, 5879, 5660, 7122, 6369)
"""Rose 1, Doughnut 30, Hand Hearts 100, 500 and Lion 29,999 coins."""
LION = 6369
INSTRUMENTS = (None, "card-1", "card-2")
PICK = st.integers(0, 2**16)
"""An index into whatever exists when the rule runs (taken modulo its length)."""


# --- the economy as the test sees it: normalised answers ---------------------------------


def error(exception: GiftflowError) -> Result:
    return ("error", exception.code)


def gift_answer(sent: GiftSent | GiftflowError) -> Result:
    if isinstance(sent, GiftflowError):
        return error(sent)
    count = sent.repeat_count if sent.streak_id is not None else None
    return ("gift", sent.coins, sent.diamond_units, sent.quantity, count, sent.replayed)


def webhook_answer(outcome: PaymentOutcome | GiftflowError | None) -> Result:
    if outcome is None:
        return ("ignored",)
    if isinstance(outcome, GiftflowError):
        return error(outcome)
    return (
        "webhook",
        outcome.event,
        outcome.coins_minted,
        outcome.coins_from_wallet,
        outcome.reversed_units,
        outcome.loss_coins,
    )


def payout_answer(payout: Payout | GiftflowError) -> Result:
    if isinstance(payout, GiftflowError):
        return error(payout)
    return (
        "payout",
        payout.diamonds,
        payout.gross_minor,
        payout.fee_minor,
        payout.net_minor,
        payout.currency,
        payout.state,
    )


# --- what a step asks for, before it is resolved against the state ------------------------


@dataclass(frozen=True)
class GiftSpec:
    sender: int
    """Below ``len(PEOPLE)``: anyone; above: one of those holding coins, if any."""
    creator: int
    streak: bool
    gift: int
    quantity: int
    again: int
    """0: a new event or streak; otherwise pick an earlier one (a retry, a next count)."""
    count_move: int
    """For a streak: +1, +2..4, the same count, one lower."""
    odd: int
    """0..9: 0 a gift that does not fit (not streakable, another gift on the streak);
    above 1 a one-off gift the sender can afford, if there is one."""


gift_specs = st.builds(
    GiftSpec,
    sender=st.integers(0, 3 * len(PEOPLE) - 1),
    creator=RECEIVERS,
    streak=st.booleans(),
    gift=PICK,
    quantity=st.integers(1, 3),
    again=st.integers(0, 3),
    count_move=st.sampled_from((1, 1, 2, 4, 0, -1)),
    odd=st.integers(0, 9),
)


BatchStreaks = dict[tuple[int, str], tuple[int, int, int]]
"""(sender, streak id) -> the highest count, the gift and the creator a batch sent."""


@dataclass(frozen=True)
class WebhookSpec:
    kind: str
    """``paid``, ``refunded``, ``disputed`` or ``again`` (a redelivery)."""
    pick: int
    instrument: str | None
    refund_eighths: int
    """The cumulative refund: this many eighths of the price (0: one minor unit more)."""


webhook_specs = st.builds(
    WebhookSpec,
    kind=st.sampled_from(("paid", "paid", "refunded", "refunded", "disputed", "again")),
    pick=PICK,
    instrument=st.sampled_from(INSTRUMENTS),
    refund_eighths=st.integers(0, 8),
)


@dataclass
class Delivery:
    payment_id: str
    kind: str
    payload: bytes
    instrument: str | None
    refunded_minor: int


# --- the machine ----------------------------------------------------------------------------


Opener = Callable[[], tuple[str, Path]]
"""A fresh, empty database (its URL) and a payout folder, for one scenario."""


class MoneyMachine(RuleBasedStateMachine):
    open_database: Opener

    def __init__(self) -> None:
        super().__init__()
        self.economy: Economy | None = None
        self.users: list[int] = []
        self.deliveries: list[Delivery] = []
        self.first_answers: dict[bytes, Result] = {}
        self.events: dict[int, list[GiftRequest]] = {}
        self.streak_ids: dict[int, list[str]] = {}
        self.names = itertools.count()

    # --- setting up ----------------------------------------------------------------------

    @initialize(share_bps=st.sampled_from(SHARES_BPS))
    def open_economy(self, share_bps: int) -> None:
        url, payout_dir = self.open_database()
        self.clock = ManualClock(START_NS)
        tokens = itertools.count(1)
        self.sandbox = SandboxProvider(SECRET, self.clock, new_token=lambda: f"{next(tokens):06d}")
        self.payout_dir = payout_dir
        self.economy = Economy.open(
            Settings(
                database_url=url,
                payout_dir=payout_dir,
                environment="development",
                revenue_share_bps=share_bps,
                velocity_limit=VELOCITY_LIMIT,
                velocity_window_s=VELOCITY_WINDOW_S,
                streak_timeout_s=STREAK_TIMEOUT_S,
                instrument_wallet_limit=INSTRUMENT_WALLET_LIMIT,
            ),
            clock=self.clock,
            providers={"sandbox": self.sandbox},
            new_token=lambda: f"{next(tokens):06d}",
        )
        rules = load_rules(
            CATALOG_FILE,
            share_bps=share_bps,
            streak_timeout_s=STREAK_TIMEOUT_S,
            velocity_limit=VELOCITY_LIMIT,
            velocity_window_s=VELOCITY_WINDOW_S,
            instrument_wallet_limit=INSTRUMENT_WALLET_LIMIT,
        )
        self.model = Model(rules, START_NS)
        registered = self.economy.register_users(
            [
                Registration(name, name, born, region, creator, verified)
                for name, region, creator, born, verified in PEOPLE
            ]
        )
        for user, (_, region, creator, born, verified) in zip(registered, PEOPLE, strict=True):
            self.users.append(user.id)
            self.model.register(user.id, Person(region, creator, born, verified))
            if creator:  # a payout needs somewhere to go (docs/recipes/payouts.md)
                self.economy.set_payee(
                    user.id, kind=PayeeKind.IBAN, destination=IBAN, holder_name=user.display_name
                )
        for buyer, receiver in zip(STARTING_BUYERS, CREATORS, strict=False):
            self.purchase(buyer, Channel.WEB, None, 250_000, pay=True, instrument=None)
            self.follow_gift(*self.sent(buyer, receiver, LION, quantity=2))

    def sent(
        self, sender: int, creator: int, gift_id: int, *, quantity: int
    ) -> tuple[GiftRequest, GiftSent | GiftflowError]:
        request = GiftRequest(
            sender_id=UserId(self.users[sender]),
            creator_id=UserId(self.users[creator]),
            gift_id=GiftId(gift_id),
            quantity=quantity,
            event_id=f"event-{next(self.names)}",
        )
        return request, self.market.send_gift(request)

    def teardown(self) -> None:
        if self.economy is not None:
            report = self.economy.reconcile()  # as an operator runs it, kept as the last one
            self.economy.close()
            assert report.ok, (report.mismatches, report.problems)

    @property
    def market(self) -> Economy:
        assert self.economy is not None
        return self.economy

    def expect(
        self, what: str, actual: Result, operation: Callable[[Model, Choose], Answer]
    ) -> None:
        """The model follows the economy down the first branch the docs allow that gives
        the economy's answer; no such branch is a disagreement."""
        if currently_in_test_context():  # and not when a failing example is replayed by hand
            event(f"{what.split(maxsplit=1)[0]}: {describe(actual)}")
        allowed: set[Result] = set()
        for answer, model in branches(self.model, operation):
            if actual in answer:
                self.model = model
                return
            allowed |= answer
        raise AssertionError(f"{what}: the economy answered {actual}; the docs allow {allowed}")

    # --- coins in ------------------------------------------------------------------------

    @rule(
        buyer=st.integers(0, len(PEOPLE) - 1),
        channel=st.sampled_from(Channel),
        pack=st.one_of(st.sampled_from(PACKS), st.none()),
        custom=st.sampled_from(CUSTOM_COINS),
        pay=st.booleans(),
        instrument=st.sampled_from(INSTRUMENTS),
    )
    def purchase(
        self,
        buyer: int,
        channel: Channel,
        pack: int | None,
        custom: int,
        pay: bool,
        instrument: str | None,
    ) -> None:
        user_id = self.users[buyer]
        region = self.model.people[user_id].region
        expected = self.model.price(user_id, channel.value, pack_coins=pack, coins=custom)
        try:
            payment = self.market.start_purchase(
                user_id=UserId(user_id),
                channel=channel,
                provider="sandbox",
                pack_id=None if pack is None else f"{region}-{channel.value}-{pack}",
                coins=None if pack is not None else custom,
            )
        except GiftflowError as refusal:
            assert error(refusal) == expected, f"start_purchase: {refusal.code}, not {expected}"
            return
        actual: Result = ("payment", payment.coins, payment.amount_minor, payment.currency)
        assert actual == expected, f"start_purchase answered {actual}, the catalog says {expected}"
        assert payment.status == "created"
        self.model.open_purchase(payment.id, user_id, actual)
        if pay:
            self.deliver([WebhookSpec("paid", 0, instrument, 0)], payment_id=payment.id)

    @rule(
        buyer=st.integers(0, len(PEOPLE) - 1),
        channel=st.sampled_from(Channel),
        pack=st.sampled_from(PACKS),
        instrument=st.sampled_from(INSTRUMENTS),
    )
    def buy_coins(self, buyer: int, channel: Channel, pack: int, instrument: str | None) -> None:
        """A pack bought and paid at once: the common case, so that gifts have coins."""
        self.purchase(buyer, channel, pack, 30, pay=True, instrument=instrument)

    @precondition(lambda self: bool(self.model.purchases))
    @rule(spec=webhook_specs)
    def webhook(self, spec: WebhookSpec) -> None:
        self.deliver([spec])

    @precondition(lambda self: bool(self.model.purchases))
    @rule(specs=st.lists(webhook_specs, min_size=2, max_size=5))
    def webhook_batch(self, specs: list[WebhookSpec]) -> None:
        self.deliver(specs, batch=True)

    def deliver(
        self, specs: list[WebhookSpec], *, batch: bool = False, payment_id: str | None = None
    ) -> None:
        deliveries = [self.delivery(spec, payment_id) for spec in specs]
        if batch:
            batched = [WebhookDelivery(d.payload, self.sandbox.sign(d.payload)) for d in deliveries]
            results = self.market.handle_webhooks("sandbox", batched)
        else:
            results = [self.one_webhook(deliveries[0])]
        for delivery, result in zip(deliveries, results, strict=True):
            self.follow_webhook(delivery, webhook_answer(result))
            self.deliveries.append(delivery)

    def one_webhook(self, delivery: Delivery) -> PaymentOutcome | GiftflowError | None:
        try:
            headers = self.sandbox.sign(delivery.payload)
            return self.market.handle_webhook("sandbox", delivery.payload, headers)
        except GiftflowError as refusal:
            return refusal

    def delivery(self, spec: WebhookSpec, payment_id: str | None) -> Delivery:
        """A new signed event, or an earlier one delivered again (signed anew, as a
        provider's retry is)."""
        if spec.kind == "again" and self.deliveries:
            return self.deliveries[spec.pick % len(self.deliveries)]
        ids = sorted(self.model.purchases)
        payment_id = payment_id or ids[spec.pick % len(ids)]
        payment = self.market.payment(payment_id)
        checkout = checkout_of(payment)
        kind = "paid" if spec.kind == "again" else spec.kind
        if kind == "paid":
            payload, _ = self.sandbox.event_paid(
                checkout, payment.amount_minor, payment.currency, instrument=spec.instrument
            )
            return Delivery(payment_id, kind, payload, spec.instrument, 0)
        if kind == "disputed":
            payload, _ = self.sandbox.event_disputed(
                checkout, payment.amount_minor, payment.currency
            )
            return Delivery(payment_id, kind, payload, None, 0)
        refunded = self.refund_total(payment, spec.refund_eighths)
        payload, _ = self.sandbox.event_refunded(checkout, refunded, payment.currency)
        return Delivery(payment_id, kind, payload, None, refunded)

    def refund_total(self, payment: Payment, eighths: int) -> int:
        """A cumulative refund: a fraction of the price, or one minor unit past what the
        model refunded so far (small steps, as partial refunds come)."""
        price = payment.amount_minor
        if eighths == 0:
            return min(price, self.model.purchases[payment.id].refunded_minor + 1)
        return max(1, price * eighths // 8)

    def follow_webhook(self, delivery: Delivery, actual: Result) -> None:
        again = delivery.payload in self.first_answers
        first = self.first_answers.setdefault(delivery.payload, actual)

        def operation(model: Model, choose: Choose) -> Answer:
            if delivery.kind == "paid":
                answer = model.paid(delivery.payment_id, delivery.instrument)
            elif delivery.kind == "disputed":
                answer = model.disputed(delivery.payment_id)
            else:
                answer = model.refunded(delivery.payment_id, delivery.refunded_minor)
            # A redelivery may answer what the first delivery answered, if it books nothing.
            nothing = all(result[0] == "error" or sum_of(result) == 0 for result in answer)
            return answer | {first} if again and nothing and first[0] != "error" else answer

        what = f"webhook {delivery.kind} {delivery.payment_id}" + (" (again)" if again else "")
        self.expect(what, actual, operation)

    # --- gifts ---------------------------------------------------------------------------

    @rule(spec=gift_specs, wait_ns=st.sampled_from((0, 0, CLOCK_STEPS_NS[0], CLOCK_STEPS_NS[1])))
    def gift(self, spec: GiftSpec, wait_ns: int) -> None:
        """One event, sent a moment after the last step (or at once)."""
        self.time_passes(wait_ns)
        request = self.resolve(spec, {})
        try:
            sent: GiftSent | GiftflowError = self.market.send_gift(request)
        except GiftflowError as refusal:
            sent = refusal
        self.follow_gift(request, sent)

    @rule(specs=st.lists(gift_specs, min_size=2, max_size=4))
    def gift_batch(self, specs: list[GiftSpec]) -> None:
        batch: BatchStreaks = {}
        requests = [self.resolve(spec, batch) for spec in specs]
        for request, sent in zip(requests, self.market.send_gifts(requests), strict=True):
            self.follow_gift(request, sent)

    def resolve(self, spec: GiftSpec, batch: BatchStreaks) -> GiftRequest:
        funded = [user_id for user_id in self.users if self.model.wallets[user_id] > 0]
        if spec.sender < len(PEOPLE) or not funded:
            sender_id = self.users[spec.sender % len(PEOPLE)]
        else:
            sender_id = funded[spec.sender % len(funded)]
        creator_id = self.users[spec.creator]
        if spec.streak:
            return self.streak_request(spec, sender_id, creator_id, batch)
        earlier = self.events.get(sender_id, [])
        if spec.again and earlier:
            return earlier[spec.gift % len(earlier)]
        coins = self.model.wallets[sender_id]
        fits = [g for g in ONE_OFF if self.model.rules.gifts[g].coins * spec.quantity <= coins]
        choices = fits if spec.odd > 1 and fits else ONE_OFF
        request = GiftRequest(
            sender_id=UserId(sender_id),
            creator_id=UserId(creator_id),
            gift_id=GiftId(choices[spec.gift % len(choices)]),
            quantity=spec.quantity,
            event_id=f"event-{next(self.names)}",
        )
        self.events.setdefault(sender_id, []).append(request)
        return request

    def streak_request(
        self, spec: GiftSpec, sender_id: int, creator_id: int, batch: BatchStreaks
    ) -> GiftRequest:
        """A new streak, or the next (same, lower) count of one, usually with its gift
        and creator; ``batch`` holds the streaks earlier items of the batch moved."""
        streaks = self.streak_ids.setdefault(sender_id, [])
        gift_id = STREAKABLE[spec.gift % len(STREAKABLE)]
        if spec.again and streaks:
            streak_id = streaks[spec.gift % len(streaks)]
            known = self.model.streaks.get((sender_id, streak_id))
            last = (known.charged, known.gift_id, known.creator_id) if known else None
            last = batch.get((sender_id, streak_id), last)
            if last is not None and spec.odd:
                gift_id, creator_id = last[1], last[2]
            count = max(1, (last[0] if last else 0) + spec.count_move)
        else:
            streak_id = f"streak-{next(self.names)}"
            streaks.append(streak_id)
            count = spec.quantity
            if spec.odd == 0:
                gift_id = LION
        before = batch.get((sender_id, streak_id))
        if before is None or count > before[0]:
            batch[(sender_id, streak_id)] = (count, gift_id, creator_id)
        return GiftRequest(
            sender_id=UserId(sender_id),
            creator_id=UserId(creator_id),
            gift_id=GiftId(gift_id),
            streak_id=streak_id,
            repeat_count=count,
        )

    def follow_gift(self, request: GiftRequest, sent: GiftSent | GiftflowError) -> None:
        actual = gift_answer(sent)
        row_id = sent.id if isinstance(sent, GiftSent) else None
        code = sent.code if isinstance(sent, GiftflowError) else None
        sender, creator, gift_id = request.sender_id, request.creator_id, request.gift_id

        def operation(model: Model, choose: Choose) -> Answer:
            if request.streak_id is not None:
                assert request.repeat_count is not None
                return model.streak_event(
                    sender, creator, gift_id, request.streak_id,
                    count=request.repeat_count, row_id=row_id, code=code,
                )  # fmt: skip
            assert request.event_id is not None
            return model.one_off(
                sender, creator, gift_id, request.event_id,
                quantity=request.quantity, row_id=row_id, code=code,
            )  # fmt: skip

        name = request.streak_id or request.event_id
        self.expect(f"gift {name} {request.repeat_count or request.quantity}", actual, operation)

    @precondition(lambda self: bool(self.model.streaks))
    @rule(pick=PICK)
    def end_streak(self, pick: int) -> None:
        sender_id, streak_id = sorted(self.model.streaks)[pick % len(self.model.streaks)]
        self.market.end_streak(UserId(sender_id), streak_id)
        self.model.end_streak(sender_id, streak_id)

    # --- time and reads ------------------------------------------------------------------

    @rule(step_ns=st.sampled_from(CLOCK_STEPS_NS))
    def time_passes(self, step_ns: int) -> None:
        self.clock.advance(ns=step_ns)
        self.model.now_ns = self.clock.now_ns()

    @rule(creator=st.sampled_from(CREATORS))
    def read_earnings(self, creator: int) -> None:
        creator_id = self.users[creator]
        view = self.market.earnings(UserId(creator_id))
        pending, available = view.pending_units, view.available_units
        actual = (pending, available, view.in_payout_units, view.withdrawn_units)
        expected = self.model.earnings(creator_id)
        assert actual == expected, f"earnings {actual}, as time makes them {expected}"

    @rule(creator=st.sampled_from(CREATORS))
    def read_statement(self, creator: int) -> None:
        creator_id = self.users[creator]
        lines = self.market.statement(UserId(creator_id), limit=10_000)
        per_account: Counter[str] = Counter()
        for line in lines:
            per_account[line.account] += line.units
        pending, available, _, _ = self.model.earnings(creator_id)
        sums = (per_account["pending"], per_account["available"])
        assert sums == (pending, available), "the statement's sums (pending, available)"
        mine = [gift for gift in self.model.gifts if gift.creator_id == creator_id]
        gifts = [line for line in lines if line.kind == "gift"]
        assert len(gifts) == len(mine), "one statement line per gift"
        reversals = [line for line in lines if line.kind == "chargeback_reversal"]
        assert -sum(line.units for line in reversals) == self.model.reversed_units(creator_id)
        assert {line.reference for line in reversals} <= {gift.row_id for gift in mine}

    @rule(user=st.integers(0, len(PEOPLE) - 1), what=st.sampled_from(("wallet", "all")))
    def read_other(self, user: int, what: str) -> None:
        """Reads that the invariant does not make itself."""
        if what == "wallet":
            self.market.wallet(UserId(self.users[user]))
        else:
            self.market.mature_earnings()
            self.market.payouts()

    # --- diamonds out --------------------------------------------------------------------

    @rule(
        creator=RECEIVERS,
        share=st.sampled_from((0, 1, 2, 4, 8)),
    )
    def request_payout(self, creator: int, share: int) -> None:
        """``share`` of the available diamonds (0: just below, 1: exactly the minimum)."""
        creator_id = self.users[creator]
        available = self.model.earnings(creator_id)[1] // 10_000
        diamonds = {0: 9_999, 1: 10_000}.get(share, available * share // 4)
        try:
            payout: Payout | GiftflowError = self.market.request_payout(
                creator_id=UserId(creator_id), diamonds=diamonds
            )
        except GiftflowError as refusal:
            payout = refusal
        payout_id = payout.id if isinstance(payout, Payout) else None

        def operation(model: Model, choose: Choose) -> Answer:
            return model.request_payout(choose, creator_id, diamonds, payout_id)

        self.expect(f"payout of {diamonds} diamonds", payout_answer(payout), operation)

    def payouts_in(self, *states: str) -> list[str]:
        return sorted(key for key, p in self.model.payouts.items() if p.state in states)

    @precondition(lambda self: bool(self.payouts_in("requested", "held")))
    @rule(pick=PICK)
    def reject_payout(self, pick: int) -> None:
        payouts = self.payouts_in("requested", "held")
        payout_id = payouts[pick % len(payouts)]
        assert self.market.reject_payout(payout_id, "a test").state == "rejected"
        self.model.reject_payout(payout_id)

    @precondition(lambda self: bool(self.payouts_in("requested")))
    @rule(pick=PICK)
    def hold_payout(self, pick: int) -> None:
        payouts = self.payouts_in("requested")
        payout_id = payouts[pick % len(payouts)]
        if self.model.open_decisions(self.model.payouts[payout_id].creator_id):
            return
        assert self.market.hold_payout(payout_id).state == "held"
        self.model.hold_payout(payout_id)

    @precondition(lambda self: bool(self.payouts_in("held")))
    @rule(pick=PICK, paid=st.booleans())
    def settle_payout(self, pick: int, paid: bool) -> None:
        """Approved, exported to the manual partner, and its results line imported."""
        payouts = self.payouts_in("held")
        payout_id = payouts[pick % len(payouts)]
        assert self.market.approve_payout(payout_id).state == "approved"
        exported = self.market.export_payouts()
        assert exported is not None and exported[2] == 1
        results = self.payout_dir / f"results-{next(self.names)}.csv"
        with results.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(("payout_id", "status", "reference", "reason"))
            writer.writerow((payout_id, "paid" if paid else "failed", "ref", "" if paid else "no"))
        summary = self.market.import_payout_results(results)
        assert (summary.paid, summary.failed) == (([payout_id], []) if paid else ([], [payout_id]))
        self.model.settle_payout(payout_id, paid=paid)

    # --- review --------------------------------------------------------------------------

    @precondition(lambda self: any(d.open for d in self.model.decisions) or self.model.frozen)
    @rule(pick=PICK)
    def clear_user(self, pick: int) -> None:
        """A person overturns every open decision about one user and unfreezes them
        (unless a shared card froze them)."""
        concerned = sorted({d.user_id for d in self.model.decisions if d.open} | self.model.frozen)
        user_id = concerned[pick % len(concerned)]
        for decision in self.market.fraud_decisions(open_only=True, limit=10_000):
            if decision.user_id == user_id:
                self.market.review_fraud_decision(decision.id, upheld=False, reviewer="test")
        if user_id not in self.model.frozen_by_shared_card:
            self.market.set_wallet_frozen(UserId(user_id), frozen=False)
        self.model.clear(user_id)

    # --- the books after every step ------------------------------------------------------

    @invariant()
    def the_books_are_the_models(self) -> None:
        if self.economy is None:
            return
        self.wallets_are_the_models()
        self.platform_coin_and_diamond_accounts_are_the_models()
        self.platform_fiat_accounts_are_the_models()
        self.each_creators_diamonds_are_the_models()
        self.payments_and_payouts_are_the_models()
        self.fraud_decisions_are_the_models()
        self.the_books_reconcile()

    def wallets_are_the_models(self) -> None:
        for user_id in self.users:
            view = self.market.wallet(UserId(user_id))
            expected = (self.model.wallets[user_id], user_id in self.model.frozen)
            assert (view.coins, view.frozen) == expected, f"wallet of {user_id} (coins, frozen)"

    def platform_coin_and_diamond_accounts_are_the_models(self) -> None:
        model = self.model
        expected = {
            AccountKind.COIN_ISSUANCE: model.coin_issuance,
            AccountKind.GIFT_REVENUE: model.gift_revenue,
            AccountKind.CHARGEBACK_LOSS: model.chargeback_loss,
            AccountKind.DIAMOND_ISSUANCE: model.diamond_issuance,
        }
        actual = {kind: self.balance(platform_account(kind)) for kind in expected}
        assert actual == expected, "platform coin and diamond accounts"
        withdrawn = self.account(platform_account(AccountKind.DIAMONDS_WITHDRAWN))
        paid = sum(p.units for p in model.payouts.values() if p.state == "paid")
        flight = sum(p.units for p in model.payouts.values() if p.state in IN_FLIGHT)
        assert (withdrawn.credits_posted, withdrawn.credits_pending) == (paid, flight)

    def platform_fiat_accounts_are_the_models(self) -> None:
        kinds = {
            AccountKind.PROVIDER_CLEARING: "provider_clearing",
            AccountKind.COIN_SALES: "coin_sales",
            AccountKind.PAYOUTS_GROSS: "payouts_gross",
            AccountKind.PAYOUTS_CASH_OUT: "payouts_cash_out",
            AccountKind.PAYOUT_FEES: "payout_fees",
        }
        for currency, fiat in self.model.fiat.items():
            for kind, name in kinds.items():
                actual = self.balance(platform_account(kind, currency))
                assert actual == getattr(fiat, name), f"{kind.name} in {currency}"

    def each_creators_diamonds_are_the_models(self) -> None:
        """The split between pending and available is checked where it is read (the
        earnings, the statement); the ledger may book a maturation late, never early."""
        for index in CREATORS:
            creator_id = self.users[index]
            pending, available, in_payout, _ = self.model.earnings(creator_id)
            held = self.account(user_account(UserId(creator_id), AccountKind.EARNINGS_PENDING))
            free = self.account(user_account(UserId(creator_id), AccountKind.EARNINGS_AVAILABLE))
            booked = held.balance_posted + free.balance_posted
            assert booked == pending + available + in_payout, f"diamonds of {creator_id}"
            assert free.debits_pending == in_payout, f"diamonds in payout of {creator_id}"
            assert held.balance_posted >= pending, f"matured before its time: {creator_id}"

    def payments_and_payouts_are_the_models(self) -> None:
        for payment_id, purchase in self.model.purchases.items():
            payment = self.market.payment(payment_id)
            actual = (payment.status, payment.coins_clawed_back)
            expected = (purchase.status, purchase.coins_clawed_back)
            assert actual == expected, f"payment {payment_id} (status, coins taken back)"
            if purchase.status != "disputed":
                assert payment.refunded_minor == purchase.refunded_minor, "refunded_minor"
        for payout_id, record in self.model.payouts.items():
            assert self.market.payout(payout_id).state == record.state, f"payout {payout_id}"

    def fraud_decisions_are_the_models(self) -> None:
        logged = self.market.fraud_decisions(limit=10_000)
        opened = {(d.rule, d.user_id) for d in logged if d.review_state == "open"}
        expected = {(d.rule, d.user_id) for d in self.model.decisions if d.open}
        assert opened == expected, f"open decisions {sorted(opened)}, not {sorted(expected)}"
        chargebacks = Counter(d.user_id for d in logged if d.rule == "chargeback")
        wanted = Counter(d.user_id for d in self.model.decisions if d.rule == "chargeback")
        assert chargebacks == wanted, "chargeback decisions per user"

    def the_books_reconcile(self) -> None:
        report = self.market.ledger.reconcile()
        assert report.ok, (report.mismatches, report.problems)

    def account(self, account_id: int) -> Account:
        found = self.market.ledger.account(AccountId(account_id))
        assert found is not None
        return found

    def balance(self, account_id: int) -> int:
        return self.account(account_id).balance_posted


def describe(result: Result) -> str:
    """A label for hypothesis' statistics (``--hypothesis-show-statistics``)."""
    if result[0] == "error":
        return f"refused {result[1]}"
    if result[0] == "webhook":
        moved = ("minted", "from the wallet", "reversed", "loss")
        return " ".join(f"{name}" for name, value in zip(moved, result[2:], strict=True) if value)
    if result[0] == "gift":
        return "replayed" if result[-1] else "booked"
    return str(result[0])


def sum_of(result: Result) -> int:
    """What a webhook answer moved (0: nothing)."""
    return sum(value for value in result[2:] if isinstance(value, int))


# --- databases: a fresh one per scenario --------------------------------------------------


def _postgres_tables(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename NOT IN"
            " ('alembic_version', 'ledger_state', 'webhook_state', 'test_clock', 'promote_changes')"
        ).fetchall()
    return [str(row[0]) for row in rows]


@pytest.fixture
def open_database(database_url: str, tmp_path: Path) -> Iterator[Opener]:
    """Each call: an empty economy on the test's backend. SQLite copies a migrated
    file; PostgreSQL empties every table of the session database."""
    scenarios = itertools.count()
    if database_url.startswith("postgresql"):
        Economy.open(
            Settings(database_url=database_url, payout_dir=tmp_path), clock=ManualClock(START_NS)
        ).close()
        tables = _postgres_tables(database_url)

        def wiped() -> tuple[str, Path]:
            empty_tables(database_url, tables, RESET_LEDGER_CLOCK, RESET_TEST_CLOCK)
            return database_url, tmp_path / f"payouts-{next(scenarios)}"

        yield wiped
        return
    template = tmp_path / "template.db"
    # At the scenarios' start: the ledger's timestamps never run behind what it booked.
    at_start = ManualClock(START_NS)
    settings_ = Settings(database_url=f"sqlite:///{template}", payout_dir=tmp_path)
    Economy.open(settings_, clock=at_start).close()

    def copied() -> tuple[str, Path]:
        number = next(scenarios)
        for old in tmp_path.glob(f"scenario-{number - 1}.db*"):  # closed by now
            old.unlink()
        path = tmp_path / f"scenario-{number}.db"
        shutil.copyfile(template, path)
        for suffix in ("-wal", "-shm"):  # what the template's last writes left in its log
            if Path(f"{template}{suffix}").exists():
                shutil.copyfile(f"{template}{suffix}", f"{path}{suffix}")
        return f"sqlite:///{path}", tmp_path / f"payouts-{number}"

    yield copied


@pytest.mark.slow
def test_random_money_sequences_book_what_the_documented_rules_say(
    open_database: Opener, request: pytest.FixtureRequest
) -> None:
    full = "slow" in (request.config.option.markexpr or "")
    machine = type("Scenario", (MoneyMachine,), {"open_database": staticmethod(open_database)})
    run_state_machine_as_test(  # type: ignore[no-untyped-call]  # unannotated in Hypothesis
        machine,
        settings=settings(
            max_examples=EXAMPLES_SLOW if full else EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
