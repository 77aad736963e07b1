"""Personal data in free text is masked before any export."""

import pytest

from geoservice.core.privacy.masking import mask_personal_data


@pytest.mark.parametrize(
    ("text", "hidden", "placeholder"),
    [
        ("Ring mig på 070-123 45 67 tack", "070-123 45 67", "[telefonnummer dolt]"),
        ("kontor 010-565 24 40", "010-565 24 40", "[telefonnummer dolt]"),
        ("nr +46 70 123 45 67.", "+46 70 123 45 67", "[telefonnummer dolt]"),
        # Ten digits can be read as a personnummer too: masked either way.
        ("0701234567", "0701234567", "dolt]"),
        ("mejla anna.svensson@example.se!", "anna.svensson@example.se", "[e-post dold]"),
        ("pnr 19850412-1234 här", "19850412-1234", "[personnummer dolt]"),
        ("pnr 850412-1234", "850412-1234", "[personnummer dolt]"),
        ("pnr 8504121234", "8504121234", "[personnummer dolt]"),
    ],
)
def test_personal_data_is_masked(text, hidden, placeholder):
    masked = mask_personal_data(text)
    assert hidden not in masked and placeholder in masked


@pytest.mark.parametrize(
    "text",
    [
        "Mörkt vid busshållplatsen efter kl 22",
        "Ungefär 15 personer samlas på helgerna",
        "Sedan 2019 har det varit så, väg 166",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert mask_personal_data(text) == text


def test_none_stays_none():
    assert mask_personal_data(None) is None
