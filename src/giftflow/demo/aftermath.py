"""After the LIVE: the holding period passes, the creator cashes out through the
``manual`` partner, and a chargeback arrives for a viewer who spent their coins."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from giftflow import spreadsheet
from giftflow.demo.world import DemoError, DemoWorld
from giftflow.economy.errors import PayoutError
from giftflow.economy.payees import PayeeKind
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.partners.manual import RESULT_COLUMNS
from giftflow.payments.sandbox import NAME as SANDBOX
from giftflow.replay.funding import Purse, checkout_of, instrument
from giftflow.replay.run import Sent
from giftflow.service.economy import ImportSummary, Payment, PaymentOutcome, Payout, WalletView
from giftflow.service.live import Live

HOUR_NS: Final = 3_600 * NS_PER_S
DAY_NS: Final = 24 * HOUR_NS
ENCORE_COINS: Final = 395
"""What the charged-back viewer sends in the encore (a Doughnut streak among them)."""
EncoreSession = Callable[[], AbstractContextManager[int]]
"""Opens the encore's session and yields its id (and ends it on leaving)."""


@dataclass(frozen=True, slots=True)
class Matured:
    days_passed: int
    units_matured: int


def pass_holding_period(world: DemoWorld) -> Matured:
    """Move the clock one day past the holding period after the last gift, and mature
    every creator's diamonds that are due."""
    hold_ns = world.economy.hold_ns
    world.clock.advance(ns=hold_ns + DAY_NS)
    units = world.economy.mature_earnings()
    return Matured((hold_ns + DAY_NS) // DAY_NS, units)


@dataclass(frozen=True, slots=True)
class PayoutStory:
    """A payout from request to paid, or why none was made (``skipped``)."""

    payout: Payout | None = None
    batch_file: Path | None = None
    results_file: Path | None = None
    imported: ImportSummary | None = None
    skipped: str | None = None


DEMO_IBAN = "DE89 3704 0044 0532 0130 00"
"""The IBAN of the standard's own example: it validates and belongs to no one."""


def payout_diamonds_max(world: DemoWorld) -> int:
    """The most diamonds one payout may take today in the creator's region."""
    terms = world.economy.catalog.region(world.creator.region).payout
    return terms.daily_maximum_minor * 1000 // terms.cash_per_1000_diamonds_minor


def pay_out(world: DemoWorld) -> PayoutStory:
    """Verify the creator's identity, request their available diamonds (up to the daily
    maximum), approve, export the manual batch, and import its results file as paid."""
    economy, creator = world.economy, world.creator
    economy.update_user(creator.id, identity_verified=True)
    economy.set_payee(
        creator.id, kind=PayeeKind.IBAN, destination=DEMO_IBAN, holder_name=creator.display_name
    )
    diamonds = min(economy.earnings(creator.id).available_diamonds, payout_diamonds_max(world))
    try:
        payout = economy.request_payout(creator_id=creator.id, diamonds=diamonds)
    except PayoutError as error:
        return PayoutStory(skipped=f"{error.code}: {error}")
    if payout.state == "requested":  # fraud rules flagged it; a person cleared it
        payout = economy.hold_payout(payout.id)
    world.clock.advance(ns=HOUR_NS)
    economy.approve_payout(payout.id)
    exported = economy.export_payouts("manual")
    if exported is None:
        return PayoutStory(payout=economy.payout(payout.id), skipped="nothing to export")
    batch_id, batch_file, _lines = exported
    world.clock.advance(ns=DAY_NS)
    results_file = write_results_paid(batch_file, batch_file.with_name(f"{batch_id}-results.csv"))
    imported = economy.import_payout_results(results_file)
    return PayoutStory(economy.payout(payout.id), batch_file, results_file, imported)


def write_results_paid(batch_file: Path, results_file: Path) -> Path:
    """What the operator sends back once the bank paid every line of the batch."""
    with batch_file.open(newline="", encoding="utf-8") as source:
        payout_ids = [row["payout_id"] for row in csv.DictReader(source)]
    with results_file.open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(RESULT_COLUMNS)
        for number, payout_id in enumerate(payout_ids, start=1):
            reference = f"bank-{batch_file.stem}-{number}"
            writer.writerow(spreadsheet.row(payout_id, "paid", reference, ""))
    return results_file


@dataclass(frozen=True, slots=True)
class ChargebackStory:
    viewer: Purse
    """The viewer, with the coins and payments the replay booked for them."""
    payment: Payment
    """The payment charged back (made during the LIVE, spent long ago)."""
    encore: Sent
    encore_packs: int
    """Coin packs the viewer bought for the encore (none if their wallet held enough)."""
    outcome: PaymentOutcome
    wallet: WalletView


def _pick_viewer(world: DemoWorld) -> tuple[Purse, Payment]:
    """A viewer (at random) whose largest payment is worth more than their wallet and
    the encore, so the chargeback shows every part: coins from the wallet, diamonds
    reversed, and a loss."""
    viewers = sorted(
        (viewer for viewer in world.packs.purses.values() if viewer.payments),
        key=lambda viewer: viewer.user.id,
    )
    if not viewers:
        raise DemoError("no viewer bought coins")
    telling = [
        viewer
        for viewer in viewers
        if max(payment.coins for payment in viewer.payments) > viewer.coins + ENCORE_COINS
    ]
    viewer = world.random.choice(telling or viewers)
    return viewer, max(viewer.payments, key=lambda payment: (payment.coins, -payment.paid_at))


@contextmanager
def live_session(live: Live, creator_id: UserId, title: str = "encore") -> Iterator[int]:
    """A LIVE of the creator's own for as long as the block runs: gifts must name a
    session that is live, and their creator's."""
    session = live.start_session(creator_id, title=title)
    try:
        yield session.id
    finally:
        live.end_session(session.id)


def charge_back(world: DemoWorld, *, encore_session: EncoreSession) -> ChargebackStory:
    """An encore LIVE where the viewer gifts again, then the bank's chargeback of their
    largest purchase: the sandbox's ``disputed`` webhook claws it back."""
    viewer, payment = _pick_viewer(world)
    world.clock.advance(ns=HOUR_NS)
    packs_before = len(viewer.payments)
    with encore_session() as session_id:
        encore = world.send(viewer.user, ENCORE_COINS, key="encore", session_id=session_id)
    world.clock.advance(ns=DAY_NS)
    body, headers = world.sandbox.event_disputed(
        checkout_of(payment),
        payment.amount_minor,
        payment.currency,
        instrument=instrument(viewer.user.id),
    )
    outcome = world.economy.handle_webhook(SANDBOX, body, headers)
    if outcome is None:
        raise DemoError("the sandbox's disputed event was ignored")
    world.packs.clawed_back(viewer.user, outcome.coins_from_wallet)
    return ChargebackStory(
        viewer=viewer,
        payment=payment,
        encore=encore,
        encore_packs=len(viewer.payments) - packs_before,
        outcome=outcome,
        wallet=world.economy.wallet(viewer.user.id),
    )
