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
    # The countdown (countdown.js), and a time left of more than a day (clockText).
    _("Starting soon"),
    _("LIVE now"),
    _("{days}d {clock}"),
    # The URL builder (builder.js): its own texts, the overlays' names, the options' labels.
    _("Overlay URL builder"),
    _("Overlay and room"),
    _("Overlay"),
    _("Look and place"),
    _("This overlay's options"),
    _("default ({value})"),
    _("Pick a colour"),
    _("URL for the browser source"),
    _("Copy"),
    _("Copied"),
    _("Not valid, left out: {names}"),
    _("Preview"),
    _("Set the room token to see the preview."),
    _("Gift alerts"),
    _("Goal bar"),
    _("Leaderboard"),
    _("Battle bar"),
    _("Countdown"),
    _("Room token"),
    _("Room id (empty: the token's room)"),
    _("Theme"),
    _("Accent colour"),
    _("Text colour"),
    _("Panel colour"),
    _("Font"),
    _("Font size (px)"),
    _("Position"),
    _("Language (en, fr)"),
    _("Alert shown for (ms)"),
    _("Shortest alert while others wait (ms)"),
    _("Alerts waiting at most"),
    _("Chime"),
    _("Chime from (coins)"),
    _("Volume (%)"),
    _("Goals (all, open, or ids: 12,15)"),
    _("Rows"),
)


def texts_for(locale: str) -> dict[str, object]:
    """The answer of ``texts.json``: the locale, the ones there are, and the texts."""
    return {
        "locale": locale,
        "locales": list(LOCALES),
        "texts": {message: translate(message, locale) for message in TEXTS},
    }
