"""Swedish typography: one way of writing a number, a share and a time."""

from datetime import date, datetime

import pytest

from geoservice.core.typography import format_day, format_local_time, format_number, format_percent


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1204, "sv", 0, "1\u00a0204"),
        (1204, "en", 0, "1,204"),
        (11.63, "sv", 1, "11,6"),
        (11.63, "en", 1, "11.6"),
        (0, "sv", 0, "0"),
        (None, "sv", 0, "–"),
        (1234567.0, "sv", 1, "1\u00a0234\u00a0567,0"),
    ],
)
def test_numbers_follow_the_language(value, lang, decimals, expected):
    assert format_number(value, lang, decimals=decimals) == expected


def test_percent_has_a_space_in_swedish_only():
    assert format_percent(0.19) == "19\u00a0%"
    assert format_percent(0.19, "en") == "19%"
    assert format_percent(0.314, decimals=1) == "31,4\u00a0%"


def test_times_are_stockholm_with_summer_time():
    assert format_local_time(datetime(2026, 7, 1, 19, 54)) == "2026-07-01 21:54"
    assert format_local_time(datetime(2026, 12, 1, 19, 54)) == "2026-12-01 20:54"
    # Late evening UTC is already the next day in Stockholm.
    assert format_day(datetime(2026, 12, 31, 23, 30)) == "2027-01-01"
    assert format_day(date(2026, 12, 1), long=True) == "1 december 2026"
