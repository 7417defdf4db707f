"""A payout's request: the creator's eligibility (a creator, of age, verified where the
region asks, a payee and a known partner), the quote, the day's maximum checked before
and again inside the transaction, and the pending transfer that reserves the diamonds,
written with the payout's row in one transaction (``giftflow.service.economy.payouts``
holds what follows)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time

from giftflow.economy.catalog.model import PayoutRules
from giftflow.economy.chart import AccountKind, TransferCode, platform_account
from giftflow.economy.errors import (
    AccountFrozenError,
    InsufficientFundsError,
    NotACreatorError,
    PayoutError,
)
from giftflow.economy.ids import derived_id
from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.economy.payouts import (
    PayoutQuote,
    PayoutState,
    above_daily_maximum,
    check_daily_maximum,
    check_transition,
    quote,
)
from giftflow.economy.users import User, require_adult
from giftflow.ids import UserId
from giftflow.ledger.limits import TransferId
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.ledger.transfers import Transfer, TransferFlags
from giftflow.ledger.units import DIAMOND
from giftflow.partners.base import PayoutPartner
from giftflow.service.economy import earnings, fraud, payees, users
from giftflow.service.economy.context import EconomyContext, first_failure, ledger_error
from giftflow.service.economy.payouts import announce, find, get
from giftflow.service.once import AnsweredError, Once
from giftflow.store import payouts as stored
from giftflow.store.payouts import Payout
from giftflow.store.tx import Record, RecordRejectedError, Tx


def request(
    context: EconomyContext,
    partners: dict[str, PayoutPartner],
    *,
    creator_id: UserId,
    diamonds: int,
    partner: str,
    once: Once | None = None,
) -> Payout:
    """Reserve the diamonds and write the payout in one transaction, ``held`` (or
    ``requested`` while a fraud decision about the creator is open), with ``once``'s
    answer."""
    creator = users.get(context, creator_id)
    terms = _eligible(context, creator, partner, partners)
    payee = context.ledger.read(lambda tx: payees.find(tx, creator.id))
    if payee is None:
        raise payees.missing(creator.id)
    earnings.mature(context, creator.id)
    offer = quote(diamonds, terms)
    check_daily_maximum(offer, _requested_today(context, creator.id), terms)
    payout_id = context.new_id("po")
    reserve = Transfer(
        id=derived_id("payout-reserve", payout_id),
        debit_account_id=creator.earnings_available,
        credit_account_id=platform_account(AccountKind.DIAMONDS_WITHDRAWN),
        amount=offer.units,
        unit=DIAMOND,
        code=TransferCode.PAYOUT_RESERVE,
        flags=TransferFlags.PENDING,
        user_data_1=creator.id,
    )
    payout = replace(
        _new_payout(context, payout_id, creator, offer, partner, reserve.id),
        payee_kind=payee.kind.value,
        payee_destination=payee.destination,
        payee_holder_name=payee.holder_name,
    )
    record = _insert_record(context, payout, since=_midnight(context), terms=terms, once=once)
    try:
        results = context.ledger.create_transfers([reserve], record)
    except AnsweredError:
        raise
    except RecordRejectedError as rejected:
        raise PayoutError(str(rejected), code=rejected.code, facts=rejected.facts) from None
    failure = first_failure(results)
    if failure is not None:
        raise _reserve_error(context, creator.id, offer, failure)
    return get(context, payout_id)


def _eligible(
    context: EconomyContext, creator: User, partner: str, partners: dict[str, PayoutPartner]
) -> PayoutRules:
    if not creator.is_creator:
        raise NotACreatorError(f"user {creator.id} is not a creator")
    terms = context.catalog.region(creator.region).payout
    require_adult(creator, context.today(), minimum_age=terms.minimum_age_years, role="creator")
    if terms.identity_verification_required and not creator.identity_verified:
        raise PayoutError("verify your identity before cashing out", code="identity_not_verified")
    if partner not in partners:
        raise PayoutError(f"no payout partner {partner!r}", code="partner_unknown")
    return terms


def _midnight(context: EconomyContext) -> int:
    midnight = datetime.combine(context.today(), time(0), UTC)
    return int(midnight.timestamp()) * 1_000_000_000


def _requested_today(context: EconomyContext, creator_id: UserId) -> int:
    since = _midnight(context)
    return context.ledger.read(lambda tx: stored.requested_since(tx, creator_id, since_ns=since))


def _new_payout(
    context: EconomyContext,
    payout_id: str,
    creator: User,
    offer: PayoutQuote,
    partner: str,
    reserve_id: TransferId,
) -> Payout:
    """The payout as requested (no payee yet; its state is settled on insert)."""
    now = context.now()
    return Payout(
        id=payout_id,
        creator_id=creator.id,
        diamonds=offer.diamonds,
        gross_minor=offer.gross_minor,
        fee_minor=offer.fee_minor,
        net_minor=offer.net_minor,
        currency=offer.currency,
        region=creator.region,
        partner=partner,
        state=PayoutState.REQUESTED.value,
        batch_id=None,
        partner_reference=None,
        failure_reason=None,
        reserve_transfer_id=reserve_id,
        requested_at=now,
        updated_at=now,
    )


def _insert_record(
    context: EconomyContext,
    payout: Payout,
    *,
    since: int,
    terms: PayoutRules,
    once: Once | None,
) -> Record:
    """Insert the payout with its reservation. The daily maximum is checked again in
    this transaction (two requests racing past the first check cannot both pass): on
    PostgreSQL the creator's row is locked first, SQLite has one writer anyway. Open
    fraud decisions about the creator keep it ``requested`` for a person to look at;
    otherwise it goes on to ``held`` (awaiting approval) in the same transaction."""
    creator_id, gross, now = payout.creator_id, payout.gross_minor, payout.requested_at

    def record(tx: Tx, results: list[TransferResult]) -> None:
        if results[0].code != TransferResultCode.OK:
            return
        stored.lock_creator(tx, creator_id)
        today = stored.requested_since(tx, creator_id, since_ns=since)
        if today + gross > terms.daily_maximum_minor:
            refusal = above_daily_maximum(today, gross, terms)
            raise RecordRejectedError(refusal.message, code=refusal.code, facts=refusal.facts)
        state = PayoutState.REQUESTED
        if not fraud.open_for_user(tx, creator_id):
            check_transition(state, PayoutState.HELD)
            state = PayoutState.HELD
        stored.insert(tx, replace(payout, state=state.value))
        announce(context, tx, payout.id, state, now)
        if once is not None:
            once.keep(tx, find(tx, payout.id), now=now)

    return record


def _reserve_error(
    context: EconomyContext, creator_id: UserId, offer: PayoutQuote, failure: TransferResult
) -> Exception:
    if failure.code == TransferResultCode.INSUFFICIENT_FUNDS:
        return _not_enough(earnings.earnings(context, creator_id), offer)
    if failure.code == TransferResultCode.ACCOUNT_FROZEN:
        return AccountFrozenError("the creator's earnings are frozen")
    return ledger_error(failure, "the payout reservation")


def _not_enough(view: earnings.EarningsView, offer: PayoutQuote) -> InsufficientFundsError:
    """What the creator has, what is still held and when the next of it matures."""
    pending = view.pending_diamonds
    when = ""
    if view.next_matures_at is not None:
        moment = datetime.fromtimestamp(view.next_matures_at // 1_000_000_000, UTC)
        when = f"; the next pending diamonds mature at {moment.isoformat().replace('+00:00', 'Z')}"
    return InsufficientFundsError(
        f"the payout takes {offer.diamonds:,} diamonds; {view.available_diamonds:,} are"
        f" available and {pending:,} still pending in their holding period{when}",
        facts={
            "requested_diamonds": offer.diamonds,
            "available_diamonds": view.available_diamonds,
            "pending_diamonds": pending,
            "in_payout_diamonds": view.in_payout_units // UNITS_PER_DIAMOND,
            "next_matures_at": view.next_matures_at,
        },
    )
