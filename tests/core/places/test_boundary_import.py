"""Official boundary files in any format and CRS import as a clean area layer, or say why not."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geoservice.core.places.boundaries import BoundaryError, load_areas, load_outline
from geoservice.core.places.boundary_import import read_boundary_file
from geoservice.core.places.boundary_outline import clip_to_outline, validate_against_outline

TOWN = (12.4633, 58.6994)  # Mellerud town centre, inside area "mellerud-holm"


@pytest.fixture(scope="module")
def outline() -> gpd.GeoDataFrame:
    return load_outline()


@pytest.fixture(scope="module")
def official() -> gpd.GeoDataFrame:
    """The shipped areas as an SCB-style RegSO file in SWEREF 99 TM, with a hole and an island.

    A 400 m square is cut out of "mellerud-holm" and given to "fagerlid-jarn", so the
    layer still tiles the municipality while one area has a hole and another is a
    MultiPolygon.
    """
    areas = load_areas().to_crs("EPSG:3006")
    town = gpd.GeoSeries([shapely.Point(TOWN)], crs="EPSG:4326").to_crs("EPSG:3006").iloc[0]
    island = town.buffer(200, cap_style="square")
    geoms = areas.geometry.to_list()
    holm = areas.index[areas["id"] == "mellerud-holm"][0]
    fagerlid = areas.index[areas["id"] == "fagerlid-jarn"][0]
    geoms[holm] = geoms[holm].difference(island)
    geoms[fagerlid] = shapely.MultiPolygon([geoms[fagerlid], island])
    return gpd.GeoDataFrame(
        {
            "regsokod": areas["id"],
            "regso": areas["name"],
            "folkmangd": areas["population"],
            "kommun": "1461",
        },
        geometry=geoms,
        crs="EPSG:3006",
    )


def assert_same_areas(read: gpd.GeoDataFrame, expected: gpd.GeoDataFrame) -> None:
    assert read.crs.equals("EPSG:4326")
    assert list(read.columns) == ["id", "name", "population", "geometry"]
    assert read["id"].tolist() == expected["regsokod"].tolist()
    assert read["name"].tolist() == expected["regso"].tolist()
    assert read["population"].tolist() == expected["folkmangd"].tolist()
    back = read.to_crs("EPSG:3006").geometry.reset_index(drop=True)
    differs = back.symmetric_difference(expected.geometry.reset_index(drop=True)).area
    assert (differs < 1.0).all(), differs  # m2, after two reprojections


def test_geopackage_in_sweref_reads_back_with_holes_and_multipolygons(tmp_path, official):
    path = tmp_path / "regso.gpkg"
    official.to_file(path, layer="regso")

    imported = read_boundary_file(path)

    assert_same_areas(imported.areas, official)
    assert imported.source_crs == "EPSG:3006"
    assert imported.fields_used == {"id": "regsokod", "name": "regso", "population": "folkmangd"}
    assert imported.areas["population"].dtype == "Int64"
    assert imported.repaired == 0
    by_id = imported.areas.set_index("id").geometry
    holes = shapely.get_num_interior_rings(shapely.get_parts(by_id["mellerud-holm"]))
    assert holes.sum() == 1
    assert len(shapely.get_parts(by_id["fagerlid-jarn"])) == 2
    assert "Läste 5 områden från regso.gpkg (EPSG:3006)." in imported.summary("sv")
    assert "Read 5 areas from regso.gpkg (EPSG:3006)." in imported.summary("en")


def test_zipped_shapefile_reads_like_the_geopackage(tmp_path, official):
    folder = tmp_path / "shp"
    folder.mkdir()
    official.to_file(folder / "regso.shp")
    archive = tmp_path / "regso.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in folder.iterdir():
            zipped.write(part, f"RegSO_2025/{part.name}")

    imported = read_boundary_file(archive)

    assert_same_areas(imported.areas, official)
    assert imported.source_crs == "EPSG:3006"


def test_geoparquet_reads_like_the_geopackage(tmp_path, official):
    path = tmp_path / "regso.parquet"
    official.to_parquet(path)
    assert_same_areas(read_boundary_file(path).areas, official)


def test_explicit_fields_win_over_guessed_ones(tmp_path, official):
    path = tmp_path / "regso.gpkg"
    official.assign(invanare_2024=official["folkmangd"] + 1).to_file(path)
    imported = read_boundary_file(path, population_field="invanare_2024", name_field="REGSO")
    assert imported.fields_used["population"] == "invanare_2024"
    assert imported.fields_used["name"] == "regso"
    assert imported.areas["population"].tolist() == (official["folkmangd"] + 1).tolist()


def write_geojson(path, features: list[tuple[str, shapely.Geometry]], **fields) -> None:
    frame = gpd.GeoDataFrame(
        {"id": [f[0] for f in features], **fields},
        geometry=[f[1] for f in features],
        crs="EPSG:4326",
    )
    frame.to_file(path, driver="GeoJSON")


def test_geojson_bow_tie_is_repaired_and_counted(tmp_path):
    bow_tie = shapely.Polygon([(12.40, 58.70), (12.42, 58.72), (12.42, 58.70), (12.40, 58.72)])
    square = shapely.box(12.42, 58.70, 12.44, 58.72)
    assert not bow_tie.is_valid
    path = tmp_path / "areas.geojson"
    write_geojson(
        path, [("a", bow_tie), ("b", square)], namn=["Knuten", "Rutan"], befolkning=[10, 20]
    )

    imported = read_boundary_file(path)

    assert imported.repaired == 1
    geometry = imported.areas.geometry.iloc[0]
    assert geometry.is_valid
    assert geometry.geom_type == "MultiPolygon" and len(geometry.geoms) == 2
    assert geometry.area == pytest.approx(0.5 * 0.02 * 0.02)
    assert imported.areas.geometry.iloc[1].equals(square)
    assert imported.fields_used == {"id": "id", "name": "namn", "population": "befolkning"}
    assert "1 ogiltiga geometrier lagades" in imported.summary()


def test_duplicate_ids_are_listed(tmp_path):
    path = tmp_path / "dup.geojson"
    boxes = [shapely.box(12.4 + i / 100, 58.7, 12.41 + i / 100, 58.71) for i in range(4)]
    write_geojson(
        path,
        list(zip(["x", "y", "x", "y"], boxes, strict=True)),
        name=list("abcd"),
        population=[1, 2, 3, 4],
    )
    with pytest.raises(BoundaryError, match=r"field 'id' has duplicate value\(s\) x, y"):
        read_boundary_file(path)


def test_a_missing_name_field_is_named(tmp_path):
    path = tmp_path / "noname.geojson"
    write_geojson(path, [("a", shapely.box(12.4, 58.7, 12.41, 58.71))], population=[3])
    with pytest.raises(BoundaryError, match="no name field found.*--name-field"):
        read_boundary_file(path)
    with pytest.raises(BoundaryError, match="has no field 'namn' for the name"):
        read_boundary_file(path, name_field="namn")


def test_a_missing_population_is_refused_unless_declared_absent(tmp_path):
    path = tmp_path / "nopop.geojson"
    write_geojson(path, [("a", shapely.box(12.4, 58.7, 12.41, 58.71))], name=["A"])
    with pytest.raises(BoundaryError, match="no population field found.*--no-population"):
        read_boundary_file(path)

    imported = read_boundary_file(path, no_population=True)
    assert imported.areas["population"].tolist() == [None]
    assert imported.fields_used["population"] is None
    assert "befolkning = saknas (angivet)" in imported.summary()


def test_negative_population_is_refused(tmp_path):
    path = tmp_path / "neg.geojson"
    write_geojson(path, [("a", shapely.box(12.4, 58.7, 12.41, 58.71))], name=["A"], population=[-1])
    with pytest.raises(BoundaryError, match="must not be negative; negative for id\\(s\\) a"):
        read_boundary_file(path)


def test_a_file_without_crs_is_refused(tmp_path, official):
    official.to_file(tmp_path / "regso.shp")
    (tmp_path / "regso.prj").unlink()
    with pytest.raises(BoundaryError, match="has no CRS"):
        read_boundary_file(tmp_path / "regso.shp")


def test_several_layers_need_a_choice(tmp_path, official):
    path = tmp_path / "scb.gpkg"
    official.to_file(path, layer="regso")
    official.to_file(path, layer="deso")
    with pytest.raises(BoundaryError, match="holds 2 layers; choose one with --layer: regso, deso"):
        read_boundary_file(path)
    with pytest.raises(BoundaryError, match="has no layer 'kommun'; layers: regso, deso"):
        read_boundary_file(path, layer="kommun")

    imported = read_boundary_file(path, layer="deso")
    assert imported.layer == "deso"
    assert "(deso, EPSG:3006)" in imported.summary()


def test_the_imported_official_layer_tiles_the_municipality(tmp_path, official, outline):
    path = tmp_path / "regso.gpkg"
    official.to_file(path)
    imported = read_boundary_file(path).against_outline(outline)
    assert imported.coverage.uncovered_share < 1e-6
    assert imported.coverage.overlaps == []
    assert imported.clipped == () and imported.dropped == ()
    assert "Täckning: 0,00 % av kommunen" in imported.summary()


def test_overlaps_beyond_the_tolerance_are_listed(outline):
    areas = load_areas()
    metric = areas.to_crs("EPSG:3006")
    grown = metric.geometry.where(metric["id"] != "skallerud", metric.geometry.buffer(50))
    areas = areas.set_geometry(grown.to_crs("EPSG:4326"))
    with pytest.raises(BoundaryError, match=r"overlap by more than 100 m²: .*skallerud"):
        validate_against_outline(areas, outline)
    # Within a generous tolerance the same layer passes.
    validate_against_outline(areas, outline, overlap_tolerance_m2=1e8)


def test_the_uncovered_share_is_reported_and_limited(outline):
    areas = load_areas()
    partial = areas[areas["id"] != "bolstad"]
    expected = (
        areas[areas["id"] == "bolstad"].to_crs("EPSG:3006").area.iloc[0]
        / outline.to_crs("EPSG:3006").area.iloc[0]
    )
    with pytest.raises(BoundaryError, match="of the municipality lies in no area"):
        validate_against_outline(partial, outline)
    report = validate_against_outline(partial, outline, max_uncovered_share=0.5)
    assert report.uncovered_share == pytest.approx(expected, rel=1e-6)
    assert 0.02 < report.uncovered_share < 0.5


def test_parts_outside_the_outline_are_clipped_and_reported(outline):
    areas = load_areas()
    west = outline.to_crs("EPSG:3006").total_bounds[0]
    beyond = gpd.GeoSeries(
        [shapely.box(west - 3000, 6_500_000, west - 2000, 6_501_000)], crs="EPSG:3006"
    ).to_crs("EPSG:4326")
    stray = gpd.GeoDataFrame(
        {"id": ["stray"], "name": ["Vilse"], "population": [0]}, geometry=beyond
    )
    rostock = areas["id"] == "rostock-dalskog-or"
    original = areas.geometry[rostock].iloc[0]
    grown = areas.geometry.where(~rostock, original.union(beyond.buffer(0.0).iloc[0]))
    layer = pd.concat([areas.set_geometry(grown), stray], ignore_index=True)

    clipped, cut, dropped = clip_to_outline(layer, outline)
    assert cut == ["rostock-dalskog-or"]
    assert dropped == ["stray"]
    assert clipped["id"].tolist() == areas["id"].tolist()
    back = clipped.set_index("id").geometry.to_crs("EPSG:3006")["rostock-dalskog-or"]
    before = gpd.GeoSeries([original], crs="EPSG:4326").to_crs("EPSG:3006").iloc[0]
    assert back.symmetric_difference(before).area < 10.0  # m2


def test_a_deso_file_uses_its_code_as_the_name(tmp_path):
    path = tmp_path / "deso.geojson"
    frame = gpd.GeoDataFrame(
        {"DeSO": ["1461C1010"], "Befolkning": [812]},
        geometry=[shapely.box(12.4, 58.7, 12.41, 58.71)],
        crs="EPSG:4326",
    )
    frame.to_file(path)
    imported = read_boundary_file(path)
    assert imported.fields_used == {"id": "DeSO", "name": "DeSO", "population": "Befolkning"}
    assert imported.areas[["id", "name"]].iloc[0].tolist() == ["1461C1010", "1461C1010"]
