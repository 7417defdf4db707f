"""Texts, numbers and money for people: Babel's formats over exact integer amounts,
and catalogs that translate every text the code marks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.messages.pofile import read_po
from babel.numbers import get_currency_precision

from giftflow.economy.catalog import load_catalog
from giftflow.i18n import LOCALES, activate, gettext, money, money_code, number, translate
from giftflow.i18n.catalogs import DIRECTORY, DOMAIN
from giftflow.i18n.extract import messages
from giftflow.i18n.numbers import major_units
from giftflow.ledger.units import describe, fiat
from giftflow.web.overlay_texts import TEXTS, texts_for

OTHER_LOCALES = [locale for locale in LOCALES if locale != "en"]


def test_money_shows_major_units_with_the_currencys_own_decimals() -> None:
    assert money(5211, "USD", "en") == "$52.11"
    assert money_code(5211, "USD", "en") == "USD 52.11"
    assert money(5211, "JPY", "en") == "¥5,211"
    assert money(123_450, "GBP", "en") == "£1,234.50"
    assert money(5211, "USD", "fr") == "52,11\u00a0$US"
    assert money_code(5211, "USD", "fr") == "52,11 USD"
    assert money(-1, "USD", "en") == "-$0.01"


def test_major_units_are_exact_decimals_never_floats() -> None:
    assert major_units(10**20 + 1, "USD") == Decimal("1000000000000000000.01")
    assert money_code(10**20 + 1, "USD", "en") == "USD 1,000,000,000,000,000,000.01"


def test_the_ledgers_minor_unit_is_babels_for_every_currency_of_the_catalog() -> None:
    currencies = {region.currency for region in load_catalog().regions} | {"JPY", "KWD"}
    for currency in sorted(currencies):
        assert describe(fiat(currency)).scale == get_currency_precision(currency), currency


def test_numbers_group_digits_as_the_locale_does() -> None:
    assert number(1_234_567, "en") == "1,234,567"
    assert number(1_234_567, "fr") == "1\u202f234\u202f567"


def test_the_active_locale_applies_to_the_code_it_wraps_only() -> None:
    with activate("fr"):
        assert gettext("Earnings") == "Gains"
        assert money(5211, "USD") == "52,11\u00a0$US"
    assert gettext("Earnings") == "Earnings"
    with pytest.raises(ValueError, match="no texts for locale 'de'"):
        activate("de").__enter__()


@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_every_catalog_translates_every_marked_text_with_its_placeholders(locale: str) -> None:
    path = DIRECTORY / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=locale)
    translated = {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}
    marked = messages()
    assert set(TEXTS) <= set(marked)
    assert [m for m in marked if m not in translated] == []
    for message in marked:
        placeholders = sorted(part.split("}")[0] for part in message.split("{")[1:])
        found = sorted(part.split("}")[0] for part in translated[message].split("{")[1:])
        assert found == placeholders, message


def test_the_overlays_texts_come_from_the_same_catalog() -> None:
    french = texts_for("fr")
    assert french["locale"] == "fr" and french["locales"] == list(LOCALES)
    texts = french["texts"]
    assert isinstance(texts, dict)
    assert texts["Completed!"] == translate("Completed!", "fr") == "Terminé !"
    assert texts_for("en")["texts"] == {message: message for message in TEXTS}
