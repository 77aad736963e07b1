"""The study area: the town and villages with their radii, nothing in between."""

from __future__ import annotations

import geopandas as gpd
import h3
import pytest
from shapely.geometry import Point

from geoservice.core.analysis.study_area import load_places, places_mask
from geoservice.core.places.boundaries import BoundaryError


def test_shipped_places_load_and_cover_town_and_villages_only():
    places = load_places()
    assert "Mellerud (tätort)" in set(places["name"]) and len(places) >= 10
    mask = set(places_mask(places).tolist())
    town = h3.str_to_int(h3.latlng_to_cell(58.7005, 12.4535, 10))
    station = h3.str_to_int(h3.latlng_to_cell(58.7018, 12.4628, 10))
    forest = h3.str_to_int(h3.latlng_to_cell(58.60, 12.20, 10))  # south-west woods
    assert town in mask and station in mask and forest not in mask
    assert 1000 < len(mask) < 10_000


def test_cells_are_those_whose_centre_is_within_the_radius():
    places = gpd.GeoDataFrame(
        {"name": ["a"], "radius_m": [300]},
        geometry=[Point(16.0, 60.0)],
        crs=4326,
    )
    mask = places_mask(places)
    metric = places.to_crs(3006).geometry.iloc[0]
    for cell in mask:
        lat, lon = h3.cell_to_latlng(h3.int_to_str(int(cell)))
        centre = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(3006).iloc[0]
        assert centre.distance(metric) <= 300 + 1e-6
    # A 300 m disc holds about pi * 300^2 / 15,000 m^2 ~ 19 cells of resolution 10.
    assert 12 <= len(mask) <= 26


def test_a_broken_places_file_is_refused(tmp_path):
    path = tmp_path / "places.geojson"
    gpd.GeoDataFrame(
        {"name": ["a"], "radius_m": [-5]}, geometry=[Point(12.4, 58.7)], crs=4326
    ).to_file(path)
    with pytest.raises(BoundaryError, match="radius_m"):
        load_places(path)
