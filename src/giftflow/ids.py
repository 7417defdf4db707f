"""The ids that more than one domain package names, as ``NewType``s over ``int``.

The economy, LIVE and analytics stand side by side and never import one another, yet
each names users and gifts; their id types live here, below all three (standard library
only). The ledger's own ``AccountId`` and ``TransferId`` live in
``giftflow.ledger.limits``. A ``NewType`` costs nothing at run time and makes the
checker refuse one id where another is expected: a user id given for an account id, a
catalog gift id for a sent gift's (which is its coin transfer's ``TransferId``).
See docs/decisions/0121-ids-travel-as-their-newtypes.md.
"""

from __future__ import annotations

from typing import NewType

UserId = NewType("UserId", int)
"""A user's id (a viewer, a creator, or both; a room's id is its creator's): 1 ..
``economy.chart.USER_ID_MAX``, packed into their ledger accounts' ids."""

GiftId = NewType("GiftId", int)
"""A gift of the catalog (``Gift.id``, as the gift list numbers it)."""
