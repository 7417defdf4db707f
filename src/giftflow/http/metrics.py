"""Prometheus metrics, in a registry of each app's own (two apps in one process, as in
tests, never share counters): requests by route template and status, their latency,
and what the economy booked through this app.
"""

from __future__ import annotations

import time
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from giftflow.service.economy import GiftSent

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
UNMATCHED: Final = "<unmatched>"
"""The route label of requests no route matched (keeps the label set bounded)."""
LATENCY_BUCKETS_S: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "giftflow_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "giftflow_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.gifts = Counter(
            "giftflow_gifts_booked",
            "Gifts booked (a streak's events count their deltas: each gift once).",
            registry=self.registry,
        )
        self.gift_coins = Counter(
            "giftflow_gift_coins_booked", "Coins spent on gifts.", registry=self.registry
        )
        self.diamond_units = Counter(
            "giftflow_diamond_units_booked",
            "Diamond units credited to creators by gifts (10,000 per diamond).",
            registry=self.registry,
        )
        self.coins_minted = Counter(
            "giftflow_coins_minted", "Coins minted by verified payments.", registry=self.registry
        )

    def booked(self, gift: GiftSent) -> None:
        """Count a gift event the ledger booked now (a replay was counted the first time)."""
        if gift.replayed:
            return
        self.gifts.inc(gift.quantity)
        self.gift_coins.inc(gift.coins)
        self.diamond_units.inc(gift.diamond_units)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Plain ASGI (no per-request task): counts and times every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", UNMATCHED)
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)
