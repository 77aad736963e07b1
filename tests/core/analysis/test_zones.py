"""Hot zones: neighbouring hot cells merge, rank by strength, count whole voices, get names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geoservice.core.analysis.hexgrid import cells_for_points
from geoservice.core.analysis.hotspots import compute_hotspots, one_voice_per_place
from geoservice.core.analysis.zones import (
    ZONE_CSV_COLUMNS,
    hot_zones,
    voice_table,
    zone_features,
    zone_rows,
)
from geoservice.core.places.gazetteer import load_gazetteer

TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
TOWN = TO_METRIC.transform(12.4535, 58.7005)
STATION = TO_METRIC.transform(12.4620, 58.7012)
ASENSBRUK = TO_METRIC.transform(12.428889, 58.785278)


def concerns(rng, centre, radius, n, *, category, band, weekend, start="2026-06-01", prefix):
    r = radius * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    lon, lat = TO_LONLAT.transform(centre[0] + r * np.cos(a), centre[1] + r * np.sin(a))
    return pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "created_at": pd.Timestamp(start, tz="UTC")
            + pd.to_timedelta(rng.integers(0, 90, n), "D"),
            "precision": "point",
            "client_key": [f"{prefix}-{i}" for i in range(n)],
            "status": "new",
            "category": category,
            "time_of_day": band,
            "weekend": weekend,
        }
    )


def background(rng, n, prefix="bg", start="2026-06-01"):
    x = TOWN[0] + rng.uniform(-1000, 1000, n)
    y = TOWN[1] + rng.uniform(-1000, 1000, n)
    lon, lat = TO_LONLAT.transform(x, y)
    return pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "created_at": pd.Timestamp(start, tz="UTC")
            + pd.to_timedelta(rng.integers(0, 90, n), "D"),
            "precision": "point",
            "client_key": [f"{prefix}-{i}" for i in range(n)],
            "status": "new",
            "category": rng.choice(["traffic", "lighting", "theft"], n),
            "time_of_day": rng.choice(["day", "evening", "night"], n),
            "weekend": rng.choice([True, False], n),
        }
    )


def table_of(df):
    cells = cells_for_points(df["lat"], df["lon"])
    return voice_table(one_voice_per_place(df, cells))


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(4)
    df = pd.concat(
        [
            background(rng, 400),
            concerns(rng, STATION, 90, 40, category="drugs", band="night", weekend=True,
                     prefix="st"),
            concerns(rng, ASENSBRUK, 90, 30, category="vandalism", band="evening",
                     weekend=False, prefix="ab"),
        ],
        ignore_index=True,
    )  # fmt: skip
    # The previous period: the station was quieter, Åsensbruk about the same.
    prev = pd.concat(
        [
            background(rng, 400, "pbg", "2026-03-01"),
            concerns(rng, STATION, 90, 10, category="drugs", band="night", weekend=True,
                     start="2026-03-01", prefix="pst"),
        ],
        ignore_index=True,
    )  # fmt: skip
    result = compute_hotspots(df)
    return result, df, prev


def test_planted_clusters_become_named_zones_strongest_first(planted):
    result, df, prev = planted
    zones = hot_zones(result, table_of(df), previous=table_of(prev), places=load_gazetteer())
    names = [z.name_sv for z in zones]
    assert "vid Resecentrum" in names
    assert any(n.startswith(("Åsensbruk", "vid Åsens skola")) for n in names), names
    assert [z.rank for z in zones] == list(range(1, len(zones) + 1))
    assert len(zones) <= 4  # a handful of places, not the whole town
    station = zones[names.index("vid Resecentrum")]
    assert station.voices >= 30
    assert next(iter(station.categories)) == "drugs"
    assert station.top_band() == ("night", "weekend")
    assert station.trend == "up" and station.previous_voices < station.voices
    assert station.name_en == "by Resecentrum"


def test_zone_counts_are_whole_and_add_up(planted):
    result, df, prev = planted
    zones = hot_zones(result, table_of(df), places=load_gazetteer())
    for z in zones:
        assert isinstance(z.voices, int) and z.voices >= result.min_voices
        assert sum(z.categories.values()) == z.voices
        assert sum(sum(p.values()) for p in z.time_profile.values()) == z.voices
        assert z.previous_voices is None and z.trend is None
    # Every hot cell belongs to exactly one zone.
    listed = [c for z in zones for c in z.cells]
    assert len(listed) == len(set(listed)) == result.n_hot


def test_neighbouring_hot_cells_merge_and_distant_ones_do_not(planted):
    result, df, _ = planted
    zones = hot_zones(result, table_of(df))
    import h3

    for z in zones:
        cells = list(z.cells)
        # connected: every cell touches another cell of the zone (when more than one)
        if len(cells) > 1:
            for c in cells:
                assert any(h3.grid_distance(c, o) == 1 for o in cells if o != c)
    for a in zones:
        for b in zones:
            if a is not b:
                assert min(h3.grid_distance(x, y) for x in a.cells for y in b.cells) > 1
    assert zones[0].name_sv == "Zon 1"  # without a gazetteer


def test_exports_of_zones(planted):
    result, df, _ = planted
    zones = hot_zones(result, table_of(df), places=load_gazetteer())
    fc = zone_features(zones)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == len(zones)
    assert fc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert fc["features"][0]["properties"]["voices"] == zones[0].voices
    rows = zone_rows(zones)
    assert len(rows[0]) == len(ZONE_CSV_COLUMNS)
    assert rows[0][2] == zones[0].name_sv


def test_nothing_hot_gives_no_zones():
    rng = np.random.default_rng(9)
    df = background(rng, 30)
    result = compute_hotspots(df)
    assert not result.significant
    assert hot_zones(result, table_of(df)) == []


def test_bad_arguments_are_refused(planted):
    result, df, _ = planted
    with pytest.raises(ValueError, match="missing column"):
        hot_zones(result, pd.DataFrame({"cell": []}))
    with pytest.raises(ValueError, match="HotspotResult"):
        hot_zones("x", table_of(df))
