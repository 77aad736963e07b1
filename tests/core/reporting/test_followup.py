"""Before/after follow-up of an activity: windows, counts, exact test, sentences, privacy."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
from scipy.stats import binomtest

from geoservice.core.reporting.followup import (
    MIN_FOLLOWUP_CONCERNS,
    FollowUp,
    FollowUpUnavailable,
    before_after,
    compare_rates,
    describe_followup,
    equal_windows,
    public_followup,
)

D = dt.date
AREAS = pd.DataFrame(
    {
        "id": ["centrum", "rada", "asensbruk"],
        "name": ["C", "R", "Å"],
        "population": [4000, 900, 300],
    }
)
START, END, TODAY = D(2026, 4, 1), D(2026, 4, 30), D(2026, 11, 27)  # 30 days, ended


def reports(days_and_areas, *, category="drugs", kind="unsafe", status="new"):
    """Reports at local noon on the given days, each ``(date, area_id)``."""
    rows = [
        {
            "created_at": pd.Timestamp(day).tz_localize("Europe/Stockholm")
            + pd.Timedelta(hours=12),
            "area_id": area,
            "category": category,
            "time_of_day": "day",
            "kind": kind,
            "weekend": False,
            "status": status,
        }
        for day, area in days_and_areas
    ]
    df = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    df["created_at"] = pd.to_datetime(df["created_at"]).dt.tz_convert("UTC")
    return df


def spread(first: dt.date, n: int, area: str = "centrum", days: int = 30):
    """``n`` reports spread over ``days`` days from ``first``."""
    return [(first + dt.timedelta(days=i % days), area) for i in range(n)]


def followup_of(before: int, after: int, **fields) -> FollowUp:
    """A FollowUp with given counts, the statistics from compare_rates."""
    c = compare_rates(before, after, exposure_before=30, exposure_after=30)
    base = dict(
        area_ids=("centrum",),
        categories=None,
        before_start=D(2026, 3, 2),
        before_end=START,
        after_start=START,
        after_end=D(2026, 5, 1),
        days=30,
        ongoing=False,
        before=before,
        after=after,
        population=4000,
        before_rate=before / 4,
        after_rate=after / 4,
        ratio=c.ratio,
        ratio_low=c.ratio_low,
        ratio_high=c.ratio_high,
        p_value=c.p_value,
    )
    return FollowUp(**(base | fields))


# --- windows -------------------------------------------------------------------------


def test_ended_activity_compares_its_days_with_as_many_days_before():
    assert equal_windows(START, END, TODAY) == (D(2026, 3, 2), START, START, D(2026, 5, 1))


def test_running_activity_counts_up_to_yesterday():
    b0, b1, a0, a1 = equal_windows(D(2026, 11, 1), None, TODAY)

    assert (a0, a1) == (D(2026, 11, 1), TODAY)  # today is not over: not counted
    assert (b0, b1) == (D(2026, 10, 6), D(2026, 11, 1))
    assert (a1 - a0) == (b1 - b0) == dt.timedelta(days=26)
    assert equal_windows(D(2026, 11, 1), D(2026, 12, 31), TODAY)[3] == TODAY


def test_one_day_activity_has_one_day_windows():
    assert equal_windows(D(2026, 5, 5), D(2026, 5, 5), TODAY) == (
        D(2026, 5, 4),
        D(2026, 5, 5),
        D(2026, 5, 5),
        D(2026, 5, 6),
    )


@pytest.mark.parametrize("start", [TODAY, TODAY + dt.timedelta(days=3)])
def test_activity_not_started_has_no_after_window(start):
    with pytest.raises(FollowUpUnavailable) as info:
        equal_windows(start, None, TODAY)

    assert info.value.reason == "not_started"
    assert "Aktiviteten börjar" in info.value.message_sv
    assert isinstance(info.value, ValueError)


def test_before_window_may_not_reach_back_before_the_data():
    with pytest.raises(FollowUpUnavailable) as info:
        equal_windows(START, END, TODAY, data_since=D(2026, 3, 15))
    assert info.value.reason == "before_data"

    assert equal_windows(START, END, TODAY, data_since=D(2026, 3, 2))[0] == D(2026, 3, 2)


def test_bad_dates_are_refused():
    with pytest.raises(ValueError, match="'end' should not be before 'start'"):
        equal_windows(START, D(2026, 3, 31), TODAY)
    with pytest.raises(ValueError, match="'start' should be a datetime.date"):
        equal_windows(dt.datetime(2026, 4, 1, 12), END, TODAY)
    with pytest.raises(ValueError, match="'today' should be a datetime.date"):
        equal_windows(START, END, "2026-11-27")


# --- the exact test ------------------------------------------------------------------


def test_twenty_before_twelve_after():
    c = compare_rates(20, 12)
    test = binomtest(12, 32, 0.5)
    ci = test.proportion_ci(0.95, method="exact")

    assert c.ratio == pytest.approx(0.6)
    assert c.p_value == pytest.approx(test.pvalue)
    assert c.ratio_low == pytest.approx(ci.low / (1 - ci.low))
    assert c.ratio_high == pytest.approx(ci.high / (1 - ci.high))
    assert c.ratio_low < 0.6 < c.ratio_high


def test_unequal_exposures_scale_the_ratio_and_the_null():
    c = compare_rates(10, 10, exposure_before=2.0, exposure_after=1.0)

    assert c.ratio == pytest.approx(2.0)
    assert c.p_value == pytest.approx(binomtest(10, 20, 1 / 3).pvalue)


def test_zeros_are_handled_honestly():
    none_before = compare_rates(0, 12)
    assert none_before.ratio is None  # undefined, not infinite
    assert none_before.ratio_high == math.inf
    assert none_before.ratio_low > 1
    assert none_before.p_value == pytest.approx(2 * 0.5**12)

    none_after = compare_rates(12, 0)
    assert none_after.ratio == 0.0
    assert none_after.ratio_low == 0.0
    assert 0 < none_after.ratio_high < 1

    nothing = compare_rates(0, 0)
    assert (nothing.ratio, nothing.ratio_low, nothing.ratio_high, nothing.p_value) == (None,) * 4


@pytest.mark.parametrize(("before", "after"), [(-1, 3), (2.5, 3), (True, 3)])
def test_counts_must_be_counts(before, after):
    with pytest.raises(ValueError, match="'before' should be a count"):
        compare_rates(before, after)


# --- counting ------------------------------------------------------------------------


def test_counts_in_the_areas_and_windows():
    df = pd.concat(
        [
            reports(spread(D(2026, 3, 2), 20)),  # before, centrum
            reports(spread(START, 12)),  # after, centrum
            reports(spread(START, 5, "rada")),  # after, another area of the activity
            reports(spread(START, 9, "asensbruk")),  # after, not the activity's area
            reports(spread(D(2026, 2, 1), 7)),  # before the before window
            reports(spread(D(2026, 5, 1), 6)),  # after the activity ended
            reports(spread(START, 4), status="spam"),  # moderated away
            reports(spread(START, 3), kind="safe"),  # a safe place, not a concern
        ],
        ignore_index=True,
    )

    f = before_after(df, AREAS, area_ids=["centrum", "rada"], start=START, end=END, today=TODAY)

    assert (f.before, f.after, f.days) == (20, 17, 30)
    assert f.population == 4900
    assert f.before_rate == pytest.approx(20 / 4900 * 1000)  # per window, not per year
    assert f.after_rate == pytest.approx(17 / 4900 * 1000)
    assert f.ratio == pytest.approx(17 / 20)
    assert f.p_value == pytest.approx(binomtest(17, 37, 0.5).pvalue)
    assert not f.ongoing


def test_window_edges_are_local_midnight():
    # 31 March 23:30 in Mellerud is 21:30 UTC: before the start, whatever UTC says.
    late = pd.Timestamp("2026-03-31 23:30", tz="Europe/Stockholm").tz_convert("UTC")
    early = pd.Timestamp("2026-04-01 00:30", tz="Europe/Stockholm").tz_convert("UTC")
    df = reports([(START, "centrum"), (START, "centrum")])
    df["created_at"] = [late, early]

    f = before_after(df, AREAS, area_ids="centrum", start=START, end=END, today=TODAY)

    assert (f.before, f.after) == (1, 1)


def test_categories_filter_the_counts():
    df = pd.concat(
        [reports(spread(START, 12)), reports(spread(START, 5), category="lighting")],
        ignore_index=True,
    )

    f = before_after(
        df, AREAS, area_ids=["centrum"], categories="lighting", start=START, end=END, today=TODAY
    )

    assert (f.before, f.after, f.categories) == (0, 5, ("lighting",))
    assert f.ratio is None and f.ratio_high == math.inf


def test_unknown_area_and_missing_population():
    df = reports(spread(START, 3))
    with pytest.raises(ValueError, match="unknown area id"):
        before_after(df, AREAS, area_ids=["nowhere"], start=START, end=END, today=TODAY)

    areas = AREAS.assign(population=[4000, None, 300])
    f = before_after(df, areas, area_ids=["centrum", "rada"], start=START, end=END, today=TODAY)
    assert f.population is None and f.after_rate is None


def test_running_activity_is_ongoing():
    df = reports(spread(D(2026, 11, 1), 3, days=20))

    f = before_after(df, AREAS, area_ids=["centrum"], start=D(2026, 11, 1), end=None, today=TODAY)

    assert f.ongoing and f.days == 26 and f.after == 3


# --- sentences -----------------------------------------------------------------------


def test_swedish_sentence_with_decimal_comma_and_real_minus():
    text = describe_followup(followup_of(20, 12))

    assert text == (
        "Efter starten kom 12 synpunkter mot 20 under lika lång tid före (\u221240 %). "
        "Skillnaden kan bero på slumpen (p = 0,22); med 95 % säkerhet ligger förändringen "
        "mellan \u221273 % och +29 %."
    )


def test_english_sentence():
    text = describe_followup(followup_of(20, 12), "en")

    assert text.startswith(
        "After the start there were 12 concerns against 20 in an equally long period "
        "before (\u221240%). The difference may be due to chance (p = 0.22)"
    )


def test_clear_change_is_not_claimed_as_the_activitys_effect():
    text = describe_followup(followup_of(40, 10))

    assert "(p < 0,001)" in text
    assert "för stor för att bara bero på slumpen" in text
    assert "visar inte ensam att aktiviteten var orsaken" in text


def test_ongoing_activity_says_since_the_start():
    assert describe_followup(followup_of(20, 12, ongoing=True)).startswith(
        "Sedan starten har det kommit 12 synpunkter"
    )


def test_tiny_counts_say_too_few():
    text = describe_followup(followup_of(4, 2))

    assert text.startswith("För få synpunkter för att säga något säkert")
    assert MIN_FOLLOWUP_CONCERNS > 4 + 2
    assert describe_followup(followup_of(4, 2), "en").startswith("Too few concerns")
    assert describe_followup(followup_of(0, 0)).startswith("Inga synpunkter")


def test_nothing_before_gives_no_percentage_and_an_open_interval():
    text = describe_followup(followup_of(0, 12))

    assert "mot 0 under lika lång tid före." in text
    assert "förändringen större än +" in text


def test_large_changes_are_grouped_in_thousands():
    assert "och +39 348 %." in describe_followup(followup_of(1, 9))
    assert "and +39,348%." in describe_followup(followup_of(1, 9), "en")


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="'lang'"):
        describe_followup(followup_of(20, 12), "de")


# --- public form ---------------------------------------------------------------------


def test_public_form_keeps_counts_of_k_or_more():
    public = public_followup(followup_of(20, 12), k=5)

    assert (public["before"], public["after"], public["withheld"]) == (20, 12, False)
    assert public["ratio"] == pytest.approx(0.6)
    assert public["p_value"] is not None
    json.dumps(public)


@pytest.mark.parametrize(("before", "after"), [(20, 3), (3, 20), (1, 1)])
def test_public_form_withholds_small_counts_and_everything_derived(before, after):
    public = public_followup(followup_of(before, after), k=5)

    shown = {"before": before, "after": after}
    for name, value in shown.items():
        assert public[name] == (None if value < 5 else value)
        assert (public[f"{name}_rate"] is None) == (value < 5)
    assert public["withheld"]
    assert [public[x] for x in ("ratio", "ratio_low", "ratio_high", "p_value")] == [None] * 4
    assert "Färre än 5 synpunkter" in describe_followup(followup_of(before, after), k=5)
    assert str(min(before, after)) not in describe_followup(followup_of(before, after), k=5)


def test_public_form_publishes_a_true_zero_and_no_infinity():
    public = public_followup(followup_of(0, 12), k=5)

    assert (public["before"], public["after"], public["withheld"]) == (0, 12, False)
    assert public["ratio"] is None and public["ratio_high"] is None
    assert public["ratio_low"] > 1
    json.dumps(public, allow_nan=False)
