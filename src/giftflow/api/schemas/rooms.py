"""Rooms: the read-only tokens their overlays listen with."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class RoomTokenPublic(BaseModel):
    token: str
    """Goes in the WebSocket URL: ``/v1/rooms/{room_id}/events?token=...``."""
    room_id: int
    scope: Literal["room:read"] = "room:read"
    expires_at: datetime
