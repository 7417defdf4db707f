"""Payout rules: what a creator may withdraw, what it pays out, and how it moves.

A payout reserves the creator's available diamond units with a pending ledger transfer
when requested; it is posted when the partner reports it paid, and voided (the diamonds
return) when it fails or is rejected. States::

    requested -> held -> approved -> paid
         |         |          '----> failed   (diamonds returned)
         '---------'---------------> rejected (diamonds returned)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from giftflow.economy.catalog.model import PayoutRules
from giftflow.economy.errors import PayoutError
from giftflow.economy.money import BPS_SCALE, UNITS_PER_DIAMOND, Fiat
from giftflow.errors import Fact


class PayoutState(StrEnum):
    REQUESTED = "requested"
    HELD = "held"
    APPROVED = "approved"
    PAID = "paid"
    FAILED = "failed"
    REJECTED = "rejected"


TRANSITIONS: dict[PayoutState, frozenset[PayoutState]] = {
    PayoutState.REQUESTED: frozenset({PayoutState.HELD, PayoutState.REJECTED}),
    PayoutState.HELD: frozenset({PayoutState.APPROVED, PayoutState.REJECTED}),
    PayoutState.APPROVED: frozenset({PayoutState.PAID, PayoutState.FAILED}),
    PayoutState.PAID: frozenset(),
    PayoutState.FAILED: frozenset(),
    PayoutState.REJECTED: frozenset(),
}
RETURNS_DIAMONDS = frozenset({PayoutState.FAILED, PayoutState.REJECTED})


@dataclass(frozen=True, slots=True)
class PayoutQuote:
    """``diamonds`` are what leaves the creator's balance: the diamonds asked for,
    less any that would convert to a fraction of the currency's minor unit (those
    stay with the creator, never rounded away)."""

    diamonds: int
    gross_minor: int
    fee_minor: int
    net_minor: int
    currency: str

    @property
    def units(self) -> int:
        return self.diamonds * UNITS_PER_DIAMOND


def quote(diamonds: int, terms: PayoutRules) -> PayoutQuote:
    """Rounding rules: cash is rounded down to the minor unit; diamonds that would
    only make a fraction of it are not taken; the fee is rounded up (in full minor
    units), so that gross = net + fee holds exactly."""
    if diamonds <= 0:
        raise PayoutError("a payout takes at least one diamond", code="amount_invalid")
    rate = terms.cash_per_1000_diamonds_minor
    gross = diamonds * rate // 1000
    taken = -(-gross * 1000 // rate) if gross else 0
    fee = terms.fee_fixed_minor + -(-gross * terms.fee_bps // BPS_SCALE)
    facts: dict[str, Fact] = {
        "diamonds": diamonds,
        "gross_minor": gross,
        "currency": terms.currency,
    }
    if gross < terms.minimum_minor:
        least = minimum_diamonds(terms)
        raise PayoutError(
            f"{diamonds:,} diamonds make {Fiat(gross, terms.currency)}, below the minimum"
            f" payout of {Fiat(terms.minimum_minor, terms.currency)}: ask for at least"
            f" {least:,} diamonds",
            code="payout_below_minimum",
            facts=facts | {"minimum_minor": terms.minimum_minor, "minimum_diamonds": least},
        )
    if gross - fee <= 0:
        raise PayoutError(
            f"the fee of {Fiat(fee, terms.currency)} would take the whole payout of"
            f" {Fiat(gross, terms.currency)} ({diamonds:,} diamonds)",
            code="payout_below_fee",
            facts=facts | {"fee_minor": fee},
        )
    return PayoutQuote(taken, gross, fee, gross - fee, terms.currency)


def minimum_diamonds(terms: PayoutRules) -> int:
    """The fewest diamonds whose cash reaches the region's minimum payout."""
    rate = terms.cash_per_1000_diamonds_minor
    return max(1, -(-terms.minimum_minor * 1000 // rate))


def above_daily_maximum(paid_today_minor: int, gross_minor: int, terms: PayoutRules) -> PayoutError:
    """The refusal of a payout that would take today's payouts past the maximum."""
    currency = terms.currency
    left = max(terms.daily_maximum_minor - paid_today_minor, 0)
    return PayoutError(
        f"this payout of {Fiat(gross_minor, currency)} and today's"
        f" {Fiat(paid_today_minor, currency)} would exceed the daily maximum of"
        f" {Fiat(terms.daily_maximum_minor, currency)}; {Fiat(left, currency)} is left today",
        code="payout_above_daily_maximum",
        facts={
            "gross_minor": gross_minor,
            "requested_today_minor": paid_today_minor,
            "daily_maximum_minor": terms.daily_maximum_minor,
            "currency": currency,
        },
    )


def check_transition(current: PayoutState, target: PayoutState) -> None:
    if target not in TRANSITIONS[current]:
        raise PayoutError(
            f"a payout cannot go from {current} to {target}", code="payout_state_invalid"
        )


def check_daily_maximum(quote_: PayoutQuote, paid_today_minor: int, terms: PayoutRules) -> None:
    if paid_today_minor + quote_.gross_minor > terms.daily_maximum_minor:
        raise above_daily_maximum(paid_today_minor, quote_.gross_minor, terms)
