"""Partner batches: approved payouts handed to a payout partner as its batch file, and
the partner's results file applied whole in one transaction (paid posts the
reservation and books the cash; failed voids it), so importing it again changes
nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from giftflow.economy.errors import PayoutError
from giftflow.economy.payouts import PayoutState
from giftflow.partners.base import PayoutPartner, PayoutResult
from giftflow.service.economy.context import EconomyContext, first_failure, ledger_error
from giftflow.service.economy.payouts import (
    get,
    paid_transfers,
    state_update,
    void_reserve,
    when_ok,
)
from giftflow.service.engine import Outcome, Part
from giftflow.service.once import Once
from giftflow.store import payouts as stored
from giftflow.store.payouts import Payout
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What a results file did: the payouts it paid, failed, and found already so."""

    paid: list[str]
    failed: list[str]
    unchanged: list[str]


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
        update = state_update(context, payout.id, current, done, reference=result.reference)
        return Part(paid_transfers(payout), when_ok(update))
    summary.failed.append(payout.id)
    reason = result.failure_reason or "failed at the partner"
    update = state_update(context, payout.id, current, done, reason=reason)
    return Part([void_reserve(payout)], when_ok(update))


def _check_result(context: EconomyContext, result: PayoutResult) -> Payout:
    payout = get(context, result.payout_id)
    done = PayoutState.PAID if result.paid else PayoutState.FAILED
    if payout.state != done and (payout.state != PayoutState.APPROVED or payout.batch_id is None):
        raise PayoutError(
            f"payout {payout.id} is {payout.state}, not in a partner batch",
            code="payout_state_invalid",
        )
    return payout
