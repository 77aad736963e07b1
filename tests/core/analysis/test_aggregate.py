"""Counts, rates, mixes and trend per area."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geoservice.core.analysis.aggregate import (
    REPORT_COLUMNS,
    active_reports,
    aggregate_areas,
    filter_reports,
    previous_period,
)
from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS

START = pd.Timestamp("2025-03-01", tz="UTC")
END = pd.Timestamp("2025-04-01", tz="UTC")  # 31 days: previous period starts 2025-01-29


@pytest.fixture
def areas():
    return gpd.GeoDataFrame(
        {
            "id": ["centrum", "norr", "dals-rostock"],
            "name": ["Centrum", "Norr", "Dals Rostock"],
            "population": [2000, 500, 0],
        },
        geometry=[
            box(12.44, 58.69, 12.46, 58.71),
            box(12.44, 58.71, 12.46, 58.73),
            box(0, 0, 1, 1),
        ],
        crs="EPSG:4326",
    )


def reports(*rows: dict) -> pd.DataFrame:
    """Build a report table; each row overrides a plain unsafe lighting concern."""
    base = {
        "created_at": START,
        "lon": 12.45,
        "lat": 58.70,
        "precision": "point",
        "kind": "unsafe",
        "category": "lighting",
        "time_of_day": "evening",
        "weekend": False,
        "area_id": "centrum",
        "status": "new",
        "client_key": "c",
        "is_demo": False,
        "source": "web",
    }
    frame = pd.DataFrame([base | {"id": f"r{i}"} | row for i, row in enumerate(rows)])
    if frame.empty:
        frame = pd.DataFrame({c: [] for c in REPORT_COLUMNS})
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame[list(REPORT_COLUMNS)]


def by_area(result: pd.DataFrame) -> dict[str, dict]:
    return {row["area_id"]: row for row in result.to_dict("records")}


def test_counts_and_rate_per_thousand_residents(areas):
    df = reports({}, {}, {}, {"area_id": "norr"})

    result = by_area(aggregate_areas(df, areas, START, END))

    assert result["centrum"]["count"] == 3
    assert result["centrum"]["rate_per_1000"] == pytest.approx(1.5)
    assert result["norr"]["rate_per_1000"] == pytest.approx(2.0)


def test_every_area_is_listed_with_zeros_and_no_rate_without_residents(areas):
    result = aggregate_areas(reports({}), areas, START, END)

    assert result["area_id"].tolist() == ["centrum", "norr", "dals-rostock"]
    empty = by_area(result)["dals-rostock"]
    assert empty["count"] == 0
    assert empty["rate_per_1000"] is None
    assert empty["trend"] is None
    assert empty["category_mix"] == dict.fromkeys(CATEGORY_CODES, 0)


def test_period_includes_its_start_and_excludes_its_end(areas):
    df = reports(
        {"created_at": START},
        {"created_at": END - pd.Timedelta("1us")},
        {"created_at": END},
        {"created_at": START - pd.Timedelta("1us")},
    )

    row = by_area(aggregate_areas(df, areas, START, END))["centrum"]

    assert row["count"] == 2
    assert row["previous_count"] == 1


def test_trend_compares_with_the_previous_period_of_equal_length(areas):
    prev_start = START - (END - START)
    df = reports(
        {"created_at": prev_start},  # first instant of the previous period: counted
        {"created_at": prev_start - pd.Timedelta("1s")},  # just before it: not counted
        {"created_at": START - pd.Timedelta("1s")},
        {"created_at": START},
        {"created_at": START + pd.Timedelta(days=3)},
        {"created_at": END - pd.Timedelta("1s")},
    )

    row = by_area(aggregate_areas(df, areas, START, END))["centrum"]

    assert prev_start == pd.Timestamp("2025-01-29", tz="UTC")
    assert (row["count"], row["previous_count"]) == (3, 2)
    assert row["change"] == 1
    assert row["trend"] == pytest.approx(1.5)


def test_previous_period_is_the_same_length_just_before():
    assert previous_period("2025-03-01", "2025-04-01") == (
        pd.Timestamp("2025-01-29", tz="UTC"),
        pd.Timestamp("2025-03-01", tz="UTC"),
    )


def test_trend_is_none_when_the_previous_period_was_empty(areas):
    row = by_area(aggregate_areas(reports({}), areas, START, END))["centrum"]

    assert (row["previous_count"], row["change"], row["trend"]) == (0, 1, None)


def test_spam_duplicates_and_irrelevant_reports_leave_every_aggregate(areas):
    df = reports(
        {"status": "new"},
        {"status": "confirmed"},
        {"status": "handled"},
        {"status": "spam"},
        {"status": "duplicate"},
        {"status": "not_relevant", "created_at": START - pd.Timedelta(days=1)},
    )

    assert active_reports(df)["status"].tolist() == ["new", "confirmed", "handled"]
    row = by_area(aggregate_areas(df, areas, START, END))["centrum"]
    assert (row["count"], row["previous_count"]) == (3, 0)


def test_category_and_time_band_mix_hold_every_code_and_add_up(areas):
    df = reports(
        {"category": "drugs", "time_of_day": "night"},
        {"category": "drugs", "time_of_day": None},
        {"category": "traffic", "time_of_day": "day"},
    )

    row = by_area(aggregate_areas(df, areas, START, END))["centrum"]

    assert list(row["category_mix"]) == list(CATEGORY_CODES)
    assert row["category_mix"]["drugs"] == 2 and row["category_mix"]["traffic"] == 1
    assert row["time_band_mix"] == {"day": 1, "evening": 0, "night": 1, "unknown": 1}
    assert list(row["time_band_mix"]) == list(TIME_BANDS)
    assert sum(row["category_mix"].values()) == row["count"]


def test_safe_places_and_unassigned_reports_are_not_counted_as_concerns(areas):
    df = reports({}, {"kind": "safe"}, {"area_id": None}, {"area_id": "elsewhere"})

    result = aggregate_areas(df, areas, START, END)

    assert result["count"].sum() == 1
    safe = aggregate_areas(df, areas, START, END, kind="safe")
    assert safe["count"].sum() == 1


def test_filters_apply_to_both_periods(areas):
    df = reports(
        {"category": "drugs"},
        {"category": "theft"},
        {"category": "drugs", "created_at": START - pd.Timedelta(days=1)},
        {"category": "theft", "created_at": START - pd.Timedelta(days=1)},
        {"category": "theft", "created_at": START - pd.Timedelta(days=2)},
    )

    row = by_area(aggregate_areas(df, areas, START, END, category="theft"))["centrum"]

    assert (row["count"], row["previous_count"]) == (1, 2)


def test_empty_input_gives_zero_rows_for_all_areas(areas):
    result = aggregate_areas(reports(), areas, START, END)

    assert len(result) == 3
    assert result["count"].tolist() == [0, 0, 0]
    assert result["previous_count"].tolist() == [0, 0, 0]
    assert result["time_band_mix"][0] == dict.fromkeys(TIME_BANDS, 0)


def test_filter_reports_by_time_band_weekend_and_several_categories():
    df = reports(
        {"category": "drugs", "weekend": True},
        {"category": "theft", "weekend": None, "time_of_day": None},
        {"category": "vandalism", "weekend": False, "time_of_day": "night"},
    )

    assert len(filter_reports(df, START, END, category=["drugs", "theft"])) == 2
    assert filter_reports(df, START, END, time_of_day="unknown")["category"].tolist() == ["theft"]
    assert filter_reports(df, START, END, weekend=True)["category"].tolist() == ["drugs"]
    assert filter_reports(df, START, END, weekend=False)["category"].tolist() == ["vandalism"]
    assert len(filter_reports(df, START, END, kind=None)) == 3


def test_naive_bounds_are_read_as_utc():
    df = reports({"created_at": START})

    assert len(filter_reports(df, "2025-03-01", "2025-03-02")) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": END, "end": START}, "'start' should be before 'end'"),
        ({"start": "not a date", "end": END}, "'start' should be a date"),
        ({"category": "ufo"}, "unknown category 'ufo'"),
        ({"time_of_day": "noon"}, "unknown time_of_day 'noon'"),
        ({"kind": "scary"}, "unknown kind 'scary'"),
    ],
)
def test_filter_reports_rejects_bad_filters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        filter_reports(reports({}), **({"start": START, "end": END} | kwargs))


def test_naive_created_at_is_refused():
    df = reports({})
    df["created_at"] = df["created_at"].dt.tz_localize(None)

    with pytest.raises(ValueError, match="tz-aware"):
        filter_reports(df, START, END)


def test_aggregate_areas_checks_its_inputs(areas):
    with pytest.raises(ValueError, match="missing column"):
        aggregate_areas(reports({}).drop(columns="status"), areas, START, END)
    with pytest.raises(ValueError, match="duplicate id"):
        aggregate_areas(reports({}), pd.concat([areas, areas]), START, END)
    with pytest.raises(ValueError, match="unknown category in reports: 'ufo'"):
        aggregate_areas(reports({"category": "ufo"}), areas, START, END)


def test_rates_match_counts_for_a_larger_table(areas):
    rng = np.random.default_rng(7)
    n = 2000
    df = reports(
        *[
            {
                "area_id": rng.choice(["centrum", "norr", "dals-rostock"]),
                "created_at": START + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 31))),
                "category": rng.choice(CATEGORY_CODES),
            }
            for _ in range(n)
        ]
    )

    result = aggregate_areas(df, areas, START, END)

    assert result["count"].sum() == n
    centrum = by_area(result)["centrum"]
    assert centrum["rate_per_1000"] == pytest.approx(centrum["count"] / 2000 * 1000)
    for row in result.to_dict("records"):
        assert sum(row["category_mix"].values()) == row["count"]


def test_band_week_table_counts_every_band_and_part():
    from geoservice.core.analysis.aggregate import band_week_table

    frame = pd.DataFrame(
        {
            "time_of_day": ["night", "night", "day", None],
            "weekend": [True, True, False, None],
        }
    )
    table = band_week_table(frame)
    assert table.loc["night", "weekend"] == 2
    assert table.loc["day", "weekday"] == 1
    assert table.loc["unknown", "unknown"] == 1
    assert table.to_numpy().sum() == 4
    assert band_week_table(frame.iloc[:0]).to_numpy().sum() == 0


def test_safe_reasons_are_counted_apart_from_unsafe_categories(areas):
    df = reports(
        {"category": "lighting"},
        {"kind": "safe", "category": "safe_lighting"},
        {"kind": "safe", "category": "lighting"},  # a safe place stored before reasons
    )
    unsafe = by_area(aggregate_areas(df, areas, START, END))["centrum"]
    assert unsafe["count"] == 1 and "safe_lighting" not in unsafe["category_mix"]
    safe = by_area(aggregate_areas(df, areas, START, END, kind="safe"))["centrum"]
    assert safe["count"] == 2
    assert safe["category_mix"]["safe_lighting"] == 1 and safe["category_mix"]["lighting"] == 1
