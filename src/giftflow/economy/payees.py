"""Where a creator's cash goes: a payee destination, kept for the payout partner and
shown masked everywhere else.

A payout takes the destination it was requested with (a copy on the payout), so the
administrator who approves it approves where the money goes, and a destination changed
afterwards (a stolen sign-in, say) reaches only later payouts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from giftflow.economy.errors import EconomyError

SHOWN_CHARS: Final = 4
"""Characters of a destination shown in the clear: its last four, as banks show cards."""
MASK: Final = "••••"
_COMPACT: Final = re.compile(r"[\s-]+")
_PATTERNS: Final = {
    "iban": re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}"),
    "bank_account": re.compile(r"[A-Za-z0-9/.:]{4,64}"),
    "paypal": re.compile(r"[^@\s]{1,64}@[^@\s]{1,63}\.[^@\s]{2,63}"),
    "other": re.compile(r"[!-~]{4,128}"),
}


class PayeeKind(StrEnum):
    IBAN = "iban"
    """An IBAN, spaces allowed (kept without them)."""
    BANK_ACCOUNT = "bank_account"
    """Another bank's account number (routing and account, as the partner reads it)."""
    PAYPAL = "paypal"
    """A PayPal account's e-mail address."""
    OTHER = "other"
    """Whatever the operator's partner reads: printable ASCII, 4 to 128 characters."""


@dataclass(frozen=True, slots=True)
class Payee:
    kind: PayeeKind
    destination: str
    """In full: for the partner's batch only."""
    holder_name: str

    @property
    def masked(self) -> str:
        return mask(self.destination)


def mask(destination: str) -> str:
    """``••••`` and the last four characters (a destination that short: all masked)."""
    if len(destination) <= SHOWN_CHARS:
        return MASK
    return MASK + destination[-SHOWN_CHARS:]


def normalised(kind: PayeeKind, destination: str) -> str:
    """The destination as the partner gets it, or ``payee_destination_invalid``."""
    value = destination.strip()
    if kind in (PayeeKind.IBAN, PayeeKind.BANK_ACCOUNT):
        value = _COMPACT.sub("", value)
    if kind == PayeeKind.IBAN:
        value = value.upper()
    if not _PATTERNS[kind.value].fullmatch(value):
        raise EconomyError(
            f"that is not a destination of kind {kind.value} ({_HINTS[kind]})",
            code="payee_destination_invalid",
        )
    return value


_HINTS: Final = {
    PayeeKind.IBAN: "two letters, two digits, then 11 to 30 letters or digits",
    PayeeKind.BANK_ACCOUNT: "4 to 64 letters, digits, '/', '.' or ':'",
    PayeeKind.PAYPAL: "an e-mail address",
    PayeeKind.OTHER: "4 to 128 printable ASCII characters",
}
