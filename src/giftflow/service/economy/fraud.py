"""Fraud decisions: logged for review, whatever they decided (the rows are
``giftflow.store.fraud``)."""

from __future__ import annotations

from giftflow.economy.errors import EconomyError, NotFoundError
from giftflow.economy.fraud import Decision
from giftflow.ids import UserId
from giftflow.service.economy.context import EconomyContext
from giftflow.store import fraud as stored
from giftflow.store.fraud import LoggedDecision
from giftflow.store.tx import Tx

__all__ = ["LoggedDecision", "decisions", "insert", "log", "logged", "open_for_user", "review"]


def insert(tx: Tx, decision: Decision, now: int, context: EconomyContext | None = None) -> None:
    """Log a decision; with ``context``, ``fraud.decision`` goes to webhooks out."""
    decision_id = stored.insert(tx, decision, now_ns=now)
    if context is not None:
        data = lambda: _decision_data(decision_id, decision, now)  # noqa: E731 (when subscribed)
        context.notify(tx, decision.user_id or UserId(0), "fraud.decision", data, now)


def _decision_data(decision_id: int, decision: Decision, at: int) -> dict[str, object]:
    return {
        "decision_id": decision_id,
        "rule": decision.rule.value,
        "action": decision.action.value,
        "user_id": decision.user_id,
        "subject": decision.subject,
        "detail": decision.detail,
        "created_at": at,
    }


def log(context: EconomyContext, decision: Decision) -> None:
    now = context.now()
    context.ledger.write(lambda tx: insert(tx, decision, now, context))


logged = stored.logged
"""Whether this very decision (rule, user, subject and detail) was logged already."""

open_for_user = stored.open_against
"""How many decisions against the user (other than ``allow``) are still open."""


def decisions(
    context: EconomyContext, *, open_only: bool = False, limit: int = 100
) -> list[LoggedDecision]:
    return context.ledger.read(lambda tx: stored.newest(tx, open_only=open_only, limit=limit))


def review(
    context: EconomyContext, decision_id: int, *, upheld: bool, reviewer: str
) -> LoggedDecision:
    """Close a decision: ``upheld`` (it was right) or overturned (it was not)."""
    state = "upheld" if upheld else "overturned"

    def close(tx: Tx) -> LoggedDecision:
        found = stored.by_id(tx, decision_id)
        if found is None:
            raise NotFoundError(f"no fraud decision {decision_id}", code="decision_not_found")
        if found.review_state != "open":
            raise EconomyError(
                f"decision {decision_id} was already reviewed", code="already_reviewed"
            )
        stored.close(tx, decision_id, state=state, reviewer=reviewer, now_ns=context.now())
        updated = stored.by_id(tx, decision_id)
        assert updated is not None
        return updated

    return context.ledger.write(close)
