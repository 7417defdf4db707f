"""Display names of the users an event or the overlay state mentions by id, so that
overlays show people as they call themselves rather than ``User #2``
(docs/decisions/0060). Read in the transaction that builds the event: a name is the
one in force when the event happened."""

from __future__ import annotations

from collections.abc import Iterable

from giftflow.ids import UserId
from giftflow.store import users as stored_users
from giftflow.store.tx import Tx

UNKNOWN: str = ""
"""The name of an id the users table does not hold (never expected; shown as an id)."""


def display_names(tx: Tx, user_ids: Iterable[UserId]) -> dict[UserId, str]:
    """``{user_id: display_name}`` for every id given, in one query."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    found = {user.id: user.display_name for user in stored_users.by_ids(tx, wanted).values()}
    return {user_id: found.get(user_id, UNKNOWN) for user_id in wanted}
