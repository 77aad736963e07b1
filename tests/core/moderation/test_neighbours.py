"""Possible duplicates: concerns within 50 m and 30 days, measured in metres (EPSG:3006)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from geoservice.core.moderation.neighbours import near_in_place_and_time

AT = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
LAT, LON = 58.70123, 12.45432


def frame(rows):
    return pd.DataFrame(rows, columns=["id", "lat", "lon", "created_at"])


def test_keeps_only_close_in_place_and_time_nearest_first():
    # 0.00018° of latitude is about 20 m; 0.0009° about 100 m; 0.0009° of longitude about 52 m.
    candidates = frame(
        [
            ("20m", LAT + 0.00018, LON, AT - timedelta(days=3)),
            ("100m", LAT + 0.0009, LON, AT - timedelta(days=3)),
            ("52m-east", LAT, LON + 0.0009, AT),
            ("10m-old", LAT + 0.00009, LON, AT - timedelta(days=31)),
            ("10m-later", LAT - 0.00009, LON, AT + timedelta(days=29)),
        ]
    )
    near = near_in_place_and_time(candidates, lat=LAT, lon=LON, at=AT)
    assert list(near["id"]) == ["10m-later", "20m"]
    assert list(near["distance_m"]) == [10, 20]


def test_east_west_is_measured_in_metres_not_degrees():
    # At 58.7° N a degree of longitude is about half a degree of latitude on the ground.
    candidates = frame([("east", LAT, LON + 0.0008, AT)])
    near = near_in_place_and_time(candidates, lat=LAT, lon=LON, at=AT)
    assert near["distance_m"].tolist() == [46]


def test_naive_times_are_read_as_utc_and_empty_input_gives_empty_output():
    naive = AT.replace(tzinfo=None)
    candidates = frame([("same", LAT, LON, naive)])
    assert near_in_place_and_time(candidates, lat=LAT, lon=LON, at=naive)["id"].tolist() == ["same"]
    empty = near_in_place_and_time(frame([]), lat=LAT, lon=LON, at=AT)
    assert empty.empty and "distance_m" in empty.columns


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="missing \\['created_at'\\]"):
        near_in_place_and_time(
            pd.DataFrame({"id": [], "lat": [], "lon": []}), lat=LAT, lon=LON, at=AT
        )
    with pytest.raises(ValueError, match="'radius_m' and 'days' should be positive"):
        near_in_place_and_time(frame([]), lat=LAT, lon=LON, at=AT, radius_m=0)
