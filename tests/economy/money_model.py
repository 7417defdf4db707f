"""An independent model of giftflow's documented money rules, for the property test.

Written from docs/economy.md, docs/chart-of-accounts.md, docs/recipes/*.md and
docs/api.md alone, with no giftflow import: the shipped catalog is read as data (TOML and
CSV), every rule is restated here in plain Python. The model answers each operation with
what the docs say must happen: the answers a caller may see (``Answer``, a set of
acceptable normalised results) and the books afterwards.

Where the docs leave a choice open, the model does not guess: several refusal codes are
all acceptable when several rules refuse (no precedence is documented), and where the
books themselves could differ (which payouts the daily maximum counts, over which day) an
operation calls ``choose(n)`` and ``branches`` explores every choice, so the test accepts
any reading the docs allow and then follows the one the economy took. Boundaries
(exactly 10 s, exactly 7 days) are not explored: the test's clock steps never land on
one.
"""

from __future__ import annotations

import copy
import csv
import math
import tomllib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

NS_PER_S = 1_000_000_000
DAY_NS = 86_400 * NS_PER_S
UNITS_PER_DIAMOND = 10_000
IN_FLIGHT = ("requested", "held", "approved")

Result = tuple[Hashable, ...]
"""A normalised answer: ``("error", code)``, ``("gift", ...)``, ``("webhook", ...)`` ..."""
Answer = frozenset[Result]
"""Every answer the docs allow for one operation."""
Choose = Callable[[int], int]


def refused(*codes: str) -> Answer:
    return frozenset(("error", code) for code in codes)


# --- the catalog, as data -----------------------------------------------------------------


@dataclass(frozen=True)
class PayoutRules:
    currency: str
    minimum_minor: int
    fee_fixed_minor: int
    fee_bps: int
    cash_per_1000_diamonds_minor: int
    daily_maximum_minor: int
    minimum_age_years: int
    identity_verification_required: bool


@dataclass(frozen=True)
class Region:
    currency: str
    packs: dict[str, dict[int, int]]
    """Per channel: coins -> price in minor units."""
    custom_per_1000_minor: dict[str, int]
    custom_min_coins: int
    custom_max_coins: int
    payout: PayoutRules


@dataclass(frozen=True)
class GiftKind:
    coins: int
    streakable: bool


@dataclass(frozen=True)
class Rules:
    regions: dict[str, Region]
    gifts: dict[int, GiftKind]
    adult_age_years: int
    share_bps: int
    hold_ns: int
    streak_timeout_ns: int
    velocity_limit: int
    velocity_window_ns: int
    instrument_wallet_limit: int

    def __deepcopy__(self, memo: dict[int, object]) -> Rules:
        return self  # immutable: a branch of the model shares it


def load_rules(
    catalog_file: Path,
    *,
    share_bps: int | None,
    streak_timeout_s: int,
    velocity_limit: int,
    velocity_window_s: int,
    instrument_wallet_limit: int,
) -> Rules:
    """The shipped catalog file read as plain data, with the settings of the run."""
    data = tomllib.loads(catalog_file.read_text(encoding="utf-8"))
    regions = {code: _region(spec) for code, spec in data["regions"].items()}
    with (catalog_file.parent / data["gifts_file"]).open(encoding="utf-8") as file:
        gifts = {
            int(row["gift_id"]): GiftKind(int(row["coins"]), row["streakable"] == "true")
            for row in csv.DictReader(file)
        }
    return Rules(
        regions=regions,
        gifts=gifts,
        adult_age_years=data["adult_age_years"],
        share_bps=data["revenue_share_bps"] if share_bps is None else share_bps,
        hold_ns=data["hold_days"] * DAY_NS,
        streak_timeout_ns=streak_timeout_s * NS_PER_S,
        velocity_limit=velocity_limit,
        velocity_window_ns=velocity_window_s * NS_PER_S,
        instrument_wallet_limit=instrument_wallet_limit,
    )


def _region(spec: dict[str, object]) -> Region:
    channels = ("web", "app_store")
    custom = spec["custom_amount"]
    assert isinstance(custom, dict)
    payout = spec["payout"]
    assert isinstance(payout, dict)
    packs: dict[str, dict[int, int]] = {}
    per_1000: dict[str, int] = {}
    for channel in channels:
        channel_spec = spec[channel]
        assert isinstance(channel_spec, dict)
        packs[channel] = {pack["coins"]: pack["price_minor"] for pack in channel_spec["packs"]}
        per_1000[channel] = channel_spec["custom_price_per_1000_coins_minor"]
    return Region(
        currency=str(spec["currency"]),
        packs=packs,
        custom_per_1000_minor=per_1000,
        custom_min_coins=custom["min_coins"],
        custom_max_coins=custom["max_coins"],
        payout=PayoutRules(**{name: payout[name] for name in PayoutRules.__dataclass_fields__}),
    )


# --- the model's records ----------------------------------------------------------------


@dataclass
class Person:
    region: str
    is_creator: bool
    birth_date: date
    identity_verified: bool


@dataclass
class Purchase:
    user_id: int
    coins: int
    price_minor: int
    currency: str
    status: str = "created"
    refunded_minor: int = 0
    coins_clawed_back: int = 0
    paid_seq: int = 0


@dataclass
class Gift:
    row_id: int
    sender_id: int
    creator_id: int
    coins: int
    units: int
    sent_at_ns: int
    seq: int
    reversed_coins: int = 0


@dataclass
class StreakState:
    gift_id: int
    creator_id: int
    charged: int
    booked: dict[int, Result]
    """Repeat count -> the answer of the event that booked it."""
    last_booked_ns: int
    ended: bool = False


@dataclass
class OneOff:
    creator_id: int
    gift_id: int
    quantity: int
    answer: Result


@dataclass
class PayoutRecord:
    creator_id: int
    units: int
    gross_minor: int
    fee_minor: int
    net_minor: int
    currency: str
    state: str
    requested_at_ns: int


@dataclass
class Decision:
    rule: str
    user_id: int
    open: bool = True


@dataclass
class Fiat:
    provider_clearing: int = 0
    coin_sales: int = 0
    payouts_gross: int = 0
    payouts_cash_out: int = 0
    payout_fees: int = 0


# --- the model ------------------------------------------------------------------------------


@dataclass
class Model:
    rules: Rules
    now_ns: int
    seq: int = 0
    people: dict[int, Person] = field(default_factory=dict)
    wallets: dict[int, int] = field(default_factory=dict)
    frozen: set[int] = field(default_factory=set)
    frozen_by_shared_card: set[int] = field(default_factory=set)
    purchases: dict[str, Purchase] = field(default_factory=dict)
    gifts: list[Gift] = field(default_factory=list)
    one_offs: dict[tuple[int, str], OneOff] = field(default_factory=dict)
    streaks: dict[tuple[int, str], StreakState] = field(default_factory=dict)
    sends_ns: dict[int, list[int]] = field(default_factory=dict)
    """Per sender, when each velocity-counted event (one-off, streak start) was sent."""
    cards: dict[str, list[int]] = field(default_factory=dict)
    """Per instrument, the wallets it funded, oldest first."""
    payouts: dict[str, PayoutRecord] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    coin_issuance: int = 0
    gift_revenue: int = 0
    chargeback_loss: int = 0
    diamond_issuance: int = 0
    fiat: dict[str, Fiat] = field(default_factory=dict)

    # --- people ---------------------------------------------------------------------------

    def register(self, user_id: int, person: Person) -> None:
        self.people[user_id] = person
        self.wallets[user_id] = 0

    def _age_years(self, user_id: int) -> int:
        born = self.people[user_id].birth_date
        today = datetime.fromtimestamp(self.now_ns / NS_PER_S, UTC).date()
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def _fiat(self, currency: str) -> Fiat:
        return self.fiat.setdefault(currency, Fiat())

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    # --- coins in ---------------------------------------------------------------------------

    def price(
        self, user_id: int, channel: str, *, pack_coins: int | None, coins: int | None
    ) -> Result:
        """What ``start_purchase`` must answer: ``("payment", coins, price, currency)``."""
        region = self.rules.regions[self.people[user_id].region]
        if pack_coins is not None:
            return ("payment", pack_coins, region.packs[channel][pack_coins], region.currency)
        assert coins is not None
        if not region.custom_min_coins <= coins <= region.custom_max_coins:
            return ("error", "custom_amount_out_of_bounds")
        rate = region.custom_per_1000_minor[channel]
        return ("payment", coins, math.ceil(coins * rate / 1000), region.currency)

    def open_purchase(self, payment_id: str, user_id: int, answer: Result) -> None:
        _, coins, price_minor, currency = answer
        assert isinstance(coins, int) and isinstance(price_minor, int)
        self.purchases[payment_id] = Purchase(user_id, coins, price_minor, str(currency))

    def paid(self, payment_id: str, instrument: str | None) -> Answer:
        purchase = self.purchases[payment_id]
        nothing = webhook("paid")
        if purchase.status != "created":
            return frozenset({nothing})
        user_id = purchase.user_id
        if user_id in self.frozen:
            self._decide("frozen_wallet_payment", user_id)
            return frozenset({nothing, ("error", "account_frozen")})
        self.wallets[user_id] += purchase.coins
        self.coin_issuance -= purchase.coins
        self._fiat(purchase.currency).provider_clearing -= purchase.price_minor
        self._fiat(purchase.currency).coin_sales += purchase.price_minor
        purchase.status = "paid"
        purchase.paid_seq = self._next_seq()
        if instrument is not None:
            self._shared_card(instrument, user_id)
        return frozenset({webhook("paid", minted=purchase.coins)})

    def _shared_card(self, instrument: str, user_id: int) -> None:
        """Frozen: the wallet that took the card past its limit, and every later one."""
        funded = self.cards.setdefault(instrument, [])
        if user_id in funded:
            return
        funded.append(user_id)
        if len(funded) > self.rules.instrument_wallet_limit:
            self.frozen.add(user_id)
            self.frozen_by_shared_card.add(user_id)
            self._decide("shared_instrument", user_id)

    def refunded(self, payment_id: str, refunded_minor: int) -> Answer:
        """``refunded_minor`` is cumulative, as the provider reports it."""
        purchase = self.purchases[payment_id]
        if purchase.status == "created":
            return refused("payment_not_paid")
        nothing = webhook("refunded")
        if purchase.status == "disputed":
            return frozenset({nothing, ("error", "payment_not_paid")})
        if refunded_minor <= purchase.refunded_minor:
            return frozenset({nothing})
        coins_in_all = math.ceil(purchase.coins * refunded_minor / purchase.price_minor)
        answer = self._claw_back(
            purchase,
            coins=coins_in_all - purchase.coins_clawed_back,
            money_minor=refunded_minor - purchase.refunded_minor,
            kind="refunded",
            always_freeze=False,
        )
        purchase.refunded_minor = refunded_minor
        purchase.status = "refunded"
        return frozenset({answer})

    def disputed(self, payment_id: str) -> Answer:
        purchase = self.purchases[payment_id]
        if purchase.status == "created":
            return refused("payment_not_paid")
        if purchase.status == "disputed":
            return frozenset({webhook("disputed")})
        answer = self._claw_back(
            purchase,
            coins=purchase.coins - purchase.coins_clawed_back,
            money_minor=purchase.price_minor - purchase.refunded_minor,
            kind="disputed",
            always_freeze=True,
        )
        purchase.status = "disputed"
        return frozenset({answer})

    def _claw_back(
        self, purchase: Purchase, *, coins: int, money_minor: int, kind: str, always_freeze: bool
    ) -> Result:
        """The recipe: the wallet first, then the buyer's un-matured gifts since the
        payment, newest first, then the loss; the money goes back to the provider."""
        user_id = purchase.user_id
        from_wallet = min(coins, self.wallets[user_id])
        self.wallets[user_id] -= from_wallet
        self.coin_issuance += from_wallet
        left = coins - from_wallet
        reversed_units = 0
        for gift in reversed(self.gifts):
            if left == 0:
                break
            if gift.sender_id != user_id or gift.seq < purchase.paid_seq or self.matured(gift):
                continue
            taken = min(left, gift.coins - gift.reversed_coins)
            gift.reversed_coins += taken
            reversed_units += taken * self.rules.share_bps
            self.diamond_issuance += taken * self.rules.share_bps
            self.gift_revenue -= taken
            self.coin_issuance += taken
            left -= taken
        self.chargeback_loss -= left
        self.coin_issuance += left
        self._fiat(purchase.currency).coin_sales -= money_minor
        self._fiat(purchase.currency).provider_clearing += money_minor
        purchase.coins_clawed_back += coins
        if always_freeze or from_wallet < coins:
            self.frozen.add(user_id)
            self._decide("chargeback", user_id)
        return webhook(kind, from_wallet=from_wallet, reversed_units=reversed_units, loss=left)

    # --- gifts ------------------------------------------------------------------------------

    def matured(self, gift: Gift) -> bool:
        """A function of time alone: no read, no request decides it."""
        return self.now_ns - gift.sent_at_ns >= self.rules.hold_ns

    def one_off(
        self,
        sender_id: int,
        creator_id: int,
        gift_id: int,
        event_id: str,
        *,
        quantity: int,
        row_id: int | None,
        code: str | None,
    ) -> Answer:
        """``row_id``: the booked gift's id, ``code``: the refusal, as the economy answered
        (ids are the economy's to choose; the code only tells which refusal it chose)."""
        earlier = self.one_offs.get((sender_id, event_id))
        if earlier is not None:
            if (earlier.creator_id, earlier.gift_id, earlier.quantity) != (
                creator_id,
                gift_id,
                quantity,
            ):
                return refused("idempotency_conflict")
            return self._replay(sender_id, earlier.answer)
        coins = self.rules.gifts[gift_id].coins * quantity
        codes = self._refusals(sender_id, creator_id, coins, counted=True)
        if codes:
            self._log_refusal(sender_id, code)
            return refused(*codes)
        answer = self._book(sender_id, creator_id, coins, row_id, quantity=quantity, count=None)
        self.one_offs[(sender_id, event_id)] = OneOff(creator_id, gift_id, quantity, answer)
        self.sends_ns.setdefault(sender_id, []).append(self.now_ns)
        return frozenset({answer})

    def streak_event(
        self,
        sender_id: int,
        creator_id: int,
        gift_id: int,
        streak_id: str,
        *,
        count: int,
        row_id: int | None,
        code: str | None,
    ) -> Answer:
        streak = self.streaks.get((sender_id, streak_id))
        kind = self.rules.gifts[gift_id]
        if streak is not None and count in streak.booked:
            if (streak.gift_id, streak.creator_id) != (gift_id, creator_id):
                return refused("streak_mismatch", "idempotency_conflict")
            return self._replay(sender_id, streak.booked[count])
        codes = set() if kind.streakable else {"gift_not_streakable"}
        if count < 1:
            codes.add("streak_count_invalid")
        if streak is not None:
            if (streak.gift_id, streak.creator_id) != (gift_id, creator_id):
                codes.add("streak_mismatch")
            if self._streak_ended(streak):
                codes.add("streak_ended")
            elif count <= streak.charged:
                codes.add("streak_count_not_rising")
        delta = count - (0 if streak is None else streak.charged)
        coins = kind.coins * max(delta, 0)
        codes |= self._refusals(sender_id, creator_id, coins, counted=streak is None)
        if codes:
            self._log_refusal(sender_id, code)
            return refused(*codes)
        answer = self._book(sender_id, creator_id, coins, row_id, quantity=delta, count=count)
        if streak is None:
            streak = StreakState(gift_id, creator_id, 0, {}, self.now_ns)
            self.streaks[(sender_id, streak_id)] = streak
            self.sends_ns.setdefault(sender_id, []).append(self.now_ns)
        streak.charged = count
        streak.booked[count] = answer
        streak.last_booked_ns = self.now_ns
        return frozenset({answer})

    def _streak_ended(self, streak: StreakState) -> bool:
        """Ended by ``end_streak``, or by ``STREAK_TIMEOUT_S`` since its last booked event
        (a refused or replayed event books nothing, so it keeps nothing alive)."""
        if self.now_ns - streak.last_booked_ns >= self.rules.streak_timeout_ns:
            streak.ended = True
        return streak.ended

    def end_streak(self, sender_id: int, streak_id: str) -> Answer:
        streak = self.streaks.get((sender_id, streak_id))
        if streak is None:
            return refused("streak_not_found")
        streak.ended = True
        return frozenset({("streak_ended",)})

    def _replay(self, sender_id: int, answer: Result) -> Answer:
        """A retried event answers the first gift and books nothing; a full limiter may
        refuse it instead (velocity answers may differ on a retry)."""
        again = (*answer[:-1], True)
        if self._velocity_full(sender_id):
            return frozenset({again, ("error", "velocity_limited")})
        return frozenset({again})

    def _refusals(self, sender_id: int, creator_id: int, coins: int, *, counted: bool) -> set[str]:
        """Every rule that refuses the event (the docs name no precedence)."""
        codes: set[str] = set()
        adult = self.rules.adult_age_years
        if not self.people[creator_id].is_creator:
            codes.add("not_a_creator")
        if self._age_years(sender_id) < adult or self._age_years(creator_id) < adult:
            codes.add("age_restricted")
        if sender_id == creator_id:
            codes.add("self_gifting")
        if sender_id in self.frozen:
            codes.add("account_frozen")
        if coins > self.wallets[sender_id]:
            codes.add("insufficient_funds")
        if counted and self._velocity_full(sender_id):
            codes.add("velocity_limited")
        return codes

    def _velocity_full(self, sender_id: int) -> bool:
        window = self.rules.velocity_window_ns
        recent = [t for t in self.sends_ns.get(sender_id, []) if self.now_ns - t < window]
        return len(recent) >= self.rules.velocity_limit

    def _log_refusal(self, sender_id: int, code: str | None) -> None:
        """The refusals the fraud rules log, for the rule the economy answered with."""
        rule = {"self_gifting": "self_gifting", "velocity_limited": "gift_velocity"}.get(code or "")
        if rule is not None:
            self._decide(rule, sender_id)

    def _book(
        self,
        sender_id: int,
        creator_id: int,
        coins: int,
        row_id: int | None,
        *,
        quantity: int,
        count: int | None,
    ) -> Result:
        units = coins * self.rules.share_bps
        self.wallets[sender_id] -= coins
        self.gift_revenue += coins
        self.diamond_issuance -= units
        gift = Gift(row_id or 0, sender_id, creator_id, coins, units, self.now_ns, self._next_seq())
        self.gifts.append(gift)
        return ("gift", coins, units, quantity, count, False)

    # --- diamonds ---------------------------------------------------------------------------

    def net_units(self, gift: Gift) -> int:
        return gift.units - gift.reversed_coins * self.rules.share_bps

    def earnings(self, creator_id: int) -> tuple[int, int, int, int]:
        """Pending, available, in payout, withdrawn units, as time alone makes them."""
        mine = [gift for gift in self.gifts if gift.creator_id == creator_id]
        pending = sum(self.net_units(gift) for gift in mine if not self.matured(gift))
        matured = sum(self.net_units(gift) for gift in mine if self.matured(gift))
        payouts = [payout for payout in self.payouts.values() if payout.creator_id == creator_id]
        in_payout = sum(payout.units for payout in payouts if payout.state in IN_FLIGHT)
        withdrawn = sum(payout.units for payout in payouts if payout.state == "paid")
        return pending, matured - in_payout - withdrawn, in_payout, withdrawn

    def reversed_units(self, creator_id: int) -> int:
        share = self.rules.share_bps
        return sum(g.reversed_coins * share for g in self.gifts if g.creator_id == creator_id)

    # --- diamonds out -----------------------------------------------------------------------

    def request_payout(
        self, choose: Choose, creator_id: int, diamonds: int, payout_id: str | None
    ) -> Answer:
        person = self.people[creator_id]
        rules = self.rules.regions[person.region].payout
        codes: set[str] = set()
        if not person.is_creator:
            codes.add("not_a_creator")
        if self._age_years(creator_id) < rules.minimum_age_years:
            codes.add("age_restricted")
        if rules.identity_verification_required and not person.identity_verified:
            codes.add("identity_not_verified")
        if diamonds <= 0:
            codes |= {"payout_invalid", "amount_invalid"}
        gross, fee, taken = quote(max(diamonds, 0), rules)
        if gross < rules.minimum_minor:
            codes.add("payout_below_minimum")
        if gross - fee <= 0:
            codes.add("payout_below_fee")
        if self._today_gross(creator_id, choose) + gross > rules.daily_maximum_minor:
            codes.add("payout_above_daily_maximum")
        if taken * UNITS_PER_DIAMOND > self.earnings(creator_id)[1]:
            codes.add("insufficient_funds")
        if codes:
            return refused(*codes)
        state = "requested" if self.open_decisions(creator_id) else "held"
        record = PayoutRecord(
            creator_id,
            taken * UNITS_PER_DIAMOND,
            gross,
            fee,
            gross - fee,
            rules.currency,
            state,
            self.now_ns,
        )
        self.payouts[payout_id or "?"] = record
        return frozenset({("payout", taken, gross, fee, gross - fee, rules.currency, state)})

    def _today_gross(self, creator_id: int, choose: Choose) -> int:
        """Undocumented: the day (the clock's UTC date, or the last 24 hours) and whether
        returned payouts count. Every reading is explored."""
        counts_returned = choose(2) == 1
        by_date = choose(2) == 1
        today = self.now_ns // DAY_NS
        total = 0
        for payout in self.payouts.values():
            if payout.creator_id != creator_id:
                continue
            if not counts_returned and payout.state in ("rejected", "failed"):
                continue
            if by_date and payout.requested_at_ns // DAY_NS != today:
                continue
            if not by_date and self.now_ns - payout.requested_at_ns >= DAY_NS:
                continue
            total += payout.gross_minor
        return total

    def hold_payout(self, payout_id: str) -> Answer:
        payout = self.payouts[payout_id]
        if payout.state != "requested":
            return refused("payout_state_invalid")
        payout.state = "held"
        return frozenset({("payout_state", "held")})

    def reject_payout(self, payout_id: str) -> Answer:
        payout = self.payouts[payout_id]
        if payout.state not in ("requested", "held"):
            return refused("payout_state_invalid")
        payout.state = "rejected"
        return frozenset({("payout_state", "rejected")})

    def settle_payout(self, payout_id: str, *, paid: bool) -> Answer:
        """Approved, exported and a results line imported: paid or failed."""
        payout = self.payouts[payout_id]
        assert payout.state == "held"
        if not paid:
            payout.state = "failed"
            return frozenset({("payout_state", "failed")})
        payout.state = "paid"
        fiat = self._fiat(payout.currency)
        fiat.payouts_gross -= payout.gross_minor
        fiat.payouts_cash_out += payout.net_minor
        fiat.payout_fees += payout.fee_minor
        return frozenset({("payout_state", "paid")})

    # --- review -----------------------------------------------------------------------------

    def _decide(self, rule: str, user_id: int) -> None:
        self.decisions.append(Decision(rule, user_id))

    def open_decisions(self, user_id: int) -> list[Decision]:
        return [d for d in self.decisions if d.user_id == user_id and d.open]

    def clear(self, user_id: int) -> None:
        """A person overturns every open decision about the user and unfreezes the
        wallet (the shared-card freeze stays: the card still funds too many wallets)."""
        for decision in self.open_decisions(user_id):
            decision.open = False
        if user_id not in self.frozen_by_shared_card:
            self.frozen.discard(user_id)


def quote(diamonds: int, rules: PayoutRules) -> tuple[int, int, int]:
    """Gross (rounded down), fee (rounded up) and the diamonds taken: those that make
    only a fraction of a minor unit stay with the creator."""
    rate = rules.cash_per_1000_diamonds_minor
    gross = diamonds * rate // 1000
    fee = rules.fee_fixed_minor + math.ceil(gross * rules.fee_bps / 10_000)
    taken = math.ceil(gross * 1000 / rate)
    return gross, fee, taken


def webhook(
    event: str, *, minted: int = 0, from_wallet: int = 0, reversed_units: int = 0, loss: int = 0
) -> Result:
    return ("webhook", event, minted, from_wallet, reversed_units, loss)


def branches(
    model: Model, operation: Callable[[Model, Choose], Answer]
) -> list[tuple[Answer, Model]]:
    """Every outcome the docs allow: ``operation`` runs on a copy of the model once per
    sequence of choices it makes, depth first."""
    outcomes: list[tuple[Answer, Model]] = []
    paths: list[list[int]] = [[]]
    while paths:
        path = paths.pop()
        taken: list[int] = []

        def choose(n: int, path: list[int] = path, taken: list[int] = taken) -> int:
            index = len(taken)
            if index < len(path):
                choice = path[index]
            else:
                choice = 0
                paths.extend([*taken, alternative] for alternative in range(1, n))
            taken.append(choice)
            return choice

        copied = copy.deepcopy(model)
        outcomes.append((operation(copied, choose), copied))
    return outcomes
