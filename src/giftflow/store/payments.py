"""Payments' rows: a purchase (``Payment``, the read model: pack, price, status, what
was refunded and clawed back, the last failed attempt), the provider events applied to
it (``payment_events``: each once, by its id, decision 0106) and the compare-and-sets
its events make. The flows are ``giftflow.service.economy.purchases``,
``provider_events`` and ``clawbacks``; the coins and the cash are in the ledger's
accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.economy.money import Fiat
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = (
    "id, provider, provider_payment_id, provider_reference, user_id, region, channel, pack_id,"
    " coins, amount_minor, currency, status, instrument, refunded_minor, coins_clawed_back,"
    " created_at, paid_at, failure_code, failure_message, failed_attempts, failed_at"
)
_INSERTED: Final = (
    "id, provider, provider_payment_id, user_id, region, channel, pack_id, coins,"
    " amount_minor, currency, status, created_at"
)


@dataclass(frozen=True, slots=True)
class Payment:
    """A purchase of coins through a provider, and what its events did to it."""

    id: str
    provider: str
    provider_payment_id: str | None
    provider_reference: str | None
    user_id: UserId
    region: str
    channel: str
    pack_id: str | None
    coins: int
    amount_minor: int
    currency: str
    status: str
    instrument: str | None
    refunded_minor: int
    coins_clawed_back: int
    created_at: UnixNs
    paid_at: UnixNs
    failure_code: str | None = None
    """Why the last attempt to pay failed (``card_declined`` …), if one did."""
    failure_message: str | None = None
    failed_attempts: int = 0
    failed_at: UnixNs = 0
    checkout_url: str | None = None

    @property
    def price(self) -> Fiat:
        """What the buyer pays, in the currency's minor units."""
        return Fiat(self.amount_minor, self.currency)

    @property
    def state(self) -> str:
        """``status``, except that an open payment whose last attempt failed is
        ``failed`` (still open: another attempt may pay it)."""
        if self.status == "created" and self.failed_attempts:
            return "failed"
        return self.status


def payment_from(row: NamedRow) -> Payment:
    """A ``Payment`` from a row of ``COLUMNS``, read by name."""
    return Payment(**{name.strip(): row[name.strip()] for name in COLUMNS.split(",")})


@dataclass(frozen=True, slots=True)
class Failure:
    """A provider's failure event about an open payment."""

    event_id: str
    code: str
    message: str
    occurred_at_ns: int
    """When the provider says the attempt failed: what orders its failure events."""


def insert_many(tx: Tx, payments: Sequence[Payment]) -> None:
    """Write new (``created``) payments, in one statement."""
    tx.executemany(
        f"INSERT INTO payments ({_INSERTED}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'created', ?)",
        [
            (
                p.id,
                p.provider,
                p.provider_payment_id,
                p.user_id,
                p.region,
                p.channel,
                p.pack_id,
                p.coins,
                p.amount_minor,
                p.currency,
                p.created_at,
            )
            for p in payments
        ],
    )


def by_id(tx: Tx, payment_id: str) -> Payment | None:
    """The payment of our id, or ``None``."""
    row = tx.named(f"SELECT {COLUMNS} FROM payments WHERE id = ?", (payment_id,))
    return None if row is None else payment_from(row)


def for_event(
    tx: Tx, provider: str, *, payment_id: str | None, reference: str | None
) -> Payment | None:
    """The provider's payment an event is about: by our id (from the event's metadata),
    else by the provider's reference, else by the provider's payment id."""
    for column, value in (
        ("id", payment_id),
        ("provider_reference", reference),
        ("provider_payment_id", reference),
    ):
        if value:
            row = tx.named(
                f"SELECT {COLUMNS} FROM payments WHERE provider = ? AND {column} = ?",
                (provider, value),
            )
            if row is not None:
                return payment_from(row)
    return None


def applied_once(
    tx: Tx, payment: Payment, *, event_id: str, kind: str, occurred_at_ns: int, now_ns: int
) -> bool:
    """Log a provider event as applied to the payment; False when it was before (the
    provider delivering it again, however late)."""
    tx.execute(
        "INSERT INTO payment_events (provider, event_id, payment_id, kind, occurred_at_ns,"
        " applied_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (provider, event_id) DO NOTHING",
        (payment.provider, event_id, payment.id, kind, occurred_at_ns, now_ns),
    )
    return tx.rowcount == 1


def newest_failure_ns(tx: Tx, payment_id: str, *, except_event_id: str) -> int | None:
    """When the latest failure event applied to the payment (other than this one)
    occurred, by the provider's clock; ``None`` before any."""
    value = tx.scalar(
        "SELECT MAX(occurred_at_ns) FROM payment_events"
        " WHERE payment_id = ? AND kind = 'failed' AND event_id <> ?",
        (payment_id, except_event_id),
    )
    return None if value is None else int(value)


def record_failure(tx: Tx, payment_id: str, failure: Failure, *, now_ns: int) -> bool:
    """An open payment's latest failed attempt: counted, and its code and message kept.
    False when the payment is no longer open, or this was its last failure already
    (an event delivered again from before the log of events)."""
    tx.execute(
        "UPDATE payments SET failure_code = ?, failure_message = ?, failure_event_id = ?,"
        " failed_attempts = failed_attempts + 1, failed_at = ? WHERE id = ?"
        " AND status = 'created' AND (failure_event_id IS NULL OR failure_event_id <> ?)",
        (failure.code, failure.message, failure.event_id, now_ns, payment_id, failure.event_id),
    )
    return tx.rowcount == 1


def count_earlier_failure(tx: Tx, payment_id: str) -> bool:
    """An open payment's failed attempt older than its latest one: counted, the latest
    one's code, message and time kept. False when the payment is no longer open."""
    tx.execute(
        "UPDATE payments SET failed_attempts = failed_attempts + 1"
        " WHERE id = ? AND status = 'created'",
        (payment_id,),
    )
    return tx.rowcount == 1


def set_instrument(tx: Tx, payment_id: str, instrument: str) -> None:
    """Note which instrument paid, unless one is noted already."""
    tx.execute(
        "UPDATE payments SET instrument = ? WHERE id = ? AND instrument IS NULL",
        (instrument, payment_id),
    )


def mark_paid(
    tx: Tx, payment_id: str, *, paid_at: int, instrument: str | None, reference: str | None
) -> bool:
    """The compare-and-set of an open payment to ``paid`` (with the instrument and the
    provider's reference when given, kept otherwise); False when it was not open."""
    tx.execute(
        "UPDATE payments SET status = 'paid', paid_at = ?,"
        " instrument = COALESCE(?, instrument),"
        " provider_reference = COALESCE(?, provider_reference)"
        " WHERE id = ? AND status = 'created'",
        (paid_at, instrument, reference, payment_id),
    )
    return tx.rowcount == 1


def wallets_funded_by(tx: Tx, instrument: str) -> list[UserId]:
    """The users whose payments this instrument paid, in the order they first paid."""
    rows = tx.named_all(
        "SELECT user_id FROM payments WHERE instrument = ? AND status <> 'created'"
        " GROUP BY user_id ORDER BY MIN(paid_at), user_id",
        (instrument,),
    )
    return [UserId(int(row["user_id"])) for row in rows]


def set_clawed_back(
    tx: Tx, payment: Payment, *, status: str, coins_total: int, minor_total: int
) -> bool:
    """The compare-and-set of what was taken back in all: from what ``payment`` read to
    the new totals, with its new status; False when another event moved it first."""
    tx.execute(
        "UPDATE payments SET status = ?, coins_clawed_back = ?, refunded_minor = ?"
        " WHERE id = ? AND coins_clawed_back = ? AND refunded_minor = ?",
        (
            status,
            coins_total,
            minor_total,
            payment.id,
            payment.coins_clawed_back,
            payment.refunded_minor,
        ),
    )
    return tx.rowcount == 1


def mark_disputed(tx: Tx, payment_id: str) -> None:
    """The payment's status becomes ``disputed`` (a dispute's decision comes with it)."""
    tx.execute(
        "UPDATE payments SET status = 'disputed' WHERE id = ? AND status <> 'disputed'",
        (payment_id,),
    )
