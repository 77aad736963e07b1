"""The gazetteer: the shipped places load, and any point, cell or zone gets a name."""

from __future__ import annotations

import geopandas as gpd
import h3
import pytest
import shapely

from geoservice.core.analysis.hexgrid import cell_boundaries
from geoservice.core.places.gazetteer import (
    KINDS,
    Gazetteer,
    GazetteerError,
    check_places,
    label_place,
    load_gazetteer,
)


@pytest.fixture(scope="module")
def shipped() -> Gazetteer:
    return load_gazetteer()


def frame(rows, crs="EPSG:4326"):
    return gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "geometry"} for r in rows],
        geometry=[r["geometry"] for r in rows],
        crs=crs,
    )


def test_shipped_places_are_checked_named_and_sourced(shipped):
    places = shipped.places
    assert len(places) >= 25
    assert set(places["kind"]) <= set(KINDS)
    assert places["name"].is_unique
    assert places["source"].notna().all()
    assert places.crs.to_epsg() == 4326
    for name in ("Resecentrum", "Storgatan", "Åsensbruk", "Dals Rostock", "Rådaskolan"):
        assert name in set(places["name"])
    assert shipped.any_approximate


def test_a_point_by_the_station_is_labelled_by_the_station(shipped):
    assert label_place(shapely.Point(12.4622, 58.7013), shipped) == "vid Resecentrum"
    assert label_place(shapely.Point(12.4622, 58.7013), shipped, lang="en") == "by Resecentrum"


def test_a_street_is_labelled_by_its_part(shipped):
    west = label_place(shapely.Point(12.4430, 58.7000), shipped)
    assert west == "Storgatan, västra delen"
    assert label_place(shapely.Point(12.4430, 58.7000), shipped, lang="en") == (
        "Storgatan, western part"
    )


def test_a_village_point_gets_the_village_name(shipped):
    assert label_place(shapely.Point(12.4200, 58.7900), shipped) == "Åsensbruk"


def test_a_landmark_in_a_village_names_the_village_too(shipped):
    assert label_place(shapely.Point(12.3521, 58.7161), shipped) == (
        "vid Karolinerskolan, Dals Rostock"
    )


def test_far_from_everything_says_distance_and_direction(shipped):
    # About 3 km north of Håverud, in the forest.
    text = label_place(shapely.Point(12.4100, 58.8480), shipped)
    assert text.endswith("km norr om Håverud"), text
    assert "," in text.split(" km")[0]  # Swedish decimal comma


def test_a_cell_and_a_zone_are_labelled_like_their_place(shipped):
    cell = h3.latlng_to_cell(58.7012, 12.4620, 10)
    assert label_place(cell, shipped) == "vid Resecentrum"
    assert label_place(h3.str_to_int(cell), shipped) == "vid Resecentrum"
    disk = [h3.str_to_int(c) for c in h3.grid_disk(cell, 1)]
    zone = shapely.union_all(cell_boundaries(disk))
    assert label_place(zone, shipped) == "vid Resecentrum"
    assert shipped.label_cells([cell, cell]) == ["vid Resecentrum"] * 2


def test_a_zone_centre_decides_between_two_landmarks():
    places = check_places(
        frame(
            [
                {"name": "A", "kind": "school", "radius_m": 200,
                 "geometry": shapely.Point(12.0, 58.0)},
                {"name": "B", "kind": "school", "radius_m": 200,
                 "geometry": shapely.Point(12.003, 58.0)},
            ]
        )
    )  # fmt: skip
    zone = shapely.box(11.9995, 57.9995, 12.0045, 58.0005)  # centre nearer B
    assert label_place(zone, places) == "vid B"


def test_labels_work_from_any_crs():
    metric = gpd.GeoSeries([shapely.Point(12.4620, 58.7012)], crs=4326).to_crs(3006)
    places = frame([{"name": "Stationen", "kind": "station", "geometry": metric.iloc[0]}], 3006)
    assert label_place(shapely.Point(12.4621, 58.7012), places) == "vid Stationen"


def test_no_places_names_the_municipality():
    empty = Gazetteer.from_frame(
        gpd.GeoDataFrame(
            {"name": [], "kind": [], "radius_m": [], "source": [], "approximate": []},
            geometry=[],
            crs=4326,
        )
    )
    assert label_place(shapely.Point(12.45, 58.70), empty) == "Melleruds kommun"


@pytest.mark.parametrize(
    ("rows", "crs", "message"),
    [
        ([{"name": "A", "geometry": shapely.Point(12, 58)}], None, "no coordinate reference"),
        ([{"name": " ", "geometry": shapely.Point(12, 58)}], 4326, "row(s) 1"),
        ([{"name": "A", "kind": "pub", "geometry": shapely.Point(12, 58)}], 4326, "unknown 'kind'"),
        ([{"name": "A", "radius_m": -3, "geometry": shapely.Point(12, 58)}], 4326, "radius_m"),
        ([{"name": "A", "geometry": None}], 4326, "missing or invalid geometry"),
    ],
)
def test_bad_places_are_refused_naming_the_problem(rows, crs, message):
    with pytest.raises(GazetteerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_places(frame(rows, crs=crs))


def test_a_bad_geometry_argument_is_refused(shipped):
    with pytest.raises(ValueError, match="H3 cell"):
        label_place("not-a-cell", shipped)
    with pytest.raises(ValueError, match="shapely geometry"):
        label_place((12.4, 58.7), shipped)


def test_an_unreadable_file_is_refused(tmp_path):
    bad = tmp_path / "places.geojson"
    bad.write_text("{not json")
    with pytest.raises(GazetteerError, match="places.geojson: cannot read"):
        load_gazetteer(bad)
