"""Who a bench's gifts are from and to, and the key they are sent with: what a load
generator in another process needs to know (plain values, so it travels as JSON)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GiftTarget:
    api_key: str
    """A platform key with ``gifts:write``."""
    creator_id: int
    first_viewer_id: int
    viewers: int
    """Senders take turns over ``viewers`` consecutive ids from ``first_viewer_id``."""
    gift_id: int
    batch_size: int = 1

    def sender(self, number: int) -> int:
        return self.first_viewer_id + number % self.viewers
