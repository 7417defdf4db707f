"""Errors as RFC 9457 problem details: every ``GiftflowError`` answered with the status
``giftflow.http.problem_codes`` gives its code, as ``application/problem+json``::

    {"type": "urn:giftflow:problem:insufficient_funds", "title": "Unprocessable Content",
     "status": 422, "code": "insufficient_funds", "detail": "...", "instance": "/v1/gifts"}

Server errors (5xx) never say more than their code: no message, no trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from giftflow.errors import Fact, GiftflowError
from giftflow.http.errors import RateLimitedError
from giftflow.http.logs import redact
from giftflow.http.problem_codes import RETRY_AFTER_S, SEE_ALSO, status_for
from giftflow.http.schemas import FieldProblem, Problem
from giftflow.http.schemas.common import BRANCH, at

MEDIA_TYPE: Final = "application/problem+json"
TYPE_PREFIX: Final = "urn:giftflow:problem:"
log = logging.getLogger("giftflow.api")

_HTTP_CODES: Final = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[FieldProblem] | None = None,
    facts: dict[str, Fact] | None = None,
) -> Problem:
    return Problem(
        type=TYPE_PREFIX + code,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        instance=instance,
        errors=errors,
        facts=facts or None,
    )


def from_error(error: GiftflowError, *, instance: str | None = None) -> Problem:
    status = status_for(error)
    if status == 503:  # overload or a store away: expected, and never worth a trace each
        log.warning("%s answered 503 %s", instance, error.code)
    elif status >= 500:
        log.error("%s answered %d %s", instance, status, error.code, exc_info=error)
    facts = public_facts(error) if status < 500 else None
    return problem(status, error.code, public_detail(error), instance=instance, facts=facts)


def public_facts(error: GiftflowError) -> dict[str, Fact]:
    """The error's facts, its times (``*_at``, nanoseconds) in the API's format."""
    return {
        name: _rfc3339(value) if name.endswith("_at") and isinstance(value, int) else value
        for name, value in error.facts.items()
    }


def _rfc3339(timestamp_ns: int) -> str:
    return at(timestamp_ns).isoformat().replace("+00:00", "Z")


def public_detail(error: GiftflowError) -> str:
    """The error's message, except for server errors (it may name hosts or internals)."""
    status = status_for(error)
    if status >= 500:
        return _server_detail(status)
    see = SEE_ALSO.get(error.code)
    return error.message if see is None else f"{error.message} (see {see})"


def _server_detail(status: int) -> str:
    if status == 503:
        return "giftflow cannot serve this request now; try again shortly"
    return "giftflow could not answer this request"


def response(problem_: Problem, *, headers: Mapping[str, str] | None = None) -> JSONResponse:
    all_headers = dict(headers or {})
    if problem_.status == 401:
        all_headers["WWW-Authenticate"] = "Bearer"
    if problem_.status == 503:
        all_headers.setdefault("Retry-After", str(RETRY_AFTER_S))
    return JSONResponse(
        problem_.model_dump(mode="json", exclude_none=True),
        status_code=problem_.status,
        media_type=MEDIA_TYPE,
        headers=all_headers,
    )


# --- handlers ------------------------------------------------------------------------


def _instance(request: Request) -> str:
    """The request's path, with any credential in it redacted (a report link's path):
    the problem names it, and so do the log lines about it."""
    return redact(request.url.path)


async def _giftflow_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, GiftflowError)
    return error_response(error, instance=_instance(request))


def error_response(error: GiftflowError, *, instance: str) -> JSONResponse:
    """The answer to ``error`` (a 429 ``rate_limited`` says when to retry)."""
    headers = None
    if isinstance(error, RateLimitedError):
        headers = {"Retry-After": str(error.retry_after_s)}
    return response(from_error(error, instance=instance), headers=headers)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    found = from_validation(error.errors(), instance=_instance(request), body=error.body)
    return response(found)


def from_validation(
    errors: Sequence[Any], *, instance: str | None = None, body: object = None
) -> Problem:
    """Malformed JSON: 400 ``json_invalid``; no Idempotency-Key: 400
    ``idempotency_key_missing``; only texts the Unicode policy refuses: 422
    ``text_invalid``; anything else: 422 ``validation_failed``. Both list every field
    that is wrong, by where it is in what the client sent (``body``, as parsed)."""
    fields = [_field(error, body) for error in errors]
    if any(error.get("type") == "json_invalid" for error in errors):
        return problem(400, "json_invalid", "the body is not valid JSON", instance=instance)
    if any(_is_missing_idempotency_key(error) for error in errors):
        detail = "this request moves money: send an Idempotency-Key header"
        return problem(400, "idempotency_key_missing", detail, instance=instance)
    detail = "; ".join(f"{f.location}: {f.message}" for f in fields[:5])
    text_only = bool(fields) and all(f.type == "text_invalid" for f in fields)
    code = "text_invalid" if text_only else "validation_failed"
    return problem(422, code, detail, instance=instance, errors=fields)


def _field(error: Mapping[str, Any], body: object) -> FieldProblem:
    location = ".".join(client_location(tuple(error.get("loc", ())), body))
    return FieldProblem(
        location=location, message=str(error.get("msg", "")), type=str(error.get("type", ""))
    )


def client_location(location: tuple[object, ...], body: object) -> list[str]:
    """An error's location in the client's terms: the parts that name a union's
    alternative (tagged with ``schemas.branch``) dropped, unless the client sent a key
    of that name there itself. ``("body", "branch:event", "quantity")`` is
    ``body.quantity``; a batch's ``body.gifts.3.quantity`` likewise."""
    if location[:1] != ("body",):
        return [str(part) for part in location]
    parts, value = ["body"], body
    for part in location[1:]:
        if _is_branch(part) and not (isinstance(value, dict) and part in value):
            continue
        parts.append(str(part))
        value = _child(value, part)
    return parts


def _is_branch(part: object) -> bool:
    return isinstance(part, str) and part.startswith(BRANCH)


def _child(value: object, part: object) -> object:
    if isinstance(value, dict):
        return value.get(part)
    if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
        return value[part]
    return None


def _is_missing_idempotency_key(error: Mapping[str, Any]) -> bool:
    location = tuple(str(part).lower() for part in error.get("loc", ()))
    return error.get("type") == "missing" and location == ("header", "idempotency-key")


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    status = error.status_code
    code = _HTTP_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    detail = error.detail if status < 500 else _server_detail(status)
    found = problem(status, code, str(detail), instance=_instance(request))
    return response(found, headers=error.headers)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("%s failed", _instance(request), exc_info=error)
    found = problem(500, "internal_error", _server_detail(500), instance=_instance(request))
    return response(found)


class UnexpectedErrorMiddleware:
    """Answers an unexpected exception with a bare 500 problem and keeps it there.

    Starlette's last-resort handler re-raises after answering, and the server then
    drops the client's keep-alive connection; this one logs and answers instead."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started:
                raise
            answer = await _unexpected(Request(scope), error)
            await answer(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(GiftflowError, _giftflow_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(UnexpectedErrorMiddleware)


RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    status: {"model": Problem, "description": description}
    for status, description in (
        (400, "Malformed request (problem+json)"),
        (401, "No or unknown credentials (problem+json)"),
        (403, "Not allowed (problem+json)"),
        (404, "Not found (problem+json)"),
        (409, "Conflict (problem+json)"),
        (413, "Request body over the route's limit (problem+json)"),
        (422, "Breaks a rule (problem+json)"),
        (429, "Too many requests or gift events; Retry-After (problem+json)"),
        (503, "Unavailable (problem+json)"),
    )
}
"""The problems every operation may answer, for the OpenAPI document (``app.py`` files
them under ``application/problem+json``)."""
