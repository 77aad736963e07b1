"""Time windows: wrapping past midnight, weekday words, aoristic weights (SPEC §6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoservice.core.analysis.timewindow import (
    BAND_HOURS,
    WEEKDAYS,
    WEEKEND_DAYS,
    TimeWindow,
    band_of_hour,
    possible_hours,
    weekend_hours,
    window_weights,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def concerns(*rows):
    """A frame of (time_of_day, weekend, exact_hour) rows."""
    return pd.DataFrame(
        {
            "time_of_day": [r[0] for r in rows],
            "weekend": pd.Series([r[1] for r in rows], dtype=object),
            "exact_hour": pd.Series([r[2] for r in rows], dtype=object),
        }
    )


def weight(window, band, weekend=None, hour=None):
    return float(window_weights(concerns((band, weekend, hour)), window)[0])


# --- the calendar -----------------------------------------------------------------------


def test_helg_is_friday_evening_to_monday_morning():
    helg = weekend_hours()
    assert helg.sum() == 60
    assert not helg[FRI * 24 + 17] and helg[FRI * 24 + 18]
    assert helg[SAT * 24 : SUN * 24 + 24].all()
    assert helg[MON * 24 + 5] and not helg[MON * 24 + 6]


@pytest.mark.parametrize(
    ("band", "weekend", "hours"),
    [
        ("night", True, 24),  # Fri 22 – Mon 06, three nights
        ("night", False, 32),  # Mon 22 – Fri 06, four nights
        ("day", True, 24),  # Saturday and Sunday 06–18
        ("day", False, 60),  # Monday to Friday 06–18
        ("evening", True, 12),  # Friday, Saturday, Sunday 18–22
        ("evening", False, 16),
        ("unknown", True, 60),
        ("unknown", None, 168),
    ],
)
def test_possible_hours_of_a_band(band, weekend, hours):
    assert possible_hours(band, weekend).sum() == hours


def test_band_of_hour():
    assert [band_of_hour(h) for h in (5, 6, 17, 18, 21, 22, 0)] == [
        "night",
        "day",
        "day",
        "evening",
        "evening",
        "night",
        "night",
    ]


# --- windows ----------------------------------------------------------------------------


def test_friday_22_to_02_runs_into_saturday():
    window = TimeWindow.parse("fri", 22, 2)
    assert window.wraps and window.hours_per_day == 4
    assert window.covers(FRI, 22) and window.covers(FRI, 23)
    assert window.covers(SAT, 0) and window.covers(SAT, 1)
    assert not window.covers(SAT, 2) and not window.covers(SAT, 3)
    # The early hours belong to the day the window started on, not to Friday itself.
    assert not window.covers(FRI, 1)
    assert window.hours_of_week().sum() == 4


def test_sunday_night_wraps_into_monday():
    window = TimeWindow.parse("sun", 23, 1)
    assert window.covers(SUN, 23) and window.covers(MON, 0)
    assert not window.covers(SUN, 0)


@pytest.mark.parametrize(
    ("word", "days"),
    [
        ("mon", {MON}),
        ("SUN", {SUN}),
        (" thu ", {THU}),
        ("weekend", {FRI, SAT, SUN}),
        ("weekdays", {MON, TUE, WED, THU}),
    ],
)
def test_weekday_words(word, days):
    assert TimeWindow.parse(word, 8, 12).days == frozenset(days)


def test_weekend_and_weekdays_split_the_evenings_and_nights_as_helg_does():
    """For evening and night windows the two words are exactly helg and not-helg."""
    helg = weekend_hours()
    weekend_nights = TimeWindow.parse("weekend", 18, 6).hours_of_week()
    weekday_nights = TimeWindow.parse("weekdays", 18, 6).hours_of_week()
    evening_or_night = possible_hours("evening") | possible_hours("night")
    assert np.array_equal(weekend_nights, evening_or_night & helg)
    assert np.array_equal(weekday_nights, evening_or_night & ~helg)
    assert set(range(7)) == WEEKEND_DAYS | WEEKDAYS
    assert not WEEKEND_DAYS & WEEKDAYS


def test_whole_day_and_midnight_end():
    assert TimeWindow.parse("tue", 0, 24).hours_of_week().sum() == 24
    assert TimeWindow.parse("tue", 20, 0) == TimeWindow.parse("tue", 20, 24)
    assert TimeWindow.parse("tue", 0, 0) == TimeWindow.parse("tue", 0, 24)
    assert TimeWindow.parse("tue", "20", "24").to_hour == 24


def test_description_in_both_languages():
    assert TimeWindow.parse("fri", 22, 2).describe() == "fredag 22–02"
    assert TimeWindow.parse("weekend", 22, 4).describe("en") == "weekend (Fri–Sun) 22–04"
    assert TimeWindow(frozenset({MON, WED}), 8, 10).describe() == "mån, ons 08–10"


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("friday", 22, 2), "'weekday'"),
        (("", 22, 2), "'weekday'"),
        ((None, 22, 2), "'weekday'"),
        (("fri", 24, 2), "'from_hour'"),
        (("fri", -1, 2), "'from_hour'"),
        (("fri", "ten", 2), "'from_hour'"),
        (("fri", 22.5, 2), "'from_hour'"),
        (("fri", True, 2), "'from_hour'"),
        (("fri", 22, 25), "'to_hour'"),
        (("fri", 22, "2am"), "'to_hour'"),
        (("fri", 5, 5), "'from_hour' and 'to_hour'"),
    ],
)
def test_parse_errors_name_the_parameter(args, names):
    with pytest.raises(ValueError, match=names):
        TimeWindow.parse(*args)


def test_bad_day_sets():
    with pytest.raises(ValueError, match="'days'"):
        TimeWindow(frozenset(), 1, 2)
    with pytest.raises(ValueError, match="'days'"):
        TimeWindow(frozenset({7}), 1, 2)


# --- weights ----------------------------------------------------------------------------


def test_exact_hour_inside_a_wrapped_window_counts_and_outside_does_not():
    """Friday 22–02: a weekend concern at 01:00 (early Saturday) is in, 03:00 is out."""
    window = TimeWindow.parse("fri", 22, 2)
    inside = weight(window, "night", True, 1)
    outside = weight(window, "night", True, 3)
    assert inside > 0 and outside == 0
    # Hour 01 at a weekend can be Saturday, Sunday or Monday: the window has Saturday.
    assert inside == pytest.approx(1 / 3)
    # A window over every weekend night takes it whole.
    assert weight(TimeWindow.parse("weekend", 22, 2), "night", True, 1) == 1.0
    assert weight(TimeWindow.parse("weekend", 22, 2), "night", True, 3) == 0.0


def test_exact_hour_decides_alone_over_the_band():
    window = TimeWindow.parse("weekend", 22, 2)
    assert weight(window, "day", True, 23) == 1.0  # the band says day, the hour says 23
    assert weight(window, "night", True, 4) == 0.0


def test_exact_hour_without_weekend_answer_can_be_any_day():
    assert weight(TimeWindow.parse("wed", 12, 13), "day", None, 12) == pytest.approx(1 / 7)
    everyday = TimeWindow(frozenset(range(7)), 12, 13)
    assert weight(everyday, "day", None, 12) == 1.0


def test_exact_hour_on_the_wrong_side_of_helg_is_out():
    # Friday 20:00 is helg, so a weekday concern at 20 cannot be on Friday.
    assert weight(TimeWindow.parse("fri", 18, 22), "evening", False, 20) == 0.0
    assert weight(TimeWindow.parse("fri", 18, 22), "evening", True, 20) == pytest.approx(1 / 3)


def test_aoristic_share_of_the_night_band():
    """An 8-hour night on a matching day, half of it in a 22–02 window: weight 0.5."""
    # A weekday night of Mon–Thu starting days runs Mon 22 – Fri 06: four nights of 8 h.
    all_weekday_nights = TimeWindow.parse("weekdays", 22, 2)
    assert weight(all_weekday_nights, "night", False) == pytest.approx(0.5)
    # One of those four nights: a quarter of that.
    assert weight(TimeWindow.parse("tue", 22, 2), "night", False) == pytest.approx(0.5 / 4)
    # Friday 22 – Saturday 02 is one of three weekend nights.
    assert weight(TimeWindow.parse("fri", 22, 2), "night", True) == pytest.approx(4 / 24)
    assert weight(TimeWindow.parse("fri", 22, 2), "night", False) == 0.0


def test_unknown_band_and_unknown_weekend_spread_over_the_whole_week():
    window = TimeWindow.parse("weekend", 22, 2)
    assert weight(window, "unknown", None) == pytest.approx(12 / 168)
    assert weight(window, "unknown", True) == pytest.approx(12 / 60)
    assert weight(window, None, None) == pytest.approx(12 / 168)
    assert weight(window, "night", None) == pytest.approx(12 / 56)


def test_missing_optional_columns_mean_no_answer():
    df = pd.DataFrame({"time_of_day": ["night", "day"]})
    w = window_weights(df, TimeWindow.parse("weekend", 22, 2))
    assert w == pytest.approx([12 / 56, 0.0])


def test_weights_of_the_seven_days_add_up_to_one():
    """Any concern is somewhere in the week: one window per day covering 00–24 sums to 1."""
    rows = [
        (band, weekend, hour)
        for band in BAND_HOURS
        for weekend in (True, False, None)
        for hour in (None, 0, 5, 12, 19, 23)
    ]
    df = concerns(*rows)
    total = sum(window_weights(df, TimeWindow(frozenset({d}), 0, 24)) for d in range(7))
    assert np.allclose(total, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(0, 23),
    length=st.integers(1, 23),
    days=st.sets(st.integers(0, 6), min_size=1),
)
def test_a_window_and_the_rest_of_its_days_split_every_weight(start, length, days):
    """Weights lie in [0, 1]; a window and the rest of its days never count more than 1,
    and over all seven days they count exactly 1."""
    end = (start + length) % 24
    df = concerns(
        *[(b, w, h) for b in BAND_HOURS for w in (True, False, None) for h in (None, 1, 13)]
    )
    for day_set in (frozenset(days), frozenset(range(7))):
        first = TimeWindow(day_set, start, end)
        rest = TimeWindow(day_set, end, start)
        assert not (first.hours_of_week() & rest.hours_of_week()).any()
        w_first, w_rest = window_weights(df, first), window_weights(df, rest)
        assert ((w_first >= 0) & (w_first <= 1) & (w_rest >= 0) & (w_rest <= 1)).all()
        assert (w_first + w_rest <= 1 + 1e-12).all()
    assert np.allclose(w_first + w_rest, 1.0)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"category": ["drugs"]}), "time_of_day"),
        (pd.DataFrame({"time_of_day": ["noon"]}), "'time_of_day'"),
        (pd.DataFrame({"time_of_day": ["day"], "weekend": ["yes"]}), "'weekend'"),
        (pd.DataFrame({"time_of_day": ["day"], "exact_hour": [24]}), "'exact_hour'"),
    ],
)
def test_bad_concerns_are_refused(frame, message):
    with pytest.raises(ValueError, match=message):
        window_weights(frame, TimeWindow.parse("mon", 1, 2))


def test_empty_frame_gives_no_weights():
    assert (
        window_weights(pd.DataFrame({"time_of_day": []}), TimeWindow.parse("mon", 1, 2)).size == 0
    )
