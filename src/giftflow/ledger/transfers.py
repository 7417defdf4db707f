"""Transfers: immutable movements of one unit from a debit to a credit account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, NamedTuple

from giftflow.ledger.clock import UnixNs
from giftflow.ledger.limits import AccountId, TransferId
from giftflow.ledger.units import UnitCode


class TransferFlags:
    """Transfer flags, combined with ``|``. Plain ints, not an ``IntFlag``: the state
    machine tests them for every transfer and enum arithmetic costs microseconds."""

    NONE: Final = 0
    LINKED: Final = 1
    """This transfer and the next one succeed or fail together (a chain ends at the
    first transfer without the flag)."""
    PENDING: Final = 2
    """Reserve the amount: it moves to the pending counters until posted or voided."""
    POST_PENDING: Final = 4
    """Post (a part of) the pending transfer ``pending_id``; the rest is released."""
    VOID_PENDING: Final = 8
    """Release the pending transfer ``pending_id`` entirely."""
    OVERRIDE_FROZEN: Final = 16
    """Apply even though an account is frozen. A frozen account is frozen against its
    owner; the platform still takes back what it is owed (refunds, chargebacks and their
    reversals). The flag is stored with the transfer, so every override is on record.
    It never lifts a balance limit."""


CLOSING_FLAGS: Final = TransferFlags.POST_PENDING | TransferFlags.VOID_PENDING


class Transfer(NamedTuple):
    """A transfer as the client submits it and as the ledger stores it (immutable).

    The client chooses ``id`` (the idempotency key). ``timestamp`` is assigned by the
    ledger (nanoseconds since the epoch, strictly increasing within one ledger) and must
    be 0 on submission. For POST_PENDING and VOID_PENDING transfers, ``debit_account_id``,
    ``credit_account_id``, ``unit`` and ``code`` may be left 0/"" and are copied from the
    pending transfer; ``amount`` 0 posts or voids the whole pending amount.

    A ``NamedTuple`` rather than a frozen dataclass: it is built once per transfer on
    the hot path, and a frozen dataclass takes five times as long to construct.
    """

    id: TransferId
    debit_account_id: AccountId
    credit_account_id: AccountId
    amount: int
    unit: UnitCode
    code: int
    flags: int = 0
    pending_id: TransferId = TransferId(0)
    timeout_s: int = 0
    user_data_1: int = 0
    user_data_2: int = 0
    user_data_3: int = 0
    timestamp: int = 0

    def differing_field(self, other: Transfer) -> str | None:
        """The first field (other than ``id`` and ``timestamp``) in which they differ."""
        for index in range(1, 12):
            if self[index] != other[index]:
                return self._fields[index]
        return None


COMPARED_FIELDS: Final[tuple[str, ...]] = Transfer._fields[1:12]


def closing(
    transfer_id: TransferId,
    pending_id: TransferId,
    *,
    post: bool,
    code: int = 0,
    amount: int = 0,
    flags: int = 0,
) -> Transfer:
    """A post (``post=True``) or void of ``pending_id`` that leaves the accounts and
    unit to be copied from it; ``amount`` 0 closes the whole reserve, ``code`` 0 copies
    the pending transfer's code."""
    kind = TransferFlags.POST_PENDING if post else TransferFlags.VOID_PENDING
    return Transfer(
        id=transfer_id,
        debit_account_id=AccountId(0),
        credit_account_id=AccountId(0),
        amount=amount,
        unit=UnitCode(""),
        code=code,
        flags=kind | flags,
        pending_id=pending_id,
    )


class PendingStatus:
    """Where a pending transfer stands. Plain strings, as stored in the database."""

    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class PendingState:
    """A pending transfer and its current status (``closed_at`` 0 while still open)."""

    transfer: Transfer
    status: str = PendingStatus.PENDING
    closed_at: UnixNs = 0

    @property
    def expires_at(self) -> int:
        """The timestamp at which it expires; 0 for never."""
        if self.transfer.timeout_s == 0:
            return 0
        return self.transfer.timestamp + self.transfer.timeout_s * 1_000_000_000
