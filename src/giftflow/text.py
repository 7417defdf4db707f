"""The Unicode policy for texts that people read: names, titles, promises, comments.

A display name reaches overlays, leaderboards and dashboards, so it must look like what
it is. ``human`` normalises a text to NFC (one spelling for one look: a composed e with
acute, never an ``e`` and a combining accent) and refuses, with ``TextError``
(``text_invalid``), what could make it look like something else or break the page:

- control characters (C0, DEL, C1), lone surrogates, noncharacters, line and paragraph
  separators;
- bidi controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069): "Carol",
  U+202E, "gnp.exe" shows as "Carolexe.png";
- invisible characters: the zero-width ones (U+200B to U+200D, U+2060, U+FEFF), other
  format characters (category Cf) and every default-ignorable code point (soft hyphen,
  Hangul fillers...), with which "Ca", U+200B, "rol" passes for "Carol";
- more than ``COMBINING_MARKS_MAX`` combining marks in a row (text that spills over
  the lines above and below it).

Refusing would be wrong where the invisible character is part of the writing, so these
are kept in their context (Unicode's IDNA "ContextJ" rules, and emoji sequences): a
zero-width joiner after a virama or between two emoji (woman, ZWJ, laptop); a
zero-width non-joiner after a virama or between two letters of a joining script
(Persian needs it); a variation selector right after the character it varies (a red
heart); tag characters in an emoji flag sequence (the flag of Scotland). ``identifier``
applies the same refusals to ids of the caller's choosing, without those exceptions
and without normalising: an id is compared as it was sent.

Not covered: confusable letters of other scripts (a Cyrillic Es in "Carol"); a
platform that needs unique-looking names compares their UTS #39 skeletons itself.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from giftflow.errors import GiftflowError

COMBINING_MARKS_MAX: Final = 8
"""Enough for any script's stacked diacritics (Tibetan, Vietnamese, Hebrew points)."""
ZWNJ: Final = 0x200C
ZWJ: Final = 0x200D
BIDI_CONTROLS: Final = frozenset({0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F)}) | frozenset(
    range(0x2066, 0x206A)
)
ZERO_WIDTH: Final = frozenset({0x200B, ZWNJ, ZWJ, 0x2060, 0xFEFF})
DEFAULT_IGNORABLE: Final = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
"""Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, 15.1), which the
standard library does not expose: drawn as nothing when a font lacks them."""
VARIATION_SELECTORS: Final = (
    (0xFE00, 0xFE0F),
    (0xE0100, 0xE01EF),
    (0x180B, 0x180D),
    (0x180F, 0x180F),
)
BLACK_FLAG: Final = 0x1F3F4
TAGS: Final = (0xE0020, 0xE007E)
CANCEL_TAG: Final = 0xE007F
EMOJI_MODIFIERS: Final = (0x1F3FB, 0x1F3FF)
JOINING_SCRIPTS: Final = (
    "ARABIC",
    "SYRIAC",
    "NKO",
    "MANDAIC",
    "MONGOLIAN",
    "PHAGS-PA",
    "MANICHAEAN",
    "PSALTER PAHLAVI",
    "ADLAM",
    "HANIFI ROHINGYA",
    "SOGDIAN",
    "OLD UYGHUR",
    "CHORASMIAN",
)
"""Scripts whose letters join (Joining_Type D, L or R), where a ZWNJ keeps two apart."""
VIRAMA: Final = 9
"""The canonical combining class of a virama (Indic scripts: a ZWJ/ZWNJ after it
chooses the conjunct's form)."""


class TextError(GiftflowError):
    """A text holds a character that the Unicode policy refuses."""

    code = "text_invalid"

    def __init__(self, message: str, *, position: int) -> None:
        super().__init__(message)
        self.position = position


def human(text: str) -> str:
    """``text`` in NFC, or ``TextError``: for what people read (see the module)."""
    normal = unicodedata.normalize("NFC", text)
    _check(normal, in_context=True)
    return normal


def identifier(text: str) -> str:
    """``text`` unchanged, or ``TextError``: the same refusals, no exceptions."""
    _check(text, in_context=False)
    return text


_PRINTABLE_ASCII: Final = re.compile(r"[\x20-\x7e]*")
"""Holds none of what the policy refuses, and is its own NFC: most ids and names."""


def _check(text: str, *, in_context: bool) -> None:
    if _PRINTABLE_ASCII.fullmatch(text):
        return
    marks = 0
    for position, character in enumerate(text):
        reason = _refused(text, position, in_context=in_context)
        if reason is not None:
            raise TextError(
                f"{_describe(character)} at position {position} is {reason}, which this"
                " text may not hold (docs/api.md, Texts)",
                position=position,
            )
        marks = marks + 1 if unicodedata.category(character) in ("Mn", "Me") else 0
        if marks > COMBINING_MARKS_MAX:
            raise TextError(
                f"more than {COMBINING_MARKS_MAX} combining marks in a row at position {position}",
                position=position,
            )


def _refused(text: str, position: int, *, in_context: bool) -> str | None:
    """Why the character at ``position`` is refused, or None."""
    point = ord(text[position])
    category = unicodedata.category(text[position])
    if category == "Cc":
        return "a control character"
    if category == "Cs":
        return "a lone surrogate"
    if _noncharacter(point):
        return "a noncharacter"
    if category in ("Zl", "Zp"):
        return "a line or paragraph separator"
    if point in BIDI_CONTROLS:
        return "a bidi control"
    if in_context and _kept_in_context(text, position):
        return None
    if point in ZERO_WIDTH:
        return "a zero-width character"
    if category == "Cf" or _within(point, DEFAULT_IGNORABLE):
        return "an invisible character"
    return None


def _kept_in_context(text: str, position: int) -> bool:
    point = ord(text[position])
    before = text[position - 1] if position > 0 else ""
    if point in (ZWJ, ZWNJ) and before and unicodedata.combining(before) == VIRAMA:
        return True
    if point == ZWJ:
        return _emoji(_base_before(text, position)) and _emoji(_at(text, position + 1))
    if point == ZWNJ:
        return _joining(_letter_before(text, position)) and _joining(_letter_after(text, position))
    if _within(point, VARIATION_SELECTORS):
        return _is_base(before)
    if _within(point, (TAGS,)) or point == CANCEL_TAG:
        previous = ord(before) if before else 0
        return _within(previous, (TAGS,)) or (point != CANCEL_TAG and previous == BLACK_FLAG)
    return False


def _at(text: str, position: int) -> str:
    return text[position] if 0 <= position < len(text) else ""


def _base_before(text: str, position: int) -> str:
    """The emoji a ZWJ follows, past its variation selector and skin-tone modifier."""
    index = position - 1
    while index >= 0 and _within(ord(text[index]), (*VARIATION_SELECTORS, EMOJI_MODIFIERS)):
        index -= 1
    return _at(text, index)


def _letter_before(text: str, position: int) -> str:
    index = position - 1
    while index >= 0 and unicodedata.category(text[index]) == "Mn":
        index -= 1
    return _at(text, index)


def _letter_after(text: str, position: int) -> str:
    index = position + 1
    while index < len(text) and unicodedata.category(text[index]) == "Mn":
        index += 1
    return _at(text, index)


def _emoji(character: str) -> bool:
    return bool(character) and unicodedata.category(character) == "So"


def _joining(character: str) -> bool:
    if not character or not unicodedata.category(character).startswith("L"):
        return False
    return unicodedata.name(character, "").startswith(JOINING_SCRIPTS)


def _is_base(character: str) -> bool:
    """A character a variation selector may follow: visible, not a mark or selector."""
    return bool(character) and unicodedata.category(character)[0] not in "MZC"


def _noncharacter(point: int) -> bool:
    return 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE


def _within(point: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= point <= high for low, high in ranges)


def _describe(character: str) -> str:
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X} {name}".rstrip()
