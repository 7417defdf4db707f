"""LIVE's errors: each a ``GiftflowError`` with a stable ``code``."""

from __future__ import annotations

from giftflow.errors import GiftflowError


class LiveError(GiftflowError):
    code = "live_error"


class LiveNotFoundError(LiveError):
    """A session, goal, battle or chapter named by id does not exist (``code`` says which)."""

    code = "live_not_found"


class LiveStateError(LiveError):
    """The action does not fit the current state (a session already ended, a battle
    over, a booster already used …); ``code`` names the rule."""

    code = "live_state_invalid"
