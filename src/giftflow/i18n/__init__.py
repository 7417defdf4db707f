"""Display for people: texts in the reader's language and numbers and money in their
locale's conventions.

- ``gettext(message)`` (imported as ``_``) translates a fixed text of the dashboard,
  the report or the overlays into the active locale, from the gettext catalogs under
  ``locales/`` (compiled when first used, from the ``.po`` files: no build step, no
  network; docs/decisions/0064).
- ``money(amount_minor, currency)`` shows an integer amount of a currency's minor
  unit in major units with the currency's own decimals, by Babel: ``$52.11`` in
  ``en``, ``52,11 $US`` in ``fr`` (docs/decisions/0063). ``number`` groups digits.
- ``activate(locale)`` sets the locale for the code it wraps (a context variable, so
  each request of a server has its own); the default is ``DEFAULT_LOCALE``.

The locale of a server is ``GIFTFLOW_LOCALE`` (``Settings.locale``).
"""

from __future__ import annotations

from giftflow.i18n.catalogs import (
    DEFAULT_LOCALE,
    LOCALES,
    N_,
    LocaleCode,
    activate,
    active_locale,
    gettext,
    translate,
    use,
)
from giftflow.i18n.numbers import money, money_code, number

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "N_",
    "LocaleCode",
    "activate",
    "active_locale",
    "gettext",
    "money",
    "money_code",
    "number",
    "translate",
    "use",
]
