"""The readiness probe's one statement: the database answers a trivial read."""

from __future__ import annotations

from giftflow.store.tx import Tx


def ping(tx: Tx) -> None:
    """Run ``SELECT 1``; whatever the driver raises reaches the caller, which judges it
    (``GET /ready`` answers 503)."""
    tx.scalar("SELECT 1")
