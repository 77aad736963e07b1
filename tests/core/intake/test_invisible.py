"""Invisible and direction-changing characters are refused by Unicode's properties, emoji kept."""

from __future__ import annotations

import pytest

from geoservice.core.intake.validation import clean_text, has_invisible


@pytest.mark.parametrize(
    "char",
    [
        "\u061c",  # Arabic letter mark (bidi control)
        "\u00ad",  # soft hyphen
        "\u180e",  # Mongolian vowel separator
        "\U000e0041",  # tag character
        "\U000e0001",  # language tag
        "\ufff9",  # interlinear annotation anchor
        "\ufffa",
        "\ufffb",
        "\u2028",  # line separator
        "\u2029",  # paragraph separator
        "\u2064",  # invisible plus
        "\u200b",
        "\u200c",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202e",
        "\u2066",
        "\u2069",
        "\u2060",
        "\ufeff",
        "\u115f",  # Hangul choseong filler
        "\u3164",  # Hangul filler
        "\u034f",  # combining grapheme joiner
        "\ufe00",  # variation selector at the start
        "\u200d",  # a joiner between letters
    ],
)
def test_invisible_characters_are_refused(char):
    assert has_invisible(f"mörk{char}gång")
    assert clean_text(f"mörk{char}gång") == (None, "invisible_chars")


@pytest.mark.parametrize(
    "text",
    [
        "Mörkt vid busshållplatsen, lampan är trasig ❤️",
        "Familjer 👨‍👩‍👧 går här på kvällen",
        "Cyklister 👍🏽 och 👩🏽‍💻",
        "Rad ett\nrad två\ttabb",
        "Café, naïve, Ørsted, Łódź, 東京",
        "hårt\u00a0mellanslag",
    ],
)
def test_ordinary_text_and_emoji_pass(text):
    assert not has_invisible(text)
    assert clean_text(text)[1] is None
