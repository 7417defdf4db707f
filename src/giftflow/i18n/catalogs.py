"""The gettext catalogs: one ``locales/<locale>/LC_MESSAGES/giftflow.po`` per language
besides English (the source texts are English). A catalog is compiled in memory the
first time its locale is used (Babel reads the ``.po`` and writes the ``.mo`` that the
standard library's ``gettext`` reads), so there is no build step to forget and no
compiled file to go stale."""

from __future__ import annotations

import contextvars
import functools
import gettext as gettext_module
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, Literal, get_args

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LocaleCode = Literal["en", "fr"]
"""The locales giftflow ships texts for: English (the source) and French."""
DEFAULT_LOCALE: Final = "en"
LOCALES: Final[tuple[str, ...]] = get_args(LocaleCode)
DIRECTORY: Final = Path(__file__).parent / "locales"
DOMAIN: Final = "giftflow"

_active: contextvars.ContextVar[str] = contextvars.ContextVar(
    "giftflow_locale", default=DEFAULT_LOCALE
)


def _checked(locale: str) -> str:
    if locale not in LOCALES:
        raise ValueError(f"no texts for locale {locale!r}; giftflow has {', '.join(LOCALES)}")
    return locale


@functools.cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The locale's compiled catalog (English: the texts as written)."""
    if _checked(locale) == DEFAULT_LOCALE:
        return gettext_module.NullTranslations()
    path = DIRECTORY / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it)
    """Marks a text for the catalogs where it is defined; translated where it is shown
    (``gettext(TEXT)``)."""
    return message


def translate(message: str, locale: str) -> str:
    return translations(locale).gettext(message)


def gettext(message: str) -> str:
    """``message`` in the active locale (itself where the catalog has no translation)."""
    return translate(message, _active.get())


def active_locale() -> str:
    return _active.get()


def use(locale: str) -> None:
    """Make ``locale`` active from now on in this context (a command line's run)."""
    _active.set(_checked(locale))


@contextmanager
def activate(locale: str) -> Iterator[str]:
    """Run the block with ``locale`` active (texts, money, numbers)."""
    token = _active.set(_checked(locale))
    try:
        yield locale
    finally:
        _active.reset(token)
