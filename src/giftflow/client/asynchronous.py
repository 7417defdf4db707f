"""``AsyncClient``: the API over an ``httpx.AsyncClient``, for asyncio (and trio)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar

import httpx

from giftflow.client.call import Call, Outcome, Prepared, Retry, conclude, prepare
from giftflow.client.options import TIMEOUT_S, Options, connection, new_idempotency_key
from giftflow.client.surface import Operations

P = ParamSpec("P")
T = TypeVar("T")


class AsyncClient(Operations):
    """``AsyncClient(base_url, credential=key)``: the methods of ``Client``, awaited
    (``await client.get_wallet(7)``); ``send`` sends any ``Call``."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        credential: str | None = None,
        timeout_s: float = TIMEOUT_S,
        retry: Retry | None = None,
        http: httpx.AsyncClient | None = None,
        new_key: Callable[[], str] = new_idempotency_key,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http, self._owns_http = connection(
            http,
            base_url,
            timeout_s=timeout_s,
            open_http=httpx.AsyncClient,
            missing="an AsyncClient needs a base_url or an httpx.AsyncClient",
        )
        self._options = Options(credential, retry or Retry(), new_key)
        self._sleep = sleep

    @property
    def credential(self) -> str | None:
        return self._options.credential

    def with_credential(self, credential: str | None) -> AsyncClient:
        """The same connection pool, speaking as ``credential``; closing it closes nothing."""
        other = AsyncClient(http=self._http, sleep=self._sleep)
        other._options = replace(self._options, credential=credential)
        return other

    async def send(self, call: Call[T]) -> T:
        """Send ``call``, again while ``retry`` allows, and return its result."""
        prepared = prepare(call, credential=self.credential, new_key=self._options.new_key)
        attempt = 1
        while True:
            outcome = await self._attempt(prepared)
            delay_s = self._options.retry.delay_s(prepared, attempt, outcome)
            if delay_s is None:
                return conclude(prepared, outcome)
            await self._sleep(delay_s)
            attempt += 1

    async def _attempt(self, prepared: Prepared[Any]) -> Outcome:
        try:
            return await self._http.request(**prepared.arguments())
        except httpx.TransportError as error:
            return error

    def _operation(self, build: Callable[P, Call[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
        async def run(*args: P.args, **kwargs: P.kwargs) -> T:
            return await self.send(build(*args, **kwargs))

        return run

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
