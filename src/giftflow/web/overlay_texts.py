"""The fixed texts of the overlays, translated for a page: the overlays' scripts ask
``/overlays/texts.json?lang=<locale>`` for them (the server's ``GIFTFLOW_LOCALE``
without ``lang``) and show a text by its English source, which is also the gettext
message id, so the one catalog per language (``giftflow.i18n``) serves the dashboard
and the overlays alike. ``{name}`` placeholders are filled in by the page."""

from __future__ import annotations

from typing import Final

from giftflow.i18n import LOCALES, translate


def _(message: str) -> str:
    """Marks a message for the catalogs; translated per request, not here."""
    return message


TEXTS: Final = (
    _("sent"),
    _("{count} coins"),
    _("{count} × {gift}"),  # noqa: RUF001 (the multiplication sign, as in "10 x Rose")
    _("gift #{id}"),
    _("User #{id}"),
    _("Completed!"),
    _("Expired"),
    _("x{multiplier} boost"),
    _("Winner"),
    _("Draw"),
    _("Battle over"),
    _("MVP {name}"),
    _("Subathon"),
    _("Paused"),
    _("Subathon over"),
    _("+{time} from {name}"),
)


def texts_for(locale: str) -> dict[str, object]:
    """The answer of ``texts.json``: the locale, the ones there are, and the texts."""
    return {
        "locale": locale,
        "locales": list(LOCALES),
        "texts": {message: translate(message, locale) for message in TEXTS},
    }
