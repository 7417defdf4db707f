"""Users' rows: who they are, their region and status. Their money is in the ledger's
accounts (``giftflow.economy.chart`` names them); the flows are
``giftflow.service.economy.users``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from giftflow.economy.users import User
from giftflow.ids import UserId
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = (
    "id, external_id, display_name, birth_date, region, is_creator, identity_verified, created_at"
)


def user_from(row: NamedRow) -> User:
    return User(
        id=row["id"],
        external_id=row["external_id"],
        display_name=row["display_name"],
        birth_date=date.fromisoformat(row["birth_date"]),
        region=row["region"],
        is_creator=bool(row["is_creator"]),
        identity_verified=bool(row["identity_verified"]),
        created_at=row["created_at"],
    )


def by_id(tx: Tx, user_id: UserId) -> User | None:
    row = tx.named(f"SELECT {COLUMNS} FROM users WHERE id = ?", (user_id,))
    return None if row is None else user_from(row)


def by_ids(tx: Tx, user_ids: Sequence[UserId]) -> dict[UserId, User]:
    """The users of these ids that exist, in one statement."""
    if not user_ids:
        return {}
    clause, parameter = tx.any_of(list(dict.fromkeys(user_ids)))
    rows = tx.named_all(f"SELECT {COLUMNS} FROM users WHERE id {clause}", (parameter,))
    return {row["id"]: user_from(row) for row in rows}


def by_external_id(tx: Tx, external_id: str) -> User | None:
    row = tx.named(f"SELECT {COLUMNS} FROM users WHERE external_id = ?", (external_id,))
    return None if row is None else user_from(row)


def insert(
    tx: Tx,
    *,
    external_id: str,
    display_name: str,
    birth_date: date,
    region: str,
    is_creator: bool,
    identity_verified: bool,
    now_ns: int,
) -> User:
    row = tx.named(
        "INSERT INTO users (external_id, display_name, birth_date, region, is_creator,"
        f" identity_verified, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}",
        (
            external_id,
            display_name,
            birth_date.isoformat(),
            region,
            is_creator,
            identity_verified,
            now_ns,
        ),
    )
    assert row is not None  # INSERT … RETURNING answers the row it wrote
    return user_from(row)


def set_status(tx: Tx, user_id: UserId, *, is_creator: bool, identity_verified: bool) -> None:
    tx.execute(
        "UPDATE users SET is_creator = ?, identity_verified = ? WHERE id = ?",
        (is_creator, identity_verified, user_id),
    )
