"""Fraud decisions: logged for review, whatever they decided."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.economy.errors import EconomyError, NotFoundError
from giftflow.economy.fraud import Decision
from giftflow.service.economy.context import EconomyContext
from giftflow.store.tx import Row, Tx

_COLUMNS = (
    "id, rule, action, user_id, subject, detail, created_at, review_state, reviewed_by, reviewed_at"
)


@dataclass(frozen=True, slots=True)
class LoggedDecision:
    id: int
    rule: str
    action: str
    user_id: int | None
    subject: str
    detail: str
    created_at: int
    review_state: str
    reviewed_by: str | None
    reviewed_at: int


def _logged(row: Row) -> LoggedDecision:
    return LoggedDecision(*row)


def insert(tx: Tx, decision: Decision, now: int, context: EconomyContext | None = None) -> None:
    """Log a decision; with ``context``, ``fraud.decision`` goes to webhooks out."""
    tx.execute(
        "INSERT INTO fraud_decisions (rule, action, user_id, subject, detail, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (
            decision.rule.value,
            decision.action.value,
            decision.user_id,
            decision.subject,
            decision.detail,
            now,
        ),
    )
    row = tx.fetchone()
    assert row is not None, "INSERT … RETURNING answers its row"
    if context is not None:
        data = lambda: _decision_data(int(row[0]), decision, now)  # noqa: E731 (when subscribed)
        context.notify(tx, decision.user_id or 0, "fraud.decision", data, now)


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


def logged(tx: Tx, decision: Decision) -> bool:
    """Whether this very decision (rule, user, subject and detail) was logged already."""
    return bool(
        tx.scalar(
            "SELECT COUNT(*) FROM fraud_decisions"
            " WHERE rule = ? AND user_id = ? AND subject = ? AND detail = ?",
            (decision.rule.value, decision.user_id, decision.subject, decision.detail),
        )
    )


def decisions(
    context: EconomyContext, *, open_only: bool = False, limit: int = 100
) -> list[LoggedDecision]:
    where = "WHERE review_state = 'open'" if open_only else ""
    query = f"SELECT {_COLUMNS} FROM fraud_decisions {where} ORDER BY id DESC LIMIT ?"
    return context.ledger.read(
        lambda tx: [_logged(r) for r in tx.execute(query, (limit,)).fetchall()]
    )


def open_for_user(tx: Tx, user_id: int) -> int:
    return int(
        tx.scalar(
            "SELECT COUNT(*) FROM fraud_decisions WHERE user_id = ? AND review_state = 'open'"
            " AND action <> 'allow'",
            (user_id,),
        )
    )


def review(
    context: EconomyContext, decision_id: int, *, upheld: bool, reviewer: str
) -> LoggedDecision:
    """Close a decision: ``upheld`` (it was right) or overturned (it was not)."""
    state = "upheld" if upheld else "overturned"

    def close(tx: Tx) -> LoggedDecision:
        row = tx.execute(
            f"SELECT {_COLUMNS} FROM fraud_decisions WHERE id = ?", (decision_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no fraud decision {decision_id}", code="decision_not_found")
        if row[7] != "open":
            raise EconomyError(
                f"decision {decision_id} was already reviewed", code="already_reviewed"
            )
        tx.execute(
            "UPDATE fraud_decisions SET review_state = ?, reviewed_by = ?, reviewed_at = ?"
            " WHERE id = ? AND review_state = 'open'",
            (state, reviewer, context.now(), decision_id),
        )
        updated = tx.execute(
            f"SELECT {_COLUMNS} FROM fraud_decisions WHERE id = ?", (decision_id,)
        ).fetchone()
        assert updated is not None
        return _logged(updated)

    return context.ledger.write(close)
