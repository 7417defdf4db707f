"""``Client``: the API over a blocking ``httpx.Client``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar

import httpx

from giftflow.client.call import Call, Outcome, Prepared, Retry, conclude, prepare
from giftflow.client.options import TIMEOUT_S, Options, connection, new_idempotency_key
from giftflow.client.surface import Operations

P = ParamSpec("P")
T = TypeVar("T")


class Client(Operations):
    """``Client("http://127.0.0.1:8000", credential=key)``; every operation of the API
    is a method (``client.get_wallet(7)``), and ``send`` sends any ``Call``.

    ``http`` is an ``httpx.Client`` of the caller's (its ``base_url`` set), which the
    client then does not close. ``sleep`` waits between retries.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        credential: str | None = None,
        timeout_s: float = TIMEOUT_S,
        retry: Retry | None = None,
        http: httpx.Client | None = None,
        new_key: Callable[[], str] = new_idempotency_key,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http, self._owns_http = connection(
            http,
            base_url,
            timeout_s=timeout_s,
            open_http=httpx.Client,
            missing="a Client needs a base_url or an httpx.Client",
        )
        self._options = Options(credential, retry or Retry(), new_key)
        self._sleep = sleep

    @property
    def credential(self) -> str | None:
        return self._options.credential

    def with_credential(self, credential: str | None) -> Client:
        """The same connection pool, speaking as ``credential`` (a user's token, another
        key). Closing it closes nothing: the pool stays the first client's."""
        other = Client(http=self._http, sleep=self._sleep)
        other._options = replace(self._options, credential=credential)
        return other

    def send(self, call: Call[T]) -> T:
        """Send ``call``, again while ``retry`` allows, and return its result."""
        prepared = prepare(call, credential=self.credential, new_key=self._options.new_key)
        attempt = 1
        while True:
            outcome = self._attempt(prepared)
            delay_s = self._options.retry.delay_s(prepared, attempt, outcome)
            if delay_s is None:
                return conclude(prepared, outcome)
            self._sleep(delay_s)
            attempt += 1

    def _attempt(self, prepared: Prepared[Any]) -> Outcome:
        try:
            return self._http.request(**prepared.arguments())
        except httpx.TransportError as error:
            return error

    def _operation(self, build: Callable[P, Call[T]]) -> Callable[P, T]:
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            return self.send(build(*args, **kwargs))

        return run

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
