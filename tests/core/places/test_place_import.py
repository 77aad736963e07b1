"""Reading a municipality's places: GeoJSON, CSV (lat/lon, x/y with a CRS, WKT), GeoPackage."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geoservice.core.places.gazetteer import GazetteerError
from geoservice.core.places.place_import import read_places_file


def test_csv_with_lat_lon(tmp_path):
    path = tmp_path / "platser.csv"
    path.write_text(
        "namn,typ,radie,lat,lon\nStationen,station,150,58.7012,12.462\nTorget,square,,58.7,12.45\n",
        encoding="utf-8",
    )
    places = read_places_file(path)
    assert list(places["name"]) == ["Stationen", "Torget"]
    assert list(places["kind"]) == ["station", "square"]
    assert places["radius_m"].tolist() == [150.0, 150.0]  # the square gets its kind's default


def test_csv_with_lat_lon_columns(tmp_path):
    path = tmp_path / "platser.csv"
    path.write_text("name,kind,lat,lon\nStationen,station,58.7012,12.4620\n", encoding="utf-8")
    places = read_places_file(path)
    assert places.geometry.iloc[0].equals_exact(shapely.Point(12.4620, 58.7012), 1e-9)
    assert bool(places["approximate"].iloc[0]) is True  # unknown accuracy: approximate


def test_csv_with_sweref_xy_needs_and_uses_the_crs(tmp_path):
    path = tmp_path / "platser.csv"
    path.write_text("name,x,y\nStationen,345000,6510000\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="need their CRS") as info:
        read_places_file(path)
    assert "koordinatsystem" in info.value.sv
    places = read_places_file(path, crs="EPSG:3006")
    assert places.crs.to_epsg() == 4326
    assert 58 < places.geometry.iloc[0].y < 59.5


def test_csv_with_wkt_line(tmp_path):
    path = tmp_path / "gator.csv"
    path.write_text(
        'name,kind,wkt\nStorgatan,street,"LINESTRING (12.442 58.700, 12.4615 58.701)"\n',
        encoding="utf-8",
    )
    places = read_places_file(path)
    assert places.geometry.iloc[0].geom_type == "LineString"


def test_geojson_and_geopackage_in_any_crs(tmp_path):
    frame = gpd.GeoDataFrame(
        {"name": ["Stationen"], "kind": ["station"]},
        geometry=[shapely.Point(12.4620, 58.7012)],
        crs=4326,
    ).to_crs(3006)
    gpkg = tmp_path / "platser.gpkg"
    frame.to_file(gpkg, layer="platser", driver="GPKG")
    geojson = tmp_path / "platser.geojson"
    frame.to_crs(4326).to_file(geojson, driver="GeoJSON")
    for path in (gpkg, geojson):
        places = read_places_file(path)
        assert places.crs.to_epsg() == 4326
        assert abs(places.geometry.iloc[0].x - 12.4620) < 1e-6


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("p.txt", "x", "unknown file type"),
        ("p.csv", "name,lat,lon\nA,north,12\n", "are not numbers on line"),
        ("p.csv", "name,lat,lon\n,58.7,12.4\n", "have no 'name'"),
        ("p.csv", "title,lat,lon\nA,58.7,12.4\n", "no name field"),
        ("p.csv", "name,kind,lat,lon\nA,pub,58.7,12.4\n", "unknown 'kind'"),
        ("p.csv", "name,radius_m,lat,lon\nA,far,58.7,12.4\n", "is not a number"),
        ("p.csv", "name,lat,lon\nA,5870000,1245000\n", "outside WGS 84"),
        ("p.csv", "name\nA\n", "needs 'lat' and 'lon'"),
        ("p.geojson", "{oops", "cannot read"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GazetteerError, match=message) as info:
        read_places_file(path)
    assert name in str(info.value) and info.value.sv
