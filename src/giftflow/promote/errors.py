"""Promote's errors: each a ``GiftflowError`` with a stable ``code``."""

from __future__ import annotations

from giftflow.errors import GiftflowError


class PromoteError(GiftflowError):
    """A promotion that breaks a rule of its own (``code`` names the rule)."""

    code = "promote_error"


class PromotionNotFoundError(PromoteError):
    code = "promotion_not_found"


class CampaignNotFoundError(PromoteError):
    code = "campaign_not_found"


class PromotionStateError(PromoteError):
    """The action does not fit the promotion's state (approving a draft, resuming a
    cancelled one …)."""

    code = "promotion_state_invalid"
