"""The Unicode policy for what people read: NFC, and no character that makes a name
look like another, hides in it, or breaks the page around it; kept where the writing
needs it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giftflow import text
from giftflow.text import TextError

REFUSED = {
    "C0 control": "Car\x07ol",
    "DEL": "Carol\x7f",
    "C1 control (NEL)": "Carol\x85",
    "C1 control (CSI)": "Carol\x9b",
    "right-to-left override": "Carol\u202egnp.exe",
    "left-to-right embedding": "\u202aCarol",
    "pop directional formatting": "Carol\u202c",
    "right-to-left isolate": "\u2067Carol",
    "first strong isolate": "\u2068Carol\u2069",
    "left-to-right mark": "Carol\u200e",
    "right-to-left mark": "\u200fCarol",
    "Arabic letter mark": "Carol\u061c",
    "zero-width space": "Ca\u200brol",
    "zero-width non-joiner in Latin": "Ca\u200crol",
    "zero-width joiner in Latin": "Ca\u200drol",
    "word joiner": "Carol\u2060",
    "byte order mark": "\ufeffCarol",
    "soft hyphen": "Ca\u00adrol",
    "Hangul filler": "\u3164",
    "invisible times": "Carol\u2062",
    "line separator": "Carol\u2028",
    "paragraph separator": "Carol\u2029",
    "lone surrogate": "Carol\ud800",
    "noncharacter": "Carol\ufffe",
    "a variation selector with nothing to vary": "\ufe0fCarol",
    "a tag outside a flag": "Carol\U000e0041",
    "a zero-width joiner after an emoji, before a letter": "\U0001f469\u200dCarol",
    "zalgo": "C" + "\u0301" * 10 + "arol",  # NFC folds one into the C
}
KEPT = {
    "plain Latin": "Carol",
    "accents": "Zo\u00eb Ren\u00e9e",
    "CJK": "\u5c0f\u660e",
    "Arabic (right to left, no controls needed)": "\u0643\u0627\u0631\u0648\u0644",
    "Persian with a zero-width non-joiner": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "Devanagari with a zero-width joiner after a virama": "\u0915\u094d\u200d\u0937",
    "Malayalam chillu by zero-width joiner": "\u0d7b\u0d28\u0d4d\u200d",
    "emoji ZWJ sequence": "\U0001f469\u200d\U0001f4bb",
    "family": "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "skin tone and ZWJ": "\U0001f9d1\U0001f3fd\u200d\U0001f4bb",
    "rainbow flag": "\U0001f3f3\ufe0f\u200d\U0001f308",
    "red heart (variation selector)": "\u2764\ufe0f",
    "keycap": "1\ufe0f\u20e3",
    "flag of Scotland (tags)": "\U0001f3f4"
    + "".join(chr(0xE0000 + ord(letter)) for letter in "gbsct")
    + "\U000e007f",
    "Vietnamese": "Nguy\u1ec5n",
    "eight stacked marks": "x" + "\u0301\u0302" * 4,
    "spaces": "Carol the Great",
}


@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
def test_a_character_that_disguises_or_breaks_a_name_is_refused(value: str) -> None:
    with pytest.raises(TextError) as raised:
        text.human(value)
    assert raised.value.code == "text_invalid"


@pytest.mark.parametrize("value", KEPT.values(), ids=KEPT.keys())
def test_writing_that_needs_its_invisible_characters_keeps_them(value: str) -> None:
    assert text.human(value) == unicodedata.normalize("NFC", value)


def test_a_text_is_normalised_to_nfc() -> None:
    decomposed = "Zoe\u0308"
    assert text.human(decomposed) == "Zo\u00eb"
    assert text.human("\u212b") == "\u00c5"  # the angstrom sign is a letter A with ring


def test_the_error_names_the_character_and_where_it_is() -> None:
    with pytest.raises(TextError, match=r"U\+202E RIGHT-TO-LEFT OVERRIDE at position 5 is a bidi"):
        text.human("Carol\u202egnp.exe")


def test_an_identifier_is_compared_as_sent_and_takes_no_invisible_character() -> None:
    assert text.identifier("Zoe\u0308") == "Zoe\u0308"  # not normalised
    for value in ("\U0001f469\u200d\U0001f4bb", "\u2764\ufe0f", "ext\u202e1", "id\x85"):
        with pytest.raises(TextError):
            text.identifier(value)


@given(st.text())
def test_what_the_policy_accepts_is_nfc_and_free_of_refused_characters(value: str) -> None:
    try:
        accepted = text.human(value)
    except TextError:
        return
    assert unicodedata.is_normalized("NFC", accepted)
    refused = text.BIDI_CONTROLS | {0x200B, 0x2060, 0xFEFF}
    assert not any(ord(c) in refused or unicodedata.category(c) == "Cc" for c in accepted)
