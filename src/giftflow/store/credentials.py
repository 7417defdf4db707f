"""What keeps credentials revocable, in the store (decision 0026).

Every use of a user token reads its *standing* in one query: does its user still
exist, still hold its role (a creator token needs a creator, an admin token a staff
user), is the key that issued it in force, was the token revoked, was it issued before
its user's cut-off. Room tokens carry their room's generation; revoking a room's tokens
starts the next one. Sign-in links are one-time codes for the dashboard. The sweep
deletes what no one can use any more, in bounded steps, safely from several processes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from giftflow.ids import UserId
from giftflow.ledger.reconcile import Mismatch, ReconcileReport, UnitTotals
from giftflow.store.tx import Tx

SWEEP_BATCH: Final = 1_000
"""Rows one sweep step deletes per table at most: a sweep never holds a long lock."""


@dataclass(frozen=True, slots=True)
class Standing:
    """What a user token's use depends on, read at that use."""

    user_exists: bool
    is_creator: bool
    is_staff: bool
    key_revoked_at_ns: int | None
    """The issuing key's revocation time (0: in force); None when there is no such key."""
    token_revoked: bool
    not_before_s: int
    """Tokens of this user issued before this Unix second are refused (0: none)."""


def standing(user_id: UserId, key_id: str, token_id: str) -> Callable[[Tx], Standing]:
    def read(tx: Tx) -> Standing:
        row = tx.execute(
            "SELECT"
            " (SELECT COUNT(*) FROM users WHERE id = ?),"
            " (SELECT COUNT(*) FROM users WHERE id = ? AND is_creator),"
            " (SELECT COUNT(*) FROM staff_users WHERE user_id = ?),"
            " (SELECT revoked_at FROM api_keys WHERE id = ?),"
            " (SELECT COUNT(*) FROM revoked_tokens WHERE token_id = ?),"
            " (SELECT not_before_s FROM user_token_cutoffs WHERE user_id = ?)",
            (user_id, user_id, user_id, key_id, token_id, user_id),
        ).fetchone()
        assert row is not None  # a SELECT of scalars always answers one row
        exists, creator, staff, key_revoked_at, revoked, not_before = row
        return Standing(
            user_exists=bool(exists),
            is_creator=bool(creator),
            is_staff=bool(staff),
            key_revoked_at_ns=None if key_revoked_at is None else int(key_revoked_at),
            token_revoked=bool(revoked),
            not_before_s=int(not_before or 0),
        )

    return read


def revoke_token(token_id: str, *, now_ns: int, expires_at_ns: int) -> Callable[[Tx], bool]:
    """Refuse the token from now on; False when it was revoked already."""

    def revoke(tx: Tx) -> bool:
        tx.execute(
            "INSERT INTO revoked_tokens (token_id, revoked_at, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (token_id) DO NOTHING",
            (token_id, now_ns, expires_at_ns),
        )
        return tx.rowcount == 1

    return revoke


def cut_off_user(user_id: UserId, *, not_before_s: int) -> Callable[[Tx], None]:
    """Refuse every token of the user issued before ``not_before_s``."""

    def cut(tx: Tx) -> None:
        tx.execute(
            "INSERT INTO user_token_cutoffs (user_id, not_before_s) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET not_before_s = excluded.not_before_s"
            " WHERE user_token_cutoffs.not_before_s < excluded.not_before_s",
            (user_id, not_before_s),
        )

    return cut


# --- staff -------------------------------------------------------------------------------


def set_staff(user_id: UserId, *, staff: bool, now_ns: int) -> Callable[[Tx], bool]:
    """Make the user staff (or no longer); False when nothing changed."""

    def change(tx: Tx) -> bool:
        if staff:
            tx.execute(
                "INSERT INTO staff_users (user_id, granted_at) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO NOTHING",
                (user_id, now_ns),
            )
        else:
            tx.execute("DELETE FROM staff_users WHERE user_id = ?", (user_id,))
        return tx.rowcount == 1

    return change


def user_exists(user_id: UserId) -> Callable[[Tx], bool]:
    return lambda tx: bool(tx.scalar("SELECT COUNT(*) FROM users WHERE id = ?", (user_id,)))


def staff_ids(tx: Tx) -> list[UserId]:
    rows = tx.execute("SELECT user_id FROM staff_users ORDER BY user_id").fetchall()
    return [UserId(int(row[0])) for row in rows]


def is_staff(user_id: UserId) -> Callable[[Tx], bool]:
    return lambda tx: bool(
        tx.scalar("SELECT COUNT(*) FROM staff_users WHERE user_id = ?", (user_id,))
    )


# --- room tokens -------------------------------------------------------------------------


def room_generation(room_id: UserId) -> Callable[[Tx], int]:
    """The room's token generation: 0 until its tokens are first revoked."""
    return lambda tx: int(
        tx.scalar(
            "SELECT COALESCE(MAX(generation), 0) FROM room_token_generations WHERE room_id = ?",
            (room_id,),
        )
    )


def next_room_generation(room_id: UserId, *, now_ns: int) -> Callable[[Tx], int]:
    """Refuse every room token issued so far for the room; the new generation."""

    def bump(tx: Tx) -> int:
        tx.execute(
            "INSERT INTO room_token_generations (room_id, generation, revoked_at)"
            " VALUES (?, 1, ?) ON CONFLICT (room_id) DO UPDATE"
            " SET generation = room_token_generations.generation + 1,"
            " revoked_at = excluded.revoked_at",
            (room_id, now_ns),
        )
        return room_generation(room_id)(tx)

    return bump


# --- sign-in links -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignInGrant:
    """What a used sign-in link grants: a dashboard session for one user in one role,
    on behalf of the key that made the link."""

    user_id: UserId
    role: str
    key_id: str


def code_sha256(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def add_sign_in_link(
    grant: SignInGrant, code: str, *, now_ns: int, expires_at_ns: int
) -> Callable[[Tx], None]:
    def add(tx: Tx) -> None:
        tx.execute(
            "INSERT INTO sign_in_links (code_sha256, user_id, role, key_id, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (code_sha256(code), grant.user_id, grant.role, grant.key_id, now_ns, expires_at_ns),
        )

    return add


def sign_in_link(code: str, *, now_ns: int) -> Callable[[Tx], SignInGrant | None]:
    """The link's grant while it is unused and unexpired (it is not used up)."""

    def read(tx: Tx) -> SignInGrant | None:
        row = tx.execute(
            "SELECT user_id, role, key_id FROM sign_in_links"
            " WHERE code_sha256 = ? AND used_at = 0 AND expires_at > ?",
            (code_sha256(code), now_ns),
        ).fetchone()
        return None if row is None else SignInGrant(UserId(int(row[0])), str(row[1]), str(row[2]))

    return read


def use_sign_in_link(code: str, *, now_ns: int) -> Callable[[Tx], SignInGrant | None]:
    """Use the link up: its grant, once; None when unknown, expired or used already
    (of two uses racing, one update wins)."""

    def use(tx: Tx) -> SignInGrant | None:
        grant = sign_in_link(code, now_ns=now_ns)(tx)
        if grant is None:
            return None
        tx.execute(
            "UPDATE sign_in_links SET used_at = ? WHERE code_sha256 = ? AND used_at = 0",
            (now_ns, code_sha256(code)),
        )
        return grant if tx.rowcount == 1 else None

    return use


# --- reconcile runs ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReconcileRun:
    ran_at_ns: int
    report: ReconcileReport


def save_reconcile(report: ReconcileReport, *, now_ns: int) -> Callable[[Tx], None]:
    document = json.dumps(dataclasses.asdict(report), separators=(",", ":"))

    def save(tx: Tx) -> None:
        tx.execute(
            "INSERT INTO reconcile_runs (ran_at, ok, report) VALUES (?, ?, ?)",
            (now_ns, report.ok, document),
        )

    return save


def last_reconcile(tx: Tx) -> ReconcileRun | None:
    row = tx.execute(
        "SELECT ran_at, report FROM reconcile_runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    stored = json.loads(row[1])
    report = ReconcileReport(
        transfers=stored["transfers"],
        accounts=stored["accounts"],
        units=[UnitTotals(**totals) for totals in stored["units"]],
        mismatches=[Mismatch(**mismatch) for mismatch in stored["mismatches"]],
        problems=list(stored["problems"]),
    )
    return ReconcileRun(int(row[0]), report)


# --- the sweep ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Swept:
    idempotency_keys: int = 0
    revoked_tokens: int = 0
    sign_in_links: int = 0
    reconcile_runs: int = 0

    @property
    def total(self) -> int:
        return sum(dataclasses.astuple(self))


RECONCILE_RUNS_KEPT: Final = 100


def sweep(
    *, now_ns: int, idempotency_before_ns: int, batch: int = SWEEP_BATCH
) -> Callable[[Tx], Swept]:
    """Delete, at most ``batch`` rows a table: idempotency records older than
    ``idempotency_before_ns`` (answered ones; a claim without an answer is kept for the
    books' checks), revoked tokens and sign-in links past their expiry, and reconcile
    runs beyond the newest ``RECONCILE_RUNS_KEPT``. Deleting what another process
    deleted already deletes nothing, so processes may sweep at once."""

    def run(tx: Tx) -> Swept:
        return Swept(
            idempotency_keys=_delete(
                tx,
                "idempotency_keys",
                "(principal, key) IN (SELECT principal, key FROM idempotency_keys"
                " WHERE created_at < ? AND status_code <> 0 LIMIT ?)",
                (idempotency_before_ns, batch),
            ),
            revoked_tokens=_delete(
                tx,
                "revoked_tokens",
                "token_id IN (SELECT token_id FROM revoked_tokens WHERE expires_at < ? LIMIT ?)",
                (now_ns, batch),
            ),
            sign_in_links=_delete(
                tx,
                "sign_in_links",
                "code_sha256 IN (SELECT code_sha256 FROM sign_in_links"
                " WHERE expires_at < ? LIMIT ?)",
                (now_ns, batch),
            ),
            reconcile_runs=_delete(
                tx,
                "reconcile_runs",
                "id IN (SELECT id FROM reconcile_runs ORDER BY id DESC LIMIT ? OFFSET ?)",
                (batch, RECONCILE_RUNS_KEPT),
            ),
        )

    return run


def _delete(tx: Tx, table: str, where: str, parameters: tuple[int, ...]) -> int:
    tx.execute(f"DELETE FROM {table} WHERE {where}", parameters)  # the names are ours
    return max(tx.rowcount, 0)
