"""Payouts' rows: the payout (its quote, partner, state, batch and payee), the day's
requested totals, the compare-and-set of its state, and the approved payouts a partner's
batch takes. The rules are ``giftflow.economy.payouts``; the flows (request, approve,
reject, batches, results) ``giftflow.service.economy.payout_requests``, ``.payouts``
and ``.payout_batches``; the diamonds and the cash are in the ledger's accounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.economy.payees import mask
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.ledger.limits import TransferId
from giftflow.partners.base import PayoutLine
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = (
    "id, creator_id, diamonds, gross_minor, fee_minor, net_minor, currency, region, partner,"
    " state, batch_id, partner_reference, failure_reason, reserve_transfer_id, requested_at,"
    " updated_at, payee_kind, payee_destination, payee_holder_name"
)


@dataclass(frozen=True, slots=True)
class Payout:
    id: str
    creator_id: UserId
    diamonds: int
    gross_minor: int
    fee_minor: int
    net_minor: int
    currency: str
    region: str
    partner: str
    state: str
    batch_id: str | None
    partner_reference: str | None
    failure_reason: str | None
    reserve_transfer_id: TransferId
    requested_at: UnixNs
    updated_at: UnixNs
    payee_kind: str | None = None
    payee_destination: str | None = None
    """In full (for the partner); shown masked (``payee_masked``)."""
    payee_holder_name: str | None = None

    @property
    def payee_masked(self) -> str | None:
        return None if self.payee_destination is None else mask(self.payee_destination)


def payout_from(row: NamedRow) -> Payout:
    return Payout(
        id=row["id"],
        creator_id=row["creator_id"],
        diamonds=row["diamonds"],
        gross_minor=row["gross_minor"],
        fee_minor=row["fee_minor"],
        net_minor=row["net_minor"],
        currency=row["currency"],
        region=row["region"],
        partner=row["partner"],
        state=row["state"],
        batch_id=row["batch_id"],
        partner_reference=row["partner_reference"],
        failure_reason=row["failure_reason"],
        reserve_transfer_id=row["reserve_transfer_id"],
        requested_at=row["requested_at"],
        updated_at=row["updated_at"],
        payee_kind=row["payee_kind"],
        payee_destination=row["payee_destination"],
        payee_holder_name=row["payee_holder_name"],
    )


def by_id(tx: Tx, payout_id: str) -> Payout | None:
    row = tx.named(f"SELECT {COLUMNS} FROM payouts WHERE id = ?", (payout_id,))
    return None if row is None else payout_from(row)


def newest(
    tx: Tx, *, creator_id: UserId | None = None, state: str | None = None, limit: int
) -> list[Payout]:
    """Payouts, newest request first, of one creator and/or in one state (all when
    ``None``), ``limit`` at most."""
    conditions: list[str] = []
    parameters: list[object] = []
    for column, value in (("creator_id", creator_id), ("state", state)):
        if value is not None:
            conditions.append(f"{column} = ?")
            parameters.append(value)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = tx.named_all(
        f"SELECT {COLUMNS} FROM payouts{where} ORDER BY requested_at DESC LIMIT ?",
        (*parameters, limit),
    )
    return [payout_from(row) for row in rows]


def requested_since(tx: Tx, creator_id: UserId, *, since_ns: int) -> int:
    """The gross (minor units) of the creator's payouts requested at ``since_ns`` or
    later, failed and rejected ones left out."""
    return int(
        tx.scalar(
            "SELECT COALESCE(SUM(gross_minor), 0) FROM payouts WHERE creator_id = ?"
            " AND requested_at >= ? AND state NOT IN ('failed', 'rejected')",
            (creator_id, since_ns),
        )
    )


def lock_creator(tx: Tx, creator_id: UserId) -> None:
    """Lock the creator's user row until the transaction ends, so that two payout
    requests of one creator check the daily maximum in turn. PostgreSQL only: SQLite
    has one writer anyway."""
    if tx.dialect == "postgresql":
        tx.execute("SELECT id FROM users WHERE id = ? FOR UPDATE", (creator_id,))


def insert(tx: Tx, payout: Payout) -> None:
    tx.execute(
        f"INSERT INTO payouts ({COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            payout.id,
            payout.creator_id,
            payout.diamonds,
            payout.gross_minor,
            payout.fee_minor,
            payout.net_minor,
            payout.currency,
            payout.region,
            payout.partner,
            payout.state,
            payout.batch_id,
            payout.partner_reference,
            payout.failure_reason,
            payout.reserve_transfer_id,
            payout.requested_at,
            payout.updated_at,
            payout.payee_kind,
            payout.payee_destination,
            payout.payee_holder_name,
        ),
    )


def set_state(
    tx: Tx,
    payout_id: str,
    *,
    current: str,
    target: str,
    now_ns: int,
    reference: str | None = None,
    reason: str | None = None,
) -> bool:
    """The compare-and-set of a payout's state: ``current`` to ``target``, with the
    partner's reference and the failure reason when given (kept otherwise); False when
    the payout was not in ``current`` (or does not exist)."""
    tx.execute(
        "UPDATE payouts SET state = ?, updated_at = ?,"
        " partner_reference = COALESCE(?, partner_reference),"
        " failure_reason = COALESCE(?, failure_reason) WHERE id = ? AND state = ?",
        (target, now_ns, reference, reason, payout_id, current),
    )
    return tx.rowcount == 1


def approved_lines(tx: Tx, *, partner: str) -> list[PayoutLine]:
    """The partner's approved payouts in no batch yet, oldest request first, as the
    partner needs them (the creator's external id and name, the payee in full)."""
    rows = tx.named_all(
        "SELECT p.id AS payout_id, u.external_id AS creator_external_id,"
        " u.display_name AS creator_name, p.region AS region, p.currency AS currency,"
        " p.net_minor AS net_minor, p.fee_minor AS fee_minor, p.gross_minor AS gross_minor,"
        " p.diamonds AS diamonds, p.payee_kind AS payee_kind,"
        " p.payee_destination AS payee_destination, p.payee_holder_name AS payee_holder_name"
        " FROM payouts p JOIN users u ON u.id = p.creator_id WHERE p.state = 'approved'"
        " AND p.partner = ? AND p.batch_id IS NULL ORDER BY p.requested_at",
        (partner,),
    )
    return [
        PayoutLine(
            payout_id=row["payout_id"],
            creator_external_id=row["creator_external_id"],
            creator_name=row["creator_name"],
            region=row["region"],
            currency=row["currency"],
            net_minor=row["net_minor"],
            fee_minor=row["fee_minor"],
            gross_minor=row["gross_minor"],
            diamonds=row["diamonds"],
            payee_kind=row["payee_kind"],
            payee_destination=row["payee_destination"],
            payee_holder_name=row["payee_holder_name"],
        )
        for row in rows
    ]


def join_batch(tx: Tx, payout_id: str, *, batch_id: str) -> bool:
    """Put a payout in a partner's batch; False when it is in one already."""
    tx.execute(
        "UPDATE payouts SET batch_id = ? WHERE id = ? AND batch_id IS NULL",
        (batch_id, payout_id),
    )
    return tx.rowcount == 1
