"""Fraud decisions' rows: every decision a rule took, logged for review whatever it
decided, and the review that closed it. The rules are ``giftflow.economy.fraud``; the
flows ``giftflow.service.economy.fraud``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.economy.fraud import Decision
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = (
    "id, rule, action, user_id, subject, detail, created_at, review_state, reviewed_by, reviewed_at"
)


@dataclass(frozen=True, slots=True)
class LoggedDecision:
    """A decision as logged, with its review."""

    id: int
    rule: str
    action: str
    user_id: UserId | None
    subject: str
    detail: str
    created_at: UnixNs
    """When it was taken (nanoseconds since the epoch)."""
    review_state: str
    """``open``, ``upheld`` or ``overturned``."""
    reviewed_by: str | None
    reviewed_at: UnixNs
    """When it was reviewed (nanoseconds since the epoch; 0 while open)."""


def decision_from(row: NamedRow) -> LoggedDecision:
    return LoggedDecision(
        id=row["id"],
        rule=row["rule"],
        action=row["action"],
        user_id=row["user_id"],
        subject=row["subject"],
        detail=row["detail"],
        created_at=row["created_at"],
        review_state=row["review_state"],
        reviewed_by=row["reviewed_by"],
        reviewed_at=row["reviewed_at"],
    )


def insert(tx: Tx, decision: Decision, *, now_ns: int) -> int:
    """Log a decision; its id."""
    row = tx.named(
        "INSERT INTO fraud_decisions (rule, action, user_id, subject, detail, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (
            decision.rule.value,
            decision.action.value,
            decision.user_id,
            decision.subject,
            decision.detail,
            now_ns,
        ),
    )
    assert row is not None, "INSERT … RETURNING answers its row"
    return int(row["id"])


def logged(tx: Tx, decision: Decision) -> bool:
    """Whether this very decision (rule, user, subject and detail) was logged already."""
    return bool(
        tx.scalar(
            "SELECT COUNT(*) FROM fraud_decisions"
            " WHERE rule = ? AND user_id = ? AND subject = ? AND detail = ?",
            (decision.rule.value, decision.user_id, decision.subject, decision.detail),
        )
    )


def newest(tx: Tx, *, open_only: bool, limit: int) -> list[LoggedDecision]:
    """The newest decisions first (only those still open, with ``open_only``)."""
    where = "WHERE review_state = 'open'" if open_only else ""
    rows = tx.named_all(
        f"SELECT {COLUMNS} FROM fraud_decisions {where} ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [decision_from(row) for row in rows]


def by_id(tx: Tx, decision_id: int) -> LoggedDecision | None:
    row = tx.named(f"SELECT {COLUMNS} FROM fraud_decisions WHERE id = ?", (decision_id,))
    return None if row is None else decision_from(row)


def open_against(tx: Tx, user_id: UserId) -> int:
    """How many decisions against the user (other than ``allow``) are still open."""
    return int(
        tx.scalar(
            "SELECT COUNT(*) FROM fraud_decisions WHERE user_id = ? AND review_state = 'open'"
            " AND action <> 'allow'",
            (user_id,),
        )
    )


def close(tx: Tx, decision_id: int, *, state: str, reviewer: str, now_ns: int) -> bool:
    """Close an open decision; False when it was not open."""
    tx.execute(
        "UPDATE fraud_decisions SET review_state = ?, reviewed_by = ?, reviewed_at = ?"
        " WHERE id = ? AND review_state = 'open'",
        (state, reviewer, now_ns, decision_id),
    )
    return tx.rowcount == 1
