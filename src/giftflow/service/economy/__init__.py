"""The economy as one object: what the HTTP API, the CLI and embedders call.

economy = Economy.open(Settings(database_url="sqlite:///giftflow.db",
                                environment="development",  # the sandbox: play money
                                sandbox_webhook_secret=secrets.token_hex(32)))
viewer = economy.register_user(external_id="v1", ...)
payment = economy.start_purchase(user_id=viewer.id, channel=Channel.WEB,
                                 provider="sandbox", pack_id="US-web-70")
...                                  # the provider calls the webhook: coins minted
economy.send_gift(GiftRequest(sender_id=viewer.id, creator_id=..., gift_id=5655,
                              event_id="e1"))

Longer than 400 lines, and kept so: ``Economy`` is the Python API's table of contents,
one class of one-line delegations each with its docstring (the work is in the modules
it calls); split into mixins it would no longer read as one. What is not the facade
(the providers the settings configure) lives in ``providers``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

from giftflow.economy.catalog import load_catalog
from giftflow.economy.catalog.model import Catalog, Channel
from giftflow.economy.payees import Payee, PayeeKind
from giftflow.economy.streaks import Streak
from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ids import UserId
from giftflow.ledger.clock import Clock, SystemClock
from giftflow.ledger.reconcile import ReconcileReport
from giftflow.partners.base import PayoutPartner
from giftflow.partners.manual import ManualPartner
from giftflow.payments.base import PaymentProvider
from giftflow.payments.policy import check_environment
from giftflow.service.economy import (
    earnings,
    fraud,
    gifting,
    payees,
    payout_batches,
    payout_requests,
    payouts,
    provider_events,
    purchases,
    sandbox_payments,
    streaks,
    test_clock,
    users,
)
from giftflow.service.economy.context import EconomyContext
from giftflow.service.economy.earnings import EarningsView, StatementLine, WalletView
from giftflow.service.economy.fraud import LoggedDecision
from giftflow.service.economy.gifting import GiftRequest, GiftSent
from giftflow.service.economy.payout_batches import ImportSummary
from giftflow.service.economy.provider_events import WebhookDelivery
from giftflow.service.economy.providers import default_providers
from giftflow.service.economy.purchases import PaymentOutcome, PurchaseOrder
from giftflow.service.economy.sandbox_payments import CardAttempt
from giftflow.service.economy.test_clock import TestClockView
from giftflow.service.economy.users import Registration
from giftflow.service.ledger import Ledger
from giftflow.service.once import Once
from giftflow.settings import Settings
from giftflow.store import credentials
from giftflow.store.payments import Payment
from giftflow.store.payouts import Payout

__all__ = [
    "EarningsView",
    "Economy",
    "GiftRequest",
    "GiftSent",
    "ImportSummary",
    "LoggedDecision",
    "Payment",
    "PaymentOutcome",
    "Payout",
    "PurchaseOrder",
    "Registration",
    "StatementLine",
    "TestClockView",
    "WalletView",
    "WebhookDelivery",
]


class Economy:
    """The economy's facade: users, coins in, gifts, earnings, payouts, review and test
    mode, over one ledger. Every money-moving method is atomic and idempotent (a key, a
    derived transfer id or ``once``); refusals are ``GiftflowError`` subclasses with a
    ``code``."""

    def __init__(self, context: EconomyContext, partners: dict[str, PayoutPartner]) -> None:
        self.context = context
        self.partners = partners
        users.ensure_platform_accounts(context)
        test_clock.sync(context)
        earnings.pin_unrecorded_holds(context)

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        providers: Mapping[str, PaymentProvider] | None = None,
        catalog: Catalog | None = None,
        new_token: Callable[[], str] | None = None,
    ) -> Economy:
        """Open the economy on ``settings.database_url``; the clock and the token
        generator (payment, payout and batch ids) are injectable for exact replays.
        Providers given or configured must suit ``settings.environment``
        (ConfigurationError otherwise, before the database is touched)."""
        settings = settings or Settings()
        clock = test_clock.wrap(clock or SystemClock(), settings)
        chosen = dict(providers) if providers is not None else default_providers(settings, clock)
        check_environment(chosen, development=settings.environment == "development")
        catalog = catalog or load_catalog(settings.catalog_version, path=settings.catalog_path)
        ledger = Ledger.open(
            settings.database_url, clock=clock, queued_max=settings.engine_queue_max
        )
        context = EconomyContext(ledger, catalog, settings, clock, chosen)
        if new_token is not None:
            context.new_token = new_token
        return cls(context, {"manual": ManualPartner(settings.payout_dir)})

    @property
    def ledger(self) -> Ledger:
        """The ledger the economy books on (its store, its clock)."""
        return self.context.ledger

    @property
    def catalog(self) -> Catalog:
        """The gift catalog in force: gifts, coin packs, regions and their
        currencies."""
        return self.context.catalog

    @property
    def hold_ns(self) -> int:
        """How long a gift's diamonds stay pending before they mature."""
        return self.context.hold_ns

    def close(self) -> None:
        """Stop the ledger's engine and close the store."""
        self.context.ledger.close()

    def __enter__(self) -> Economy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- users ---------------------------------------------------------------------

    def register_user(
        self,
        *,
        external_id: str,
        display_name: str,
        birth_date: date,
        region: str,
        is_creator: bool = False,
        identity_verified: bool = False,
    ) -> User:
        """Register a user and open their wallet and earnings accounts; idempotent on
        ``external_id`` when the details agree (``UserExistsError`` otherwise)."""
        return users.register(
            self.context,
            users.Registration(
                external_id, display_name, birth_date, region, is_creator, identity_verified
            ),
        )

    def register_users(self, registrations: Sequence[Registration]) -> list[User]:
        """Register many users at once (see ``users.register_many``)."""
        return users.register_many(self.context, registrations)

    def user(self, user_id: UserId) -> User:
        """The user (``UserNotFoundError`` when there is none)."""
        return users.get(self.context, user_id)

    def user_by_external_id(self, external_id: str) -> User:
        """The user the platform knows by ``external_id``."""
        return users.by_external_id(self.context, external_id)

    def update_user(
        self,
        user_id: UserId,
        *,
        is_creator: bool | None = None,
        identity_verified: bool | None = None,
    ) -> User:
        """Change a user's creator or identity status (``None`` leaves it as it is)."""
        return users.update(
            self.context, user_id, is_creator=is_creator, identity_verified=identity_verified
        )

    def set_wallet_frozen(
        self, user_id: UserId, *, frozen: bool, once: Once | None = None
    ) -> WalletView:
        """Freeze or unfreeze a wallet; ``once`` keeps the answer in the same
        transaction as the flag."""
        return earnings.set_wallet_frozen(self.context, user_id, frozen=frozen, once=once)

    # --- coins in ------------------------------------------------------------------

    def start_purchase(
        self,
        *,
        user_id: UserId,
        channel: Channel,
        provider: str,
        pack_id: str | None = None,
        coins: int | None = None,
        once: Once | None = None,
    ) -> Payment:
        """Open a checkout for a coin pack (or a custom number of coins) with a
        provider: a pending payment. No coin exists until the provider's verified
        webhook says it was paid."""
        return purchases.start_purchase(
            self.context,
            user_id=user_id,
            channel=channel,
            provider=provider,
            pack_id=pack_id,
            coins=coins,
            once=once,
        )

    def start_purchases(self, orders: Sequence[PurchaseOrder]) -> list[Payment]:
        """Open many checkouts at once (see ``purchases.start_purchases``)."""
        return purchases.start_purchases(self.context, orders)

    def payment(self, payment_id: str) -> Payment:
        """A payment and what its provider's events did to it."""
        return purchases.get_payment(self.context, payment_id)

    def handle_webhook(
        self, provider: str, payload: bytes, headers: Mapping[str, str]
    ) -> PaymentOutcome | None:
        """Verify a provider's webhook and act on it once (mint on payment, claw back on
        refund or dispute, mark failed); ``None`` for an event that concerns no payment
        of ours."""
        return provider_events.handle_webhook(self.context, provider, payload, headers)

    def handle_webhooks(
        self, provider: str, deliveries: Sequence[WebhookDelivery]
    ) -> list[PaymentOutcome | GiftflowError | None]:
        """Act on many webhooks at once (see ``provider_events.handle_webhooks``)."""
        return provider_events.handle_webhooks(self.context, provider, deliveries)

    # --- gifts ---------------------------------------------------------------------

    def send_gift(self, request: GiftRequest) -> GiftSent:
        """Book one gift (or one streak event): the sender's coins to the platform, the
        creator's diamonds at the revenue share, in one atomic transfer chain; raises
        the refusal."""
        return gifting.send_gift(self.context, request)

    def send_gifts(
        self, requests: Sequence[GiftRequest], *, once: Once | None = None
    ) -> list[GiftSent | GiftflowError]:
        """One outcome per request; with ``once`` the answer is kept in the same
        transaction (``giftflow.service.once``)."""
        return gifting.send_gifts(self.context, requests, once)

    async def send_gifts_async(
        self, requests: Sequence[GiftRequest], *, once: Once | None = None
    ) -> list[GiftSent | GiftflowError]:
        """``send_gifts`` for an event loop: the batch is grouped with other callers'
        into one transaction."""
        return await gifting.send_gifts_async(self.context, requests, once)

    def end_streak(self, sender_id: UserId, client_streak_id: str) -> Streak:
        """End a sender's streak: later events with its client id start a new one."""
        return streaks.end_streak(self.context, sender_id, client_streak_id)

    def end_stale_streaks(self) -> list[Streak]:
        """End every streak idle for the streak timeout; the streaks ended."""
        return streaks.end_stale_streaks(self.context)

    # --- balances and earnings -----------------------------------------------------

    def wallet(self, user_id: UserId) -> WalletView:
        """A viewer's spendable coins and whether the wallet is frozen."""
        return earnings.wallet(self.context, user_id)

    def earnings(self, user_id: UserId) -> EarningsView:
        """A creator's diamonds: pending (with when they mature), available, in payout
        and withdrawn; matures what is due first."""
        earnings.mature(self.context, user_id)
        return earnings.earnings(self.context, user_id)

    def mature_earnings(self) -> int:
        """Mature every gift whose holding period is over (all creators); the diamond
        units moved."""
        return earnings.mature(self.context)

    def statement(self, creator_id: UserId, *, limit: int = 500) -> list[StatementLine]:
        """Every movement of a creator's diamonds, newest first (gifts, maturations,
        payouts, reversals); matures what is due first."""
        earnings.mature(self.context, creator_id)
        return earnings.statement(self.context, creator_id, limit=limit)

    # --- diamonds out --------------------------------------------------------------

    def request_payout(
        self,
        *,
        creator_id: UserId,
        diamonds: int,
        partner: str = "manual",
        once: Once | None = None,
    ) -> Payout:
        """Reserve ``diamonds`` of a creator's available earnings for a payout through
        ``partner``, checked against the regional rules; refusals carry their facts."""
        return payout_requests.request(
            self.context,
            self.partners,
            creator_id=creator_id,
            diamonds=diamonds,
            partner=partner,
            once=once,
        )

    def set_payee(
        self, creator_id: UserId, *, kind: PayeeKind, destination: str, holder_name: str
    ) -> Payee:
        """Where the creator's payouts requested from now on are paid."""
        return payees.put(
            self.context, creator_id, kind=kind, destination=destination, holder_name=holder_name
        )

    def payee(self, creator_id: UserId) -> Payee:
        """The creator's payee destination (``payee_destination_not_found`` when none is
        set)."""
        return payees.get(self.context, creator_id)

    def payout(self, payout_id: str) -> Payout:
        """A payout and its state."""
        return payouts.get(self.context, payout_id)

    def payouts(
        self, *, creator_id: UserId | None = None, state: str | None = None
    ) -> list[Payout]:
        """Payouts, newest first, of one creator and/or in one state."""
        return payouts.listing(self.context, creator_id=creator_id, state=state)

    def hold_payout(self, payout_id: str, *, once: Once | None = None) -> Payout:
        """Hold a requested payout for review (its diamonds stay reserved)."""
        return payouts.hold(self.context, payout_id, once=once)

    def approve_payout(self, payout_id: str, *, once: Once | None = None) -> Payout:
        """Approve a requested or held payout: it goes to the partner's next batch."""
        return payouts.approve(self.context, payout_id, once=once)

    def reject_payout(self, payout_id: str, reason: str, *, once: Once | None = None) -> Payout:
        """Reject a payout: its reserved diamonds go back to the creator's available
        earnings."""
        return payouts.reject(self.context, payout_id, reason, once=once)

    def export_payouts(self, partner: str = "manual") -> tuple[str, Path, int] | None:
        """Write the partner's batch file of approved payouts: ``(batch id, file,
        payouts)``, or ``None`` when none is waiting."""
        return payout_batches.export_batch(self.context, self._partner(partner))

    def import_payout_results(
        self, source: Path, partner: str = "manual", *, once: Once | None = None
    ) -> ImportSummary:
        """Apply a partner's results file (paid or failed per payout), once per file; a
        malformed file is refused whole, naming its problem."""
        return payout_batches.import_results(
            self.context, self._partner(partner), source, once=once
        )

    def _partner(self, name: str) -> PayoutPartner:
        partner = self.partners.get(name)
        if partner is None:
            from giftflow.economy.errors import PayoutError  # noqa: PLC0415

            raise PayoutError(f"no payout partner {name!r}", code="partner_unknown")
        return partner

    # --- review ---------------------------------------------------------------------

    def fraud_decisions(self, *, open_only: bool = False, limit: int = 100) -> list[LoggedDecision]:
        """Fraud decisions, newest first (only those still open with ``open_only``)."""
        return fraud.decisions(self.context, open_only=open_only, limit=limit)

    def review_fraud_decision(
        self, decision_id: int, *, upheld: bool, reviewer: str
    ) -> LoggedDecision:
        """Close a fraud decision as upheld or overturned (``already_reviewed`` if
        closed)."""
        return fraud.review(self.context, decision_id, upheld=upheld, reviewer=reviewer)

    def reconcile(self) -> ReconcileReport:
        """Recompute every balance from the transfer log, and keep the outcome as the
        last reconcile (what the admin page shows, without reconciling per view)."""
        report = self.ledger.reconcile()
        self.ledger.write(credentials.save_reconcile(report, now_ns=self.context.clock.now_ns()))
        return report

    def delete_expired(self) -> credentials.Swept:
        """One bounded step of deleting what no one can use any more: idempotency
        records older than ``idempotency_retention_s``, revoked tokens and sign-in
        links past their expiry, old reconcile runs. Safe from several processes."""
        now_ns = self.context.clock.now_ns()
        retention_ns = self.context.settings.idempotency_retention_s * 1_000_000_000
        step = credentials.sweep(now_ns=now_ns, idempotency_before_ns=now_ns - retention_ns)
        return self.ledger.write(step)

    def last_reconcile(self) -> credentials.ReconcileRun | None:
        """The outcome of the last reconcile, or ``None`` before the first."""
        return self.ledger.read(credentials.last_reconcile)

    # --- test mode (development only) ----------------------------------------------

    def test_clock(self) -> TestClockView:
        """The economy's time and its test clock's offset (development only)."""
        return test_clock.view(self.context)

    def advance_test_clock(self, seconds: int, *, once: Once | None = None) -> TestClockView:
        """Move the economy's clock forward (development only; never back)."""
        return test_clock.advance(self.context, seconds, once=once)

    def sandbox_try_card(self, payment_id: str, card_number: str) -> CardAttempt:
        """Pay an open sandbox payment with a test card, as its checkout page does
        (development only); ``later`` on the answer sends what follows."""
        return sandbox_payments.try_card(self.context, payment_id, card_number)

    def sandbox_refund(
        self, payment_id: str, amount_minor: int | None = None
    ) -> PaymentOutcome | None:
        """The sandbox refunds a payment (all that is left when no amount is given)."""
        return sandbox_payments.refund(self.context, payment_id, amount_minor)

    def sandbox_dispute(self, payment_id: str) -> PaymentOutcome | None:
        """The card holder disputes a sandbox payment: a chargeback."""
        return sandbox_payments.dispute(self.context, payment_id)

    def sync_test_clock(self) -> None:
        """Catch up with another server process's advance of the test clock."""
        test_clock.sync(self.context)
