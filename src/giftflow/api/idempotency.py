"""``Idempotency-Key`` for every money-moving POST: a retry gets the first answer.

A caller's key is claimed (a row in ``idempotency_keys`` for the caller and the key, with
the SHA-256 of the request and status 0, "in flight") before the work starts, and the
answer is stored in the same row when it is done. Then, for the same caller and key:

- the same request again: the stored status and body, with ``Idempotent-Replayed: true``;
- another request (other body or endpoint): 409 ``idempotency_key_reused``;
- while the first is still running: 409 ``idempotency_key_in_use``.

Every answer is kept, refusals included (a gift refused for insufficient funds stays
refused under that key: use a new key for a new attempt), except answers that may
differ on a retry: server errors, write conflicts and velocity limits give the key back.
A server that dies mid-request leaves its claim in flight; the operation may or may not
have happened, so the key stays 409 until an operator looks (docs/api.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from giftflow.api import problems
from giftflow.api.errors import IdempotencyKeyInUseError, IdempotencyKeyReusedError
from giftflow.api.schemas import Problem
from giftflow.errors import GiftflowError
from giftflow.ledger.clock import Clock
from giftflow.service.ledger import Ledger
from giftflow.store.tx import Tx

HEADER: Final = "Idempotency-Key"
REPLAYED_HEADER: Final = "Idempotent-Replayed"
KEY_PATTERN: Final = r"^[\x21-\x7e]{1,255}$"
"""Visible ASCII, 1 to 255 characters (a UUID is a good choice)."""
_IN_FLIGHT: Final = 0


@dataclass(frozen=True, slots=True)
class Stored:
    status_code: int
    body: str


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of the request as the API understood it: a body that differs only in
    spacing, key order or a default left out is the same request."""
    canonical = json.dumps(
        {"method": method, "path": path, "body": body}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    def claim(self, principal: str, key: str, request_sha256: str) -> Stored | None:
        """Claim the key for this request (None), or the answer stored for it."""
        now = self._clock.now_ns()

        def claim(tx: Tx) -> Stored | None:
            tx.execute(
                "INSERT INTO idempotency_keys (principal, key, request_sha256, status_code,"
                " body, created_at) VALUES (?, ?, ?, ?, '', ?)"
                " ON CONFLICT (principal, key) DO NOTHING",
                (principal, key, request_sha256, _IN_FLIGHT, now),
            )
            if tx.rowcount == 1:
                return None
            row = tx.execute(
                "SELECT request_sha256, status_code, body FROM idempotency_keys"
                " WHERE principal = ? AND key = ?",
                (principal, key),
            ).fetchone()
            assert row is not None, "the insert conflicted with this row"
            if row[0] != request_sha256:
                raise IdempotencyKeyReusedError(
                    "this Idempotency-Key was used for another request; use a new key"
                )
            if row[1] == _IN_FLIGHT:
                raise IdempotencyKeyInUseError("the first request with this key is still running")
            return Stored(row[1], row[2])

        return self._ledger.write(claim)

    def complete(self, principal: str, key: str, status_code: int, body: str) -> None:
        self._ledger.write(
            lambda tx: tx.execute(
                "UPDATE idempotency_keys SET status_code = ?, body = ?"
                " WHERE principal = ? AND key = ? AND status_code = ?",
                (status_code, body, principal, key, _IN_FLIGHT),
            )
        )

    def release(self, principal: str, key: str) -> None:
        self._ledger.write(
            lambda tx: tx.execute(
                "DELETE FROM idempotency_keys WHERE principal = ? AND key = ? AND status_code = ?",
                (principal, key, _IN_FLIGHT),
            )
        )


@dataclass(frozen=True, slots=True)
class Idempotent:
    """One request's key, ready to run the request's work at most once."""

    store: IdempotencyStore
    principal: str
    key: str
    method: str
    path: str

    def run(self, body: Any, status_code: int, work: Callable[[], BaseModel]) -> Response:
        """``body``: the request as JSON-able data; ``work``: the operation, returning
        the response body. Domain errors become problems here, so they are stored."""
        digest = fingerprint(self.method, self.path, body)
        stored = self.store.claim(self.principal, self.key, digest)
        if stored is not None:
            return _replay(stored)
        try:
            result = work()
        except GiftflowError as error:
            problem = problems.from_error(error, instance=self.path)
            self._finish(
                problem.status,
                problem.model_dump(mode="json", exclude_none=True),
                keep=problems.is_final(problem),
            )
            return problems.response(problem)
        except BaseException:
            self.store.release(self.principal, self.key)
            raise
        content = result.model_dump(mode="json")
        self._finish(status_code, content, keep=True)
        return JSONResponse(content, status_code=status_code)

    def _finish(self, status_code: int, content: dict[str, Any], *, keep: bool) -> None:
        if keep:
            self.store.complete(self.principal, self.key, status_code, json.dumps(content))
        else:
            self.store.release(self.principal, self.key)


def _replay(stored: Stored) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    if stored.status_code >= 400:
        problem = Problem.model_validate_json(stored.body)
        return problems.response(problem, headers=headers)
    return Response(
        stored.body, status_code=stored.status_code, media_type="application/json", headers=headers
    )
