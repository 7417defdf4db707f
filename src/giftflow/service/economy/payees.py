"""Payee destinations: stored per creator, copied onto each payout when requested."""

from __future__ import annotations

from giftflow.economy.errors import EconomyError, NotACreatorError, NotFoundError
from giftflow.economy.payees import Payee, PayeeKind, normalised
from giftflow.service.economy import users
from giftflow.service.economy.context import EconomyContext
from giftflow.store.tx import Tx


def put(
    context: EconomyContext, creator_id: int, *, kind: PayeeKind, destination: str, holder_name: str
) -> Payee:
    """Set (or replace) the creator's destination; payouts requested from now on use it."""
    creator = users.get(context, creator_id)
    if not creator.is_creator:
        raise NotACreatorError(f"user {creator_id} is not a creator")
    payee = Payee(kind, normalised(kind, destination), holder_name)
    now = context.now()

    def write(tx: Tx) -> None:
        tx.execute(
            "INSERT INTO payee_destinations (creator_id, kind, destination, holder_name,"
            " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (creator_id) DO UPDATE SET"
            " kind = excluded.kind, destination = excluded.destination,"
            " holder_name = excluded.holder_name, updated_at = excluded.updated_at",
            (creator_id, payee.kind.value, payee.destination, payee.holder_name, now),
        )

    context.ledger.write(write)
    return payee


def find(tx: Tx, creator_id: int) -> Payee | None:
    row = tx.execute(
        "SELECT kind, destination, holder_name FROM payee_destinations WHERE creator_id = ?",
        (creator_id,),
    ).fetchone()
    return None if row is None else Payee(PayeeKind(row[0]), row[1], row[2])


def get(context: EconomyContext, creator_id: int) -> Payee:
    users.get(context, creator_id)
    payee = context.ledger.read(lambda tx: find(tx, creator_id))
    if payee is None:
        raise NotFoundError(
            f"creator {creator_id} has no payee destination yet",
            code="payee_destination_not_found",
        )
    return payee


def missing(creator_id: int) -> EconomyError:
    return EconomyError(
        f"creator {creator_id} has no payee destination: set one with"
        f" PUT /v1/creators/{creator_id}/payee-destination before cashing out",
        code="payee_destination_missing",
    )
