"""``gift_display``: how gifts are shown to people, on top of the gift list.

::

    [gift_display]
    7764 = { name = "Star Throne #7764", image_url = "https://…", animation_url = "https://…" }

The gift list stays an unchanged copy of its reference, where two gifts may share a
name (the May 2024 list has two of "Heart", "Gift Box" and "Star Throne"). People must
tell gifts apart, so every gift's display name (its ``name`` here, else the list's name
without outer spaces) must be unique in the catalog, ignoring case: a catalog where two
gifts would look the same is refused, naming both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import partial
from typing import Final

from giftflow.economy.catalog.fields import EntryError, Problems, Table
from giftflow.economy.catalog.model import Gift

KEYS: Final = frozenset({"name", "image_url", "animation_url"})
NAME_LENGTH_MAX: Final = 64
URL_LENGTH_MAX: Final = 2_048
URL: Final = re.compile(r"^https?://[^\s\x00-\x1f\x7f\"'<>\\]+$")


def present(gifts: list[Gift], top: Table, problems: Problems) -> list[Gift]:
    """The gifts with their display names and media; every problem recorded, a
    display name that two gifts share among them."""
    shown = _displayed(gifts, top, problems)
    _check_unique(shown, problems)
    return shown


def _displayed(gifts: list[Gift], top: Table, problems: Problems) -> list[Gift]:
    if "gift_display" not in top.values:
        return gifts
    table = problems.collect(lambda: top.table("gift_display"))
    if table is None:
        return gifts
    by_id = {str(gift.id): gift for gift in gifts}
    for key in table.values:
        shown = problems.collect(partial(_entry, table, key, by_id))
        if shown is not None:
            by_id[key] = shown
    return list(by_id.values())


def _entry(table: Table, key: str, gifts: dict[str, Gift]) -> Gift:
    if key not in gifts:
        raise EntryError(f"{table.at(key)}: no gift with id {key!r} in the gift list")
    entry = table.table(key)
    entry.only(KEYS)
    name = _name(entry) if "name" in entry.values else gifts[key].display_name
    return replace(
        gifts[key],
        display_name=name,
        image_url=_url(entry, "image_url"),
        animation_url=_url(entry, "animation_url"),
    )


def _name(entry: Table) -> str:
    name = entry.text("name")
    if name != name.strip() or len(name) > NAME_LENGTH_MAX or not name.isprintable():
        raise EntryError(
            f"{entry.at('name')}: a display name is printable, without outer spaces,"
            f" at most {NAME_LENGTH_MAX} characters; got {name!r}"
        )
    return name


def _url(entry: Table, key: str) -> str | None:
    if key not in entry.values:
        return None
    url = entry.text(key)
    if len(url) > URL_LENGTH_MAX or URL.match(url) is None:
        raise EntryError(
            f"{entry.at(key)}: expected an http or https URL of at most"
            f" {URL_LENGTH_MAX} characters, got {url!r}"
        )
    return url


def _check_unique(gifts: list[Gift], problems: Problems) -> None:
    first: dict[str, Gift] = {}
    for gift in gifts:
        seen = first.setdefault(_folded(gift.display_name), gift)
        if seen is not gift:
            problems.add(
                f"gift_display: gifts {seen.id} and {gift.id} would both be shown as"
                f" {gift.display_name!r}; give one a name of its own"
                f' ({gift.id} = {{ name = "..." }})'
            )


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()
