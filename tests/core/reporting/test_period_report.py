"""The period report (lägesbild): figures, suggestions, BRÅ variant, CSV and GeoJSON exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import geopandas as gpd
import h3.api.numpy_int as h3n
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geoservice.core.analysis.hexgrid import cell_centres
from geoservice.core.analysis.study_area import study_area_cells
from geoservice.core.reporting.exports import (
    areas_geojson,
    csv_safe,
    hotspots_geojson,
    tables_as_csv,
)
from geoservice.core.reporting.period_report import build_period_report, local_day_bounds

START, END = dt.date(2025, 3, 1), dt.date(2025, 3, 31)  # previous: 29 Jan to 28 Feb
CENTRUM, NORR = (12.45, 58.70), (12.45, 58.72)
PHONE, EMAIL, PNR = "070-123 45 67", "anna.andersson@example.se", "850101-1234"


def make_areas(names=("Centrum", "Norr"), ids=("centrum", "norr")) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": list(ids), "name": list(names), "population": [2000, 500]},
        geometry=[box(12.44, 58.69, 12.46, 58.71), box(12.44, 58.71, 12.46, 58.73)],
        crs="EPSG:4326",
    )


def concerns(*rows: dict) -> pd.DataFrame:
    """A concern table; each row overrides an unsafe lighting concern in Centrum."""
    base = {
        "created_at": "2025-03-10T18:30:00Z",
        "lon": CENTRUM[0],
        "lat": CENTRUM[1],
        "precision": "point",
        "kind": "unsafe",
        "category": "lighting",
        "time_of_day": "evening",
        "weekend": False,
        "exact_hour": None,
        "area_id": "centrum",
        "status": "new",
        "client_key": None,
        "is_demo": False,
        "source": "web",
        "suggestion": None,
    }
    frame = pd.DataFrame([base | {"id": f"r{i}"} | row for i, row in enumerate(rows)])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def norr(**row) -> dict:
    return {"lon": NORR[0], "lat": NORR[1], "area_id": "norr"} | row


KNOWN = (
    # This period: 4 unsafe in Centrum, 1 in Norr, 1 safe place; spam and out-of-period.
    {"suggestion": f"Ring mig på {PHONE} om lampan"},
    {"suggestion": f"Mejla {EMAIL}"},
    {"suggestion": "   "},
    {
        "created_at": "2025-03-31T21:30:00Z",  # 23:30 on 31 March in Mellerud: inside
        "lon": 12.452,
        "lat": 58.705,
        "category": "drugs",
        "time_of_day": "night",
        "weekend": True,
        "suggestion": f"Han har personnummer {PNR}",
    },
    norr(
        created_at="2025-02-28T23:30:00Z",  # 00:30 on 1 March in Mellerud: inside
        category="vandalism",
        time_of_day="day",
    ),
    {"kind": "safe", "created_at": "2025-03-20T10:00:00Z", "suggestion": "Behåll belysningen"},
    {"status": "spam", "suggestion": "köp billigt"},
    norr(created_at="2025-03-31T22:30:00Z", category="drugs"),  # 1 April in Mellerud
    # Previous period: 2 in Centrum, 1 in Norr.
    {"created_at": "2025-02-10T09:00:00Z", "time_of_day": "day", "suggestion": "förra"},
    {"created_at": "2025-02-11T09:00:00Z", "time_of_day": "day"},
    norr(created_at="2025-01-28T23:30:00Z", category="vandalism", time_of_day="day"),
    norr(created_at="2025-01-28T22:30:00Z", category="vandalism"),  # 28 January: before
)


def build(df=None, areas=None, **kwargs):
    df = concerns(*KNOWN) if df is None else df
    options = {
        "start": START,
        "end": END,
        "study_cells": study_area_cells(df["lon"], df["lat"]),
        "activities": [],
        "include_suggestions": True,
        "k": 2,
        "generated_on": dt.date(2025, 4, 2),
    } | kwargs
    return build_period_report(df, make_areas() if areas is None else areas, **options)


@pytest.fixture(scope="module")
def report():
    return build()


def test_period_is_local_days_with_the_last_one_included():
    start, end = local_day_bounds(START, END)
    assert start == pd.Timestamp("2025-02-28T23:00:00Z")  # CET
    assert end == pd.Timestamp("2025-03-31T22:00:00Z")  # CEST after 30 March


def test_previous_period_has_as_many_days_and_ends_the_day_before(report):
    previous = (report.previous_start, report.previous_end)
    assert previous == (dt.date(2025, 1, 29), dt.date(2025, 2, 28))  # 31 days, as March
    assert (report.start, report.end) == (START, END)


def test_totals_count_both_kinds_and_compare_with_the_previous_period(report):
    t = report.totals
    assert (t.count, t.unsafe, t.safe, t.previous) == (6, 5, 1, 3)
    assert t.change_pct == pytest.approx(100.0)


def test_area_counts_rates_and_trend(report):
    table = report.areas.set_index("area_id")
    assert table.loc["centrum", ["count", "previous_count", "change"]].tolist() == [4, 2, 2]
    assert table.loc["norr", ["count", "previous_count", "change"]].tolist() == [1, 1, 0]
    assert table.loc["centrum", "rate_per_1000"] == pytest.approx(2.0)
    assert table.loc["norr", "rate_per_1000"] == pytest.approx(2.0)
    assert table.loc["centrum", "change_pct"] == pytest.approx(100.0)
    assert table.loc["norr", "change_pct"] == pytest.approx(0.0)
    assert table["name"].tolist() == ["Centrum", "Norr"]


def test_no_previous_concerns_gives_no_percentage():
    df = concerns({}, norr())
    report = build(df)
    assert report.areas["change_pct"].tolist() == [None, None]
    assert report.totals.change_pct is None
    assert report.accuracy is None


def test_categories_with_shares_and_previous_counts(report):
    table = report.categories.set_index("code")
    assert len(table) == 10 and table.loc["other", "count"] == 0
    assert table.loc["lighting", ["count", "previous"]].tolist() == [3, 2]
    assert table.loc["drugs", ["count", "previous"]].tolist() == [1, 0]
    assert table.loc["vandalism", ["count", "previous"]].tolist() == [1, 1]
    assert table.loc["lighting", "share"] == pytest.approx(0.6)
    assert table.loc["lighting", "label"] == "Dålig belysning, mörka platser"


def test_time_bands_and_band_by_week_part(report):
    bands = report.time_bands.set_index("code")
    assert bands["count"].to_dict() == {"day": 1, "evening": 3, "night": 1, "unknown": 0}
    assert bands["previous"].to_dict() == {"day": 3, "evening": 0, "night": 0, "unknown": 0}
    assert report.band_week.loc["evening", "weekday"] == 3
    assert report.band_week.loc["night", "weekend"] == 1
    assert int(report.band_week.to_numpy().sum()) == 5


def test_english_labels():
    report = build(lang="en")
    assert report.categories.set_index("code").loc["drugs", "label"] == "Drugs (dealing, use)"
    assert report.time_bands.set_index("code").loc["night", "label"] == "Night (22–06)"


def test_suggestions_are_grouped_by_category_and_masked(report):
    assert report.suggestions == {
        "lighting": (
            "Ring mig på [telefonnummer dolt] om lampan",
            "Mejla [e-post dold]",
            "Behåll belysningen",
        ),
        "drugs": ("Han har personnummer [personnummer dolt]",),
    }
    assert report.suggestion_counts["lighting"] == 3
    assert report.suggestion_counts["drugs"] == 1
    assert sum(report.suggestion_counts.values()) == 4


def test_bra_variant_has_counts_but_no_free_text():
    report = build(include_suggestions=False)
    assert report.suggestions is None
    assert report.suggestion_counts["lighting"] == 3
    exported = json.dumps(tables_as_csv(report)) + json.dumps(hotspots_geojson(report))
    assert "lampan" not in exported and "[e-post dold]" not in exported


def test_cells_below_k_are_not_listed_without_significance(report):
    cells = report.hotspots.cells
    assert not report.hotspots.significant
    assert cells["count"].tolist() == [3]  # the three lighting concerns at one spot
    assert cells["area_name"].tolist() == ["Centrum"]
    assert cells["gi_z"].tolist() == [None]
    assert not len(build(k=5).hotspots.cells)


def test_significant_hot_cells_are_listed_strongest_first_with_small_counts_hidden():
    centre = h3n.latlng_to_cell(CENTRUM[1], CENTRUM[0], 10)
    spread = h3n.grid_ring(centre, 8)[:35]
    lat, lon = cell_centres(np.concatenate([np.repeat(np.uint64(centre), 40), spread]))
    df = concerns(*({"lon": x, "lat": y, "area_id": None} for x, y in zip(lon, lat, strict=True)))
    report = build(df, k=5)
    cells = report.hotspots.cells
    assert report.hotspots.significant
    assert cells["count"].iloc[0] == 40 and cells["area_name"].iloc[0] == "Centrum"
    assert all(c.startswith("hot") for c in cells["hotspot_class"])
    assert cells["count"].iloc[1:].isna().all()  # neighbours without concerns: below k
    assert list(cells["gi_z"].iloc[1:]) == sorted(cells["gi_z"].iloc[1:], reverse=True)
    assert report.hotspots.zones and report.hotspots.zones[0].voices == 40


def test_accuracy_judges_last_periods_maps_on_this_period(report):
    table = report.accuracy.table
    assert sorted(set(table["method"])) == ["gi_star", "naive"]
    assert sorted(set(table["coverage"])) == [0.01, 0.05]
    assert report.accuracy.concerns_a == 3 and report.accuracy.concerns_b == 5
    assert "period A" in report.accuracy.explanation_sv


def test_demo_flag_looks_at_the_period_only():
    assert not build().demo
    assert build(concerns({"is_demo": True})).demo
    assert not build(concerns({}, {"is_demo": True, "created_at": "2025-02-01T12:00:00Z"})).demo


def test_activities_are_carried_and_checked():
    activity = {
        "title": "Belysning i parken",
        "responsible": "municipality",
        "status": "ongoing",
        "area_names": ["Centrum"],
        "start_on": dt.date(2025, 1, 1),
        "end_on": None,
        "followup_sv": "Efter starten kom 2 synpunkter.",
        "followup_en": "After the start 2 concerns came in.",
    }
    assert build(activities=[activity]).activities == (activity,)
    with pytest.raises(ValueError, match="responsible"):
        build(activities=[activity | {"responsible": "mayor"}])
    with pytest.raises(ValueError, match="missing key"):
        build(activities=[{"title": "x"}])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"end": dt.date(2025, 2, 1)}, "before 'start'"),
        ({"start": dt.datetime(2025, 3, 1)}, "datetime.date"),
        ({"k": 0}, "'k'"),
        ({"lang": "de"}, "'lang'"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build(**kwargs)


def test_missing_suggestion_column_is_refused():
    with pytest.raises(ValueError, match="suggestion"):
        build(concerns({}).drop(columns="suggestion"))


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_tables(report):
    tables = tables_as_csv(report)
    assert set(tables) == {"areas", "categories", "time_bands", "band_week", "accuracy"}
    areas = read_csv(tables["areas"])
    assert areas[0][:4] == ["area_id", "name", "population", "count"]
    assert areas[1][:5] == ["centrum", "Centrum", "2000", "4", "2.0"]
    band_week = {row[0]: row for row in read_csv(tables["band_week"])}
    assert band_week["evening"][1:] == ["Kväll (18–22)", "3", "0", "0"]
    assert len(read_csv(tables["accuracy"])) == 5


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tx", "\ry"]
)
def test_csv_cells_cannot_start_a_formula(name):
    report = build(areas=make_areas(names=(name, "Norr"), ids=("=id", "norr")))
    row = read_csv(tables_as_csv(report)["areas"])[1]
    assert row[0] == "'=id"
    assert row[1] == "'" + name
    assert read_csv(tables_as_csv(report)["areas"])[2][6] == "0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("Norr", "Norr"), (-3, -3), (None, ""), (float("nan"), ""), (1.5, 1.5)],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_areas_geojson(report):
    document = json.loads(json.dumps(areas_geojson(report, make_areas())))
    assert document["type"] == "FeatureCollection"
    assert document["period"]["start"] == "2025-03-01"
    first = document["features"][0]
    assert first["geometry"]["type"] == "Polygon"
    assert first["properties"]["count"] == 4
    assert first["properties"]["rate_per_1000"] == pytest.approx(2.0)
    assert first["properties"]["name"] == "Centrum"


def test_areas_geojson_reprojects_to_wgs84(report):
    document = areas_geojson(report, make_areas().to_crs("EPSG:3006"))
    x, y = document["features"][0]["geometry"]["coordinates"][0][0]
    assert 12 < x < 13 and 58 < y < 59


def test_hotspots_geojson(report):
    document = json.loads(json.dumps(hotspots_geojson(report)))
    (feature,) = document["features"]
    assert feature["geometry"]["type"] == "Polygon"
    assert len(feature["geometry"]["coordinates"][0]) == 7  # a hexagon, closed
    assert feature["properties"]["count"] == 3
    assert feature["properties"]["area_name"] == "Centrum"
    assert document["significant"] is False and document["k"] == 2
