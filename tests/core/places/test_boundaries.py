"""The shipped boundaries load and tile the municipality; broken files are refused clearly."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoservice.core.places.boundaries import (
    DEFAULT_AREAS_FILE,
    DEFAULT_OUTLINE_FILE,
    BoundaryError,
    check_coverage,
    default_areas_path,
    default_outline_path,
    load_areas,
    load_outline,
)

EXPECTED_POPULATION = {
    "bolstad": 1204,
    "fagerlid-jarn": 2190,
    "mellerud-holm": 2672,
    "rostock-dalskog-or": 1971,
    "skallerud": 1198,
}


@pytest.fixture(scope="module")
def areas() -> gpd.GeoDataFrame:
    return load_areas()


@pytest.fixture(scope="module")
def outline() -> gpd.GeoDataFrame:
    return load_outline()


# -- the shipped files ------------------------------------------------------------------


def test_default_paths_point_at_shipped_files():
    assert default_areas_path().name == DEFAULT_AREAS_FILE
    assert default_outline_path().name == DEFAULT_OUTLINE_FILE
    assert default_areas_path().is_file()
    assert default_outline_path().is_file()


def test_outline_is_one_polygon_in_wgs84(outline):
    assert len(outline) == 1
    assert outline.crs.equals("EPSG:4326")
    assert outline.geometry.iloc[0].geom_type in ("Polygon", "MultiPolygon")
    assert outline["kommun_kod"].iloc[0] == "1461"
    # Mellerud town centre lies inside; Vänersborg (south of the municipality) does not.
    assert outline.geometry.iloc[0].contains(shapely.Point(12.4633, 58.6994))
    assert not outline.geometry.iloc[0].contains(shapely.Point(12.3247, 58.3800))


def test_shipped_areas_are_the_five_districts_with_their_residents(areas):
    assert list(areas.columns) == ["id", "name", "population", "geometry"]
    assert areas.crs.equals("EPSG:4326")
    assert dict(zip(areas["id"], areas["population"], strict=True)) == EXPECTED_POPULATION
    assert areas["population"].sum() == 9235
    assert areas["population"].dtype == np.int64
    assert all(isinstance(v, str) for v in areas["id"])
    assert "Fagerlid/Järn" in set(areas["name"])


def test_shipped_areas_cover_the_outline_without_gaps_or_overlaps(areas, outline):
    report = check_coverage(areas, outline, tolerance_m2=10.0)
    assert report.ok, report
    assert report.uncovered_share < 1e-8
    assert report.outside_m2 < 10.0
    assert report.overlaps == []
    # Area sums agree too (EPSG:3006): the districts add up to the municipality.
    total = areas.to_crs("EPSG:3006").area.sum()
    assert total == pytest.approx(report.outline_m2, abs=10.0)


def test_every_point_in_the_outline_lies_in_exactly_one_area(areas, outline):
    rng = np.random.default_rng(7)
    xmin, ymin, xmax, ymax = outline.total_bounds
    x, y = rng.uniform(xmin, xmax, 5000), rng.uniform(ymin, ymax, 5000)
    inside = shapely.contains_xy(outline.geometry.iloc[0], x, y)
    hits = sum(shapely.contains_xy(g, x, y).astype(int) for g in areas.geometry)
    assert (hits[inside] == 1).all()
    assert (hits[~inside] == 0).all()


def test_named_places_fall_in_their_districts(areas):
    def district_at(lon: float, lat: float) -> str:
        return areas.loc[areas.contains(shapely.Point(lon, lat)), "id"].item()

    assert district_at(12.4633, 58.6994) == "mellerud-holm"  # Mellerud town centre
    assert district_at(12.3500, 58.7167) == "rostock-dalskog-or"  # Dals Rostock
    assert district_at(12.4289, 58.7853) == "skallerud"  # Åsensbruk


def test_check_coverage_reports_gaps_and_overlaps():
    outline = shapely.box(0, 0, 0.02, 0.01)
    areas = gpd.GeoDataFrame(
        {"id": ["a", "b"]},
        geometry=[shapely.box(0, 0, 0.011, 0.01), shapely.box(0.009, 0, 0.015, 0.01)],
        crs="EPSG:4326",
    )
    report = check_coverage(areas, outline)
    assert not report.ok
    assert report.uncovered_share == pytest.approx(0.25, rel=0.01)
    [overlap] = report.overlaps
    assert (overlap.first, overlap.second) == ("a", "b")
    assert overlap.area_m2 > 100_000


def test_check_coverage_wants_a_geodataframe():
    with pytest.raises(ValueError, match="'areas' should be GeoDataFrame"):
        check_coverage([shapely.box(0, 0, 1, 1)], shapely.box(0, 0, 1, 1))


# -- broken files -----------------------------------------------------------------------

SQUARE = [[[12.40, 58.60], [12.41, 58.60], [12.41, 58.61], [12.40, 58.61], [12.40, 58.60]]]
BOWTIE = [[[12.40, 58.60], [12.41, 58.61], [12.41, 58.60], [12.40, 58.61], [12.40, 58.60]]]


def feature(geometry=None, **properties) -> dict:
    geometry = geometry if geometry is not None else {"type": "Polygon", "coordinates": SQUARE}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write_geojson(tmp_path, *features, name="areas.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def test_a_minimal_valid_file_loads(tmp_path):
    path = write_geojson(tmp_path, feature(id="a", name="A", population=3, extra="dropped"))
    areas = load_areas(path)
    assert list(areas.columns) == ["id", "name", "population", "geometry"]
    assert areas.loc[0, "population"] == 3


def test_numeric_ids_become_strings(tmp_path):
    path = write_geojson(tmp_path, feature(id=14610001, name="A", population=3))
    assert load_areas(path)["id"].tolist() == ["14610001"]


def test_a_file_in_another_crs_is_converted_to_wgs84(tmp_path):
    square = shapely.box(12.40, 58.60, 12.41, 58.61)
    frame = gpd.GeoDataFrame(
        {"id": ["a"], "name": ["A"], "population": [3]}, geometry=[square], crs="EPSG:4326"
    ).to_crs("EPSG:3006")
    path = tmp_path / "sweref.gpkg"
    frame.to_file(path, engine="pyogrio")
    areas = load_areas(path)
    assert areas.crs.equals("EPSG:4326")
    assert areas.geometry.iloc[0].equals_exact(square, tolerance=1e-7)


def test_a_file_without_crs_is_refused(tmp_path):
    frame = gpd.GeoDataFrame(
        {"id": ["a"], "name": ["A"], "population": [3]},
        geometry=[shapely.box(12.40, 58.60, 12.41, 58.61)],
    )
    path = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        frame.to_file(path, engine="pyogrio")
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(BoundaryError, match=r"nocrs\.shp: has no CRS; declare one"):
        load_areas(path)


def test_self_intersecting_polygon_is_refused_with_the_reason(tmp_path):
    path = write_geojson(
        tmp_path,
        feature(id="ok", name="OK", population=1),
        feature({"type": "Polygon", "coordinates": BOWTIE}, id="bowtie", name="B", population=1),
    )
    with pytest.raises(BoundaryError, match=r"areas\.geojson: geometry is invalid") as err:
        load_areas(path)
    assert "bowtie (Self-intersection" in str(err.value)
    assert "ok" not in str(err.value).split("for ")[-1]


def test_duplicate_ids_are_refused(tmp_path):
    path = write_geojson(
        tmp_path,
        feature(id="a", name="A", population=1),
        feature(id="b", name="B", population=1),
        feature(id="a", name="A again", population=1),
    )
    with pytest.raises(
        BoundaryError, match=r"areas\.geojson: field 'id' has duplicate value\(s\) a$"
    ):
        load_areas(path)


def test_empty_id_is_refused(tmp_path):
    path = write_geojson(tmp_path, feature(id=" ", name="A", population=1))
    with pytest.raises(BoundaryError, match=r"field 'id' is empty in feature\(s\) #1"):
        load_areas(path)


def test_missing_population_field_is_refused(tmp_path):
    path = write_geojson(tmp_path, feature(id="a", name="A"))
    with pytest.raises(
        BoundaryError, match=r"areas\.geojson: missing required field\(s\) population"
    ):
        load_areas(path)


def test_negative_population_is_refused(tmp_path):
    path = write_geojson(
        tmp_path,
        feature(id="a", name="A", population=10),
        feature(id="b", name="B", population=-4),
    )
    with pytest.raises(BoundaryError, match=r"'population' must not be negative; .* id\(s\) b$"):
        load_areas(path)


@pytest.mark.parametrize("value", [12.5, "many", None])
def test_population_must_be_a_whole_number(tmp_path, value):
    path = write_geojson(
        tmp_path,
        feature(id="a", name="A", population=10),
        feature(id="b", name="B", population=value),
    )
    with pytest.raises(BoundaryError, match=r"'population' must be a whole number; .* id\(s\) b$"):
        load_areas(path)


def test_missing_name_is_refused(tmp_path):
    path = write_geojson(tmp_path, feature(id="a", name=None, population=1))
    with pytest.raises(BoundaryError, match=r"field 'name' is missing for id\(s\) a"):
        load_areas(path)


def test_points_are_not_areas(tmp_path):
    point = {"type": "Point", "coordinates": [12.4, 58.6]}
    path = write_geojson(tmp_path, feature(point, id="p", name="P", population=1))
    with pytest.raises(BoundaryError, match=r"must be a Polygon or MultiPolygon for p \(Point\)"):
        load_areas(path)


def test_missing_geometry_is_refused(tmp_path):
    path = write_geojson(
        tmp_path,
        feature(id="a", name="A", population=1),
        {
            "type": "Feature",
            "properties": {"id": "b", "name": "B", "population": 1},
            "geometry": None,
        },
    )
    with pytest.raises(BoundaryError, match=r"geometry is missing or empty for b"):
        load_areas(path)


def test_a_text_file_is_not_a_geo_file(tmp_path):
    path = tmp_path / "notes.geojson"
    path.write_text("these are not the boundaries you are looking for\n")
    with pytest.raises(BoundaryError, match=r"notes\.geojson: not a readable vector file"):
        load_areas(path)


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_bytes(b"")
    with pytest.raises(BoundaryError, match=r"empty\.geojson: "):
        load_areas(path)


def test_a_collection_without_features_is_refused(tmp_path):
    path = write_geojson(tmp_path)
    with pytest.raises(BoundaryError, match=r"areas\.geojson: has no features"):
        load_areas(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(BoundaryError, match=r"nowhere\.geojson: no such file"):
        load_areas(tmp_path / "nowhere.geojson")


def test_an_outline_must_be_one_feature(tmp_path):
    path = write_geojson(tmp_path, feature(), feature(), name="outline.geojson")
    with pytest.raises(BoundaryError, match=r"outline\.geojson: .* exactly 1 feature, found 2"):
        load_outline(path)


def test_boundary_error_is_a_value_error():
    assert issubclass(BoundaryError, ValueError)
