"""The core both clients share: a ``Call`` says what to send and how to read the answer;
``prepare`` fills in the credential and the Idempotency-Key; ``conclude`` turns an answer
into the call's result or a typed error; ``Retry`` says whether and when to send again.

Nothing here does I/O: ``Client`` and ``AsyncClient`` only move the prepared request
through httpx and sleep when ``Retry`` says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Generic, TypeVar
from urllib.parse import quote

import httpx

from giftflow.client.decode import DecodeError, decode
from giftflow.client.errors import (
    AnswerInvalidError,
    ClientError,
    ProblemError,
    RateLimitedError,
    TransportError,
)
from giftflow.client.models import FieldProblem

T = TypeVar("T")
Json = dict[str, Any]
Query = Mapping[str, str | int | bool | None]
PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One request of the API and how to read its answer (built by ``giftflow.client.calls``).

    ``keyed`` calls move money and carry an ``Idempotency-Key``: ``idempotency_key``, or
    one the client makes when it is ``None``. ``repeatable`` calls change nothing when sent
    twice (the API's *retry* column), so the client may send them again after a lost answer.
    """

    method: str
    path: str
    read: Callable[[httpx.Response], T]
    query: Query = field(default_factory=dict)
    body: Json | None = None
    content: bytes | None = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    keyed: bool = False
    idempotency_key: str | None = None
    repeatable: bool = False
    authenticated: bool = True

    @property
    def safe_to_resend(self) -> bool:
        """Sending it again after a lost answer cannot apply it twice."""
        return self.method in SAFE_METHODS or self.keyed or self.repeatable


def path(template: str, *parts: str | int) -> str:
    """``template`` with each ``{}`` replaced by a part, quoted (``/`` included)."""
    return template.format(*(quote(str(part), safe="") for part in parts))


def keyed(call: Call[T], idempotency_key: str | None) -> Call[T]:
    return replace(call, keyed=True, idempotency_key=idempotency_key)


# --- reading answers -------------------------------------------------------------------


def model(kind: type[T]) -> Callable[[httpx.Response], T]:
    """Read the answer as JSON into the dataclass ``kind``."""

    def read(response: httpx.Response) -> T:
        try:
            return decode(kind, _json(response))
        except DecodeError as error:
            raise AnswerInvalidError(f"{response.request.url.path}: {error}") from None

    return read


def json_object(response: httpx.Response) -> Json:
    """An answer the document describes only as an object (the analytics reports)."""
    body = _json(response)
    if not isinstance(body, dict):
        raise AnswerInvalidError(f"{response.request.url.path}: the answer is not an object")
    return body


def text(response: httpx.Response) -> str:
    """A text answer (CSV, HTML, Prometheus metrics)."""
    return response.text


def nothing(response: httpx.Response) -> None:
    """204: no content."""


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise AnswerInvalidError(f"{response.request.url.path}: the answer is not JSON") from None


# --- preparing and concluding ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prepared(Generic[T]):
    """A call with its credential and key, as httpx takes it."""

    call: Call[T]
    headers: Mapping[str, str]
    idempotency_key: str | None

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of ``httpx.Client.request`` (and of the async one)."""
        call = self.call
        query = {
            name: _query_value(value) for name, value in call.query.items() if value is not None
        }
        return {
            "method": call.method,
            "url": call.path,
            "params": query,
            "json": call.body,
            "content": call.content,
            "files": call.files,
            "data": call.form,
            "headers": self.headers,
        }


def _query_value(value: str | int | bool) -> str | int:
    return ("true" if value else "false") if isinstance(value, bool) else value


def prepare(call: Call[T], *, credential: str | None, new_key: Callable[[], str]) -> Prepared[T]:
    headers = dict(call.headers)
    if call.authenticated and credential is not None:
        headers["Authorization"] = f"Bearer {credential}"
    key = (call.idempotency_key or new_key()) if call.keyed else None
    if key is not None:
        headers[IDEMPOTENCY_HEADER] = key
    return Prepared(call, headers, key)


Outcome = httpx.Response | httpx.TransportError
"""What one attempt got: an answer, or none."""


def conclude(prepared: Prepared[T], outcome: Outcome) -> T:
    """The call's result, or the error its outcome means."""
    key = prepared.idempotency_key
    if isinstance(outcome, httpx.TransportError):
        message = (
            f"{prepared.call.method} {prepared.call.path}: {type(outcome).__name__}: {outcome}"
        )
        raise TransportError(message, idempotency_key=key) from outcome
    if outcome.is_success:
        try:
            return prepared.call.read(outcome)
        except ClientError as error:
            error.idempotency_key = key
            raise
    raise problem(outcome, idempotency_key=key)


def problem(response: httpx.Response, *, idempotency_key: str | None = None) -> ProblemError:
    """The error an answer of status 400 or more stands for."""
    body = _problem_body(response)
    status = response.status_code
    kind = RateLimitedError if status == 429 else ProblemError
    errors = body.get("errors") or []
    return kind(
        status=status,
        code=str(body.get("code") or "http_error"),
        detail=str(body.get("detail") or response.reason_phrase),
        title=str(body.get("title") or ""),
        type=str(body.get("type") or ""),
        instance=body.get("instance"),
        errors=tuple(_field_problem(item) for item in errors if isinstance(item, dict)),
        retry_after_s=retry_after_s(response),
        body=body,
        idempotency_key=idempotency_key,
    )


def _problem_body(response: httpx.Response) -> Json:
    """The problem's fields; ``{}`` for an answer that is not one (``giftflow serve``'s
    plain-text 503 at its connection cap, a proxy's error page)."""
    if not response.headers.get("content-type", "").startswith(PROBLEM_MEDIA_TYPE):
        return {"detail": response.text[:200]} if response.text else {}
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _field_problem(item: Json) -> FieldProblem:
    return FieldProblem(
        location=str(item.get("location", "")),
        message=str(item.get("message", "")),
        type=str(item.get("type", "")),
    )


def retry_after_s(response: httpx.Response) -> int | None:
    """``Retry-After`` in whole seconds (giftflow never sends the HTTP-date form)."""
    value = response.headers.get("retry-after", "")
    return int(value) if value.isdigit() else None


# --- retrying --------------------------------------------------------------------------

RETRIED_CODES: Final = frozenset(
    {
        "rate_limited",
        "engine_overloaded",
        "store_unavailable",
        "not_ready",
        "conflict",
        "streak_conflict",
        "maturation_conflict",
        "batch_conflict",
        "idempotency_key_in_use",
    }
)
"""Problems whose request changed nothing and may go through later (docs/api.md)."""


@dataclass(frozen=True, slots=True)
class Retry:
    """When to send a call again: at most ``attempts_max`` sends in all.

    Problems in ``codes`` (and any 503) are sent again after ``Retry-After`` or an
    exponential backoff from ``backoff_s``; a lost answer only for calls that are safe to
    resend. A wait over ``wait_max_s`` is not waited: the error is raised instead.
    ``Retry(attempts_max=1)`` never retries.
    """

    attempts_max: int = 3
    backoff_s: float = 0.2
    wait_max_s: float = 30.0
    codes: frozenset[str] = RETRIED_CODES

    def delay_s(self, prepared: Prepared[Any], attempt: int, outcome: Outcome) -> float | None:
        """Seconds to wait before the next attempt, or ``None``: conclude with this one."""
        if attempt >= self.attempts_max or not self._retriable(prepared, outcome):
            return None
        backoff = self.backoff_s * 2 ** (attempt - 1)
        wait = None if isinstance(outcome, httpx.TransportError) else retry_after_s(outcome)
        delay = backoff if wait is None else max(float(wait), backoff)
        return delay if delay <= self.wait_max_s else None

    def _retriable(self, prepared: Prepared[Any], outcome: Outcome) -> bool:
        if isinstance(outcome, httpx.TransportError):
            # A connection never made sent nothing; any other loss may have applied it.
            return isinstance(outcome, httpx.ConnectError) or prepared.call.safe_to_resend
        if outcome.status_code < 400:
            return False
        return outcome.status_code == 503 or _problem_body(outcome).get("code") in self.codes


NO_RETRY: Final = Retry(attempts_max=1)
