"""Numbers and money as a locale writes them, by Babel. Money arrives as an integer
of the currency's minor unit (Design §1) and becomes a ``Decimal`` of major units by
the ledger's own scale for that currency (``giftflow.ledger.units``): exact, never a
float. Babel then writes it with the currency's decimals (ISO 4217; the same exponents
the ledger uses, which a test checks for every currency of the catalog)."""

from __future__ import annotations

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal

from giftflow.i18n.catalogs import active_locale
from giftflow.ledger.units import describe, fiat


def major_units(amount_minor: int, currency: str) -> Decimal:
    """``5211`` USD is ``Decimal("52.11")``; ``5211`` JPY is ``Decimal("5211")``."""
    scale = describe(fiat(currency)).scale
    return Decimal(amount_minor).scaleb(-scale)


def money(amount_minor: int, currency: str, locale: str | None = None) -> str:
    """The amount with the locale's currency sign: ``$52.11`` (en), ``52,11 $US`` (fr)."""
    return format_currency(
        major_units(amount_minor, currency), currency, locale=locale or active_locale()
    )


def money_code(amount_minor: int, currency: str, locale: str | None = None) -> str:
    """The amount with the ISO code in the locale's place for a sign, for terminals and
    files: ``USD 52.11`` (en), ``52,11 USD`` (fr)."""
    where = locale or active_locale()
    pattern = Locale.parse(where).currency_formats["standard"].pattern
    with_code = pattern.replace("¤", "¤¤")
    if with_code.startswith("¤¤") and not with_code.startswith("¤¤\xa0"):
        with_code = "¤¤\xa0" + with_code[2:]  # "USD 52.11", not "USD52.11"
    amount = major_units(amount_minor, currency)
    written = format_currency(amount, currency, format=with_code, locale=where)
    return written.replace("\xa0", " ")  # a plain space between code and amount


def number(value: int, locale: str | None = None) -> str:
    """An integer with the locale's digit grouping: ``12,345`` (en), ``12 345`` (fr)."""
    return format_decimal(value, locale=locale or active_locale())
