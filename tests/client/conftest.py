"""The client under test against a real server: ``tests/api``'s world (the app served by
uvicorn on a loopback port, an economy on SQLite or PostgreSQL, a manual clock and the
sandbox provider), reached only over HTTP through ``giftflow.client``.

``tests/client`` is a package so that mypy names this module ``client.conftest``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from giftflow.client import AsyncClient, Client
from tests.api.conftest import HOOKS, World, open_world


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    """A fresh economy served over HTTP, on each backend."""
    with open_world(database_url, tmp_path / "payouts", **HOOKS) as opened:
        yield opened


def base_url(world: World) -> str:
    return str(world.client.base_url).rstrip("/")


@pytest.fixture
def admin(world: World) -> Iterator[Client]:
    """A client speaking with the platform's ``admin`` key."""
    with Client(base_url(world), credential=world.admin_key) as client:
        yield client


def async_client(world: World, credential: str | None) -> AsyncClient:
    return AsyncClient(base_url(world), credential=credential)


def now_s(world: World) -> int:
    """The server's time (its manual clock), for signing sandbox events."""
    return world.clock.now_ns() // 1_000_000_000
