"""Payouts: creators withdraw available diamonds as cash through a payout partner.

The diamonds are reserved with a pending ledger transfer on request; approval and the
partner's batch follow; the partner's result posts the reservation (paid, with the
cash booked in the payout currency) or voids it (failed or rejected: the diamonds come
back). Every state change is a compare-and-set on the payout's row, in the same
transaction as its ledger transfers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, time
from pathlib import Path

from giftflow.economy.catalog.model import PayoutRules
from giftflow.economy.chart import AccountKind, TransferCode, platform_account
from giftflow.economy.errors import (
    AccountFrozenError,
    InsufficientFundsError,
    NotACreatorError,
    PayoutError,
    PayoutNotFoundError,
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
from giftflow.ledger.limits import TransferId
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.ledger.transfers import Transfer, TransferFlags, closing
from giftflow.ledger.units import DIAMOND, fiat
from giftflow.partners.base import PayoutPartner, PayoutResult
from giftflow.service.economy import earnings, fraud, payees, users
from giftflow.service.economy.context import (
    EconomyContext,
    PendingEvent,
    first_failure,
    ledger_error,
)
from giftflow.service.engine import Outcome, Part
from giftflow.service.once import AnsweredError, Once
from giftflow.store import payouts as stored
from giftflow.store.payouts import Payout
from giftflow.store.tx import Record, RecordRejectedError, Tx


@dataclass(frozen=True, slots=True)
class ImportSummary:
    paid: list[str]
    failed: list[str]
    unchanged: list[str]


def get(context: EconomyContext, payout_id: str) -> Payout:
    return context.ledger.read(lambda tx: _find(tx, payout_id))


def _find(tx: Tx, payout_id: str) -> Payout:
    payout = stored.by_id(tx, payout_id)
    if payout is None:
        raise PayoutNotFoundError(f"no payout {payout_id}")
    return payout


def listing(
    context: EconomyContext, *, creator_id: int | None = None, state: str | None = None
) -> list[Payout]:
    return context.ledger.read(
        lambda tx: stored.newest(tx, creator_id=creator_id, state=state, limit=500)
    )


# --- request ----------------------------------------------------------------------


def request(
    context: EconomyContext,
    partners: dict[str, PayoutPartner],
    *,
    creator_id: int,
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


def _requested_today(context: EconomyContext, creator_id: int) -> int:
    since = _midnight(context)
    return context.ledger.read(lambda tx: stored.requested_since(tx, creator_id, since_ns=since))


def _new_payout(
    context: EconomyContext,
    payout_id: str,
    creator: User,
    offer: PayoutQuote,
    partner: str,
    reserve_id: int,
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
        _announce(context, tx, payout.id, state, now)
        if once is not None:
            once.keep(tx, _find(tx, payout.id), now=now)

    return record


def _reserve_error(
    context: EconomyContext, creator_id: int, offer: PayoutQuote, failure: TransferResult
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


# --- transitions ------------------------------------------------------------------


def _move(
    context: EconomyContext,
    payout_id: str,
    target: PayoutState,
    *,
    transfers: list[Transfer] | None = None,
    reference: str | None = None,
    reason: str | None = None,
    once: Once | None = None,
) -> Payout:
    payout = get(context, payout_id)
    current = PayoutState(payout.state)
    check_transition(current, target)
    update = _update(context, payout_id, current, target, reference=reference, reason=reason)

    def update_and_keep(tx: Tx) -> Payout:
        update(tx)
        moved = _find(tx, payout_id)
        if once is not None:
            once.keep(tx, moved, now=context.now())
        return moved

    if not transfers:
        return context.ledger.write(update_and_keep)
    results = context.ledger.create_transfers(transfers, _when_ok(update_and_keep))
    failure = first_failure(results)
    if failure is not None:
        raise ledger_error(failure, f"payout {payout_id} going {target}")
    return get(context, payout_id)


def _update(
    context: EconomyContext,
    payout_id: str,
    current: PayoutState,
    target: PayoutState,
    *,
    reference: str | None = None,
    reason: str | None = None,
) -> Callable[[Tx], None]:
    """The compare-and-set of one payout's state."""
    now = context.now()

    def update(tx: Tx) -> None:
        moved = stored.set_state(
            tx,
            payout_id,
            current=current.value,
            target=target.value,
            now_ns=now,
            reference=reference,
            reason=reason,
        )
        if not moved:
            raise RecordRejectedError(f"payout {payout_id} changed meanwhile")
        _announce(context, tx, payout_id, target, now)

    return update


def _announce(
    context: EconomyContext, tx: Tx, payout_id: str, state: PayoutState, now: int
) -> None:
    """``payout.<state>`` for webhooks out, in the transaction that moved it there."""
    type = f"payout.{state.value}"
    if context.outbox.wants(tx, type):
        payout = _find(tx, payout_id)
        data = asdict(payout) | {"payee_destination": payout.payee_masked}  # masked
        context.stage(tx, [PendingEvent(payout.creator_id, type, data, now)])


def _when_ok(update: Callable[[Tx], object]) -> Record:
    def record(tx: Tx, results: list[TransferResult]) -> None:
        if all(result.code == TransferResultCode.OK for result in results):
            update(tx)

    return record


def approve(context: EconomyContext, payout_id: str, *, once: Once | None = None) -> Payout:
    return _move(context, payout_id, PayoutState.APPROVED, once=once)


def hold(context: EconomyContext, payout_id: str, *, once: Once | None = None) -> Payout:
    """Send a payout kept in ``requested`` on to ``held`` once a person cleared it."""
    return _move(context, payout_id, PayoutState.HELD, once=once)


def reject(
    context: EconomyContext, payout_id: str, reason: str, *, once: Once | None = None
) -> Payout:
    payout = get(context, payout_id)
    return _move(
        context,
        payout_id,
        PayoutState.REJECTED,
        transfers=[_void(payout)],
        reason=reason,
        once=once,
    )


def _void(payout: Payout) -> Transfer:
    reserve = TransferId(payout.reserve_transfer_id)
    return closing(
        derived_id("payout-void", payout.id), reserve, post=False, code=TransferCode.PAYOUT_RETURNED
    )


def _paid(payout: Payout) -> list[Transfer]:
    """Post the reserved diamonds and book the cash: gross to the creator's net payout
    and the partner's fee, in the payout currency; one linked chain."""
    gross = platform_account(AccountKind.PAYOUTS_GROSS, payout.currency)
    unit = fiat(payout.currency)
    legs = [
        closing(
            derived_id("payout-post", payout.id),
            TransferId(payout.reserve_transfer_id),
            post=True,
            code=TransferCode.PAYOUT_PAID,
            flags=TransferFlags.LINKED,
        ),
        Transfer(
            id=derived_id("payout-cash", payout.id),
            debit_account_id=gross,
            credit_account_id=platform_account(AccountKind.PAYOUTS_CASH_OUT, payout.currency),
            amount=payout.net_minor,
            unit=unit,
            code=TransferCode.PAYOUT_CASH,
            user_data_1=payout.creator_id,
        ),
    ]
    if payout.fee_minor:
        legs[-1] = legs[-1]._replace(flags=TransferFlags.LINKED)
        legs.append(
            Transfer(
                id=derived_id("payout-fee", payout.id),
                debit_account_id=gross,
                credit_account_id=platform_account(AccountKind.PAYOUT_FEES, payout.currency),
                amount=payout.fee_minor,
                unit=unit,
                code=TransferCode.PAYOUT_FEE,
                user_data_1=payout.creator_id,
            )
        )
    return legs


# --- partner batches --------------------------------------------------------------


def export_batch(context: EconomyContext, partner: PayoutPartner) -> tuple[str, Path, int] | None:
    """Hand every approved payout not yet in a batch to the partner."""
    batch_id = context.new_id("pb")

    batch = context.ledger.read(lambda tx: stored.approved_lines(tx, partner=partner.name))
    if not batch:
        return None
    path = partner.export_batch(batch_id, batch)

    def mark(tx: Tx) -> None:
        for line in batch:
            if not stored.join_batch(tx, line.payout_id, batch_id=batch_id):
                raise PayoutError(
                    f"payout {line.payout_id} joined another batch", code="batch_conflict"
                )

    try:
        context.ledger.write(mark)
    except PayoutError:
        path.unlink(missing_ok=True)
        raise
    return batch_id, path, len(batch)


def import_results(
    context: EconomyContext, partner: PayoutPartner, source: Path, *, once: Once | None = None
) -> ImportSummary:
    """Apply a partner's results file in one transaction (with ``once``'s answer);
    importing it again changes nothing more. Every line is checked before any is
    applied, and a line whose transfers the ledger refuses takes the whole file back:
    a file that cannot apply whole changes nothing."""
    results = partner.read_results(source)
    named = [result.payout_id for result in results]
    if len(set(named)) != len(named):
        raise PayoutError("the results name a payout more than once", code="partner_file_invalid")
    checked = [(result, _check_result(context, result)) for result in results]
    summary = ImportSummary([], [], [])
    parts = [_result_part(context, result, payout, summary) for result, payout in checked]
    moves = [part for part in parts if part is not None]

    def finish(tx: Tx, outcomes: list[Outcome]) -> None:
        for payout_id, outcome in zip(summary.paid + summary.failed, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                raise outcome
            failure = first_failure(outcome.results)
            if failure is not None:
                raise ledger_error(failure, f"the result of payout {payout_id}")
        if once is not None:
            once.keep(tx, summary, now=context.now())

    if moves or once is not None:
        context.ledger.commit(moves, finish)
    return summary


def _result_part(
    context: EconomyContext, result: PayoutResult, payout: Payout, summary: ImportSummary
) -> Part | None:
    done = PayoutState.PAID if result.paid else PayoutState.FAILED
    if payout.state == done:
        summary.unchanged.append(payout.id)
        return None
    current = PayoutState(payout.state)
    if result.paid:
        summary.paid.append(payout.id)
        update = _update(context, payout.id, current, done, reference=result.reference)
        return Part(_paid(payout), _when_ok(update))
    summary.failed.append(payout.id)
    reason = result.failure_reason or "failed at the partner"
    update = _update(context, payout.id, current, done, reason=reason)
    return Part([_void(payout)], _when_ok(update))


def _check_result(context: EconomyContext, result: PayoutResult) -> Payout:
    payout = get(context, result.payout_id)
    done = PayoutState.PAID if result.paid else PayoutState.FAILED
    if payout.state != done and (payout.state != PayoutState.APPROVED or payout.batch_id is None):
        raise PayoutError(
            f"payout {payout.id} is {payout.state}, not in a partner batch",
            code="payout_state_invalid",
        )
    return payout
