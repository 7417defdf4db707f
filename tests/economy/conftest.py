"""The economy under test: an ``Economy`` on a real database (SQLite file or the session
PostgreSQL), a manual clock, and the sandbox provider with a fixed secret, plus the
few moves every scenario makes (register, buy coins, send a gift).

``tests/economy`` is a package (``__init__.py``) so that mypy names this module
``economy.conftest`` rather than a second ``conftest``; tests import ``Market`` from it
for their annotations.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from giftflow.economy.catalog import Channel
from giftflow.economy.chart import AccountKind, platform_account
from giftflow.economy.payees import PayeeKind
from giftflow.economy.users import User
from giftflow.ids import GiftId
from giftflow.ledger.accounts import Account
from giftflow.ledger.clock import ManualClock
from giftflow.payments import Checkout
from giftflow.payments.sandbox import SandboxProvider
from giftflow.service.economy import (
    Economy,
    GiftRequest,
    GiftSent,
    Payment,
    PaymentOutcome,
)
from giftflow.settings import Settings
from tests.tables import ECONOMY_TABLES, RESET_TEST_CLOCK, empty_tables

SECRET = b"economy-test-secret-0123456789abcdef"
START = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
START_NS = int(START.timestamp()) * 1_000_000_000
ADULT = date(1990, 5, 17)
DAY_S = 86_400
IBAN = "DE89370400440532013000"
"""The IBAN standard's own example (valid, nobody's)."""
ROSE = 5655
"""1 coin, streakable."""
DOUGHNUT = 5879
"""30 coins, streakable."""
HAND_HEARTS = 5660
"""100 coins, not streakable."""
LION = 6369
"""29,999 coins, not streakable."""


@dataclass
class Market:
    """One open economy and the hands that play it: a viewer's purchases arrive as
    signed sandbox webhooks, exactly as a real provider's would."""

    economy: Economy
    clock: ManualClock
    sandbox: SandboxProvider
    payout_dir: Path
    _ids: Iterator[int] = field(default_factory=itertools.count)

    # --- people -----------------------------------------------------------------------

    def viewer(self, name: str = "viewer", *, birth_date: date = ADULT) -> User:
        return self.economy.register_user(
            external_id=name, display_name=name.title(), birth_date=birth_date, region="US"
        )

    def creator(
        self,
        name: str = "creator",
        *,
        birth_date: date = ADULT,
        verified: bool = True,
        region: str = "US",
        payee: bool = True,
    ) -> User:
        """A creator, with a payee destination unless ``payee`` is false."""
        creator = self.economy.register_user(
            external_id=name,
            display_name=name.title(),
            birth_date=birth_date,
            region=region,
            is_creator=True,
            identity_verified=verified,
        )
        if payee:
            self.economy.set_payee(
                creator.id, kind=PayeeKind.IBAN, destination=IBAN, holder_name=creator.display_name
            )
        return creator

    # --- coins in -----------------------------------------------------------------------

    def start(
        self,
        user: User,
        pack_id: str | None = None,
        *,
        coins: int | None = None,
        channel: Channel = Channel.WEB,
    ) -> Payment:
        return self.economy.start_purchase(
            user_id=user.id, channel=channel, provider="sandbox", pack_id=pack_id, coins=coins
        )

    def deliver(self, webhook: tuple[bytes, dict[str, str]]) -> PaymentOutcome | None:
        payload, headers = webhook
        return self.economy.handle_webhook("sandbox", payload, headers)

    def paid_webhook(
        self, payment: Payment, *, instrument: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        return self.sandbox.event_paid(
            checkout_of(payment), payment.amount_minor, payment.currency, instrument=instrument
        )

    def pay(self, payment: Payment, *, instrument: str | None = None) -> PaymentOutcome:
        outcome = self.deliver(self.paid_webhook(payment, instrument=instrument))
        assert outcome is not None
        return outcome

    def buy(
        self, user: User, coins: int, *, instrument: str | None = None
    ) -> tuple[Payment, PaymentOutcome]:
        """``coins`` bought on the web as a custom amount, paid at once."""
        payment = self.start(user, coins=coins)
        return payment, self.pay(payment, instrument=instrument)

    def refund(self, payment: Payment, refunded_minor: int) -> PaymentOutcome:
        outcome = self.deliver(
            self.sandbox.event_refunded(checkout_of(payment), refunded_minor, payment.currency)
        )
        assert outcome is not None
        return outcome

    def dispute(self, payment: Payment) -> PaymentOutcome:
        outcome = self.deliver(
            self.sandbox.event_disputed(
                checkout_of(payment), payment.amount_minor, payment.currency
            )
        )
        assert outcome is not None
        return outcome

    # --- gifts --------------------------------------------------------------------------

    def gift(
        self, sender: User, creator: User, gift_id: int = ROSE, *, quantity: int = 1
    ) -> GiftSent:
        return self.economy.send_gift(self.request(sender, creator, gift_id, quantity=quantity))

    def request(
        self, sender: User, creator: User, gift_id: int = ROSE, *, quantity: int = 1
    ) -> GiftRequest:
        """A one-off gift event with a fresh event id."""
        return GiftRequest(
            sender_id=sender.id,
            creator_id=creator.id,
            gift_id=GiftId(gift_id),
            quantity=quantity,
            event_id=f"event-{next(self._ids)}",
        )

    # --- books --------------------------------------------------------------------------

    def coins(self, user: User) -> int:
        return self.economy.wallet(user.id).coins

    def platform(self, kind: AccountKind, currency: str | None = None) -> Account:
        account = self.economy.ledger.account(platform_account(kind, currency))
        assert account is not None
        return account

    def count(self, table: str) -> int:
        """Rows in one of the economy's tables (what a refused action must not leave)."""
        return int(self.economy.ledger.read(lambda tx: tx.scalar(f"SELECT COUNT(*) FROM {table}")))

    def assert_reconciled(self) -> None:
        report = self.economy.reconcile()
        assert report.ok, (report.mismatches, report.problems, report.units)


def checkout_of(payment: Payment) -> Checkout:
    assert payment.provider_payment_id is not None
    return Checkout(provider="sandbox", provider_payment_id=payment.provider_payment_id, url=None)


def _empty_economy_tables(url: str) -> None:
    """The project's fixture empties the ledger tables; the economy's rows go too."""
    empty_tables(url, ECONOMY_TABLES, RESET_TEST_CLOCK)


@pytest.fixture
def economy_url(database_url: str) -> str:
    """An empty economy on each backend (the schema is created when first opened)."""
    if database_url.startswith("postgresql"):
        _empty_economy_tables(database_url)
    return database_url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START_NS)


@pytest.fixture
def sandbox(clock: ManualClock) -> SandboxProvider:
    tokens = itertools.count(1)
    return SandboxProvider(SECRET, clock, new_token=lambda: f"{next(tokens):06d}")


OpenMarket = Callable[..., Market]


@pytest.fixture
def open_market(
    economy_url: str, clock: ManualClock, sandbox: SandboxProvider, tmp_path: Path
) -> Iterator[OpenMarket]:
    """Opens the economy with settings of the test's choosing (keyword arguments of
    ``Settings``); every one opened is closed at teardown."""
    opened: list[Economy] = []

    def open_with(**settings: Any) -> Market:
        payout_dir = tmp_path / "payouts"
        economy = Economy.open(
            Settings(
                database_url=economy_url,
                payout_dir=payout_dir,
                **({"environment": "development"} | settings),
            ),
            clock=clock,
            providers={"sandbox": sandbox},
        )
        opened.append(economy)
        return Market(economy, clock, sandbox, payout_dir)

    yield open_with
    for economy in opened:
        economy.close()


@pytest.fixture
def market(open_market: OpenMarket) -> Market:
    """The economy with the shipped catalog's defaults."""
    return open_market()
