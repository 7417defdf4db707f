"""The payout-partner contract: export approved payouts, read back what happened."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PayoutLine:
    """One approved payout as a partner needs it."""

    payout_id: str
    creator_external_id: str
    creator_name: str
    region: str
    currency: str
    net_minor: int
    fee_minor: int
    gross_minor: int
    diamonds: int
    payee_kind: str | None = None
    payee_destination: str | None = None
    """Where to send ``net_minor``, in full (the partner pays it)."""
    payee_holder_name: str | None = None


@dataclass(frozen=True, slots=True)
class PayoutResult:
    """The partner's word on one payout: ``paid`` (with its reference) or ``failed``."""

    payout_id: str
    paid: bool
    reference: str | None = None
    failure_reason: str | None = None


class PayoutPartner(Protocol):
    name: str

    def export_batch(self, batch_id: str, lines: list[PayoutLine]) -> Path:
        """Hand a batch to the partner; returns where it went (a file, for ``manual``)."""
        ...

    def read_results(self, source: Path) -> list[PayoutResult]:
        """The partner's results; raises PartnerFileError for a malformed file."""
        ...
