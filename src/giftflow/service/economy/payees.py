"""Payee destinations: stored per creator, copied onto each payout when requested."""

from __future__ import annotations

from giftflow.economy.errors import EconomyError, NotACreatorError, NotFoundError
from giftflow.economy.payees import Payee, PayeeKind, normalised
from giftflow.ids import UserId
from giftflow.service.economy import users
from giftflow.service.economy.context import EconomyContext
from giftflow.store import payees as stored_payees
from giftflow.store.tx import Tx


def put(
    context: EconomyContext,
    creator_id: UserId,
    *,
    kind: PayeeKind,
    destination: str,
    holder_name: str,
) -> Payee:
    """Set (or replace) the creator's destination; payouts requested from now on use it."""
    creator = users.get(context, creator_id)
    if not creator.is_creator:
        raise NotACreatorError(f"user {creator_id} is not a creator")
    payee = Payee(kind, normalised(kind, destination), holder_name)
    now = context.now()

    context.ledger.write(lambda tx: stored_payees.put(tx, creator_id, payee, now_ns=now))
    return payee


def find(tx: Tx, creator_id: UserId) -> Payee | None:
    return stored_payees.of_creator(tx, creator_id)


def get(context: EconomyContext, creator_id: UserId) -> Payee:
    users.get(context, creator_id)
    payee = context.ledger.read(lambda tx: find(tx, creator_id))
    if payee is None:
        raise NotFoundError(
            f"creator {creator_id} has no payee destination yet",
            code="payee_destination_not_found",
        )
    return payee


def missing(creator_id: UserId) -> EconomyError:
    return EconomyError(
        f"creator {creator_id} has no payee destination: set one with"
        f" PUT /v1/creators/{creator_id}/payee-destination before cashing out",
        code="payee_destination_missing",
    )
