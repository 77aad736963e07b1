"""What a boundary import may cost: areas, vertices, archive expansion and feature counts
are capped before reading; NaN coordinates and bombs get clean messages, memory bounded."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS
from shapely.geometry import Point, box

from geoservice.core.places.assign import AreaIndex
from geoservice.core.places.boundaries import BoundaryError, load_areas
from geoservice.core.places.boundary_import import (
    MAX_AREAS,
    MAX_TOTAL_VERTICES,
    read_boundary_file,
)
from geoservice.core.places.display import simplify_for_display

ROOT = Path(__file__).resolve().parents[3]


def grid(n: int) -> gpd.GeoDataFrame:
    side = int(np.ceil(np.sqrt(n)))
    cells = [
        box(
            330_000 + 50 * (i % side),
            6_500_000 + 50 * (i // side),
            330_050 + 50 * (i % side),
            6_500_050 + 50 * (i // side),
        )
        for i in range(n)
    ]
    return gpd.GeoDataFrame(
        {
            "id": [f"c{i}" for i in range(n)],
            "name": [f"Cell {i}" for i in range(n)],
            "population": 1,
        },
        geometry=cells,
        crs=3006,
    )


def test_a_layer_of_more_areas_than_the_cap_is_refused_before_reading(tmp_path):
    path = tmp_path / "grid.gpkg"
    grid(MAX_AREAS + 1).to_file(path, layer="grid", driver="GPKG")
    with pytest.raises(BoundaryError, match=f"holds {MAX_AREAS + 1:,} features"):
        read_boundary_file(path)
    parquet = tmp_path / "grid.parquet"
    grid(MAX_AREAS + 1).to_parquet(parquet)
    with pytest.raises(BoundaryError, match="at most 2,000 areas"):
        read_boundary_file(parquet)


def test_a_municipality_layer_fits_easily(tmp_path):
    path = tmp_path / "deso.gpkg"
    grid(12).to_file(path, layer="deso", driver="GPKG")
    assert len(read_boundary_file(path).areas) == 12


def test_too_many_vertices_in_all_is_refused(tmp_path):
    # 12 areas of 88,000 vertices each: under the cap per area, over the total cap.
    rings = [
        shapely.segmentize(Point(340_000 + 3_000 * i, 6_500_000).buffer(1_000, quad_segs=8), 0.0715)
        for i in range(12)
    ]
    assert shapely.get_num_coordinates(rings[0]) < 100_000
    frame = gpd.GeoDataFrame(
        {"id": [f"s{i}" for i in range(12)], "name": "S", "population": 1}, geometry=rings, crs=3006
    )
    path = tmp_path / "strips.parquet"
    frame.to_parquet(path)
    with pytest.raises(BoundaryError, match=f"at most {MAX_TOTAL_VERTICES:,}"):
        read_boundary_file(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_infinite_coordinates_are_named(tmp_path, bad):
    with np.errstate(invalid="ignore"):
        broken = shapely.Polygon([(340_000, 6_500_000), (340_100, bad), (340_100, 6_500_100)])
    frame = gpd.GeoDataFrame(
        {"id": ["ok", "broken"], "name": ["Ok", "Broken"], "population": [1, 2]},
        geometry=[box(340_000, 6_501_000, 340_100, 6_501_100), broken],
        crs=3006,
    )
    path = tmp_path / "nan.gpkg"
    frame.to_file(path, layer="nan", driver="GPKG")
    with pytest.raises(BoundaryError, match=r"not finite numbers \(NaN or infinity\) in .*broken"):
        read_boundary_file(path)


def test_a_highly_compressed_zip_is_refused_before_expanding(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("areas.shp", b"\0" * (50 * 1024 * 1024))
        archive.writestr("areas.shx", b"\0" * 100)
        archive.writestr("areas.dbf", b"\0" * 100)
    with pytest.raises(BoundaryError, match="expands to 50 MB"):
        read_boundary_file(path)


def null_shapefile_zip(path: Path, features: int) -> None:
    """A zipped shapefile of ``features`` records (null shapes), written straight as bytes."""
    header = np.zeros(100, dtype=np.uint8)

    def shp_header(length_bytes: int) -> bytes:
        head = bytearray(100)
        head[0:4] = (9994).to_bytes(4, "big")
        head[24:28] = (length_bytes // 2).to_bytes(4, "big")
        head[28:32] = (1000).to_bytes(4, "little")
        head[32:36] = (5).to_bytes(4, "little")  # polygons
        return bytes(head)

    del header
    records = np.zeros(features, dtype=[("num", ">i4"), ("len", ">i4"), ("type", "<i4")])
    records["num"] = np.arange(1, features + 1)
    records["len"] = 2
    shp = shp_header(100 + 12 * features) + records.tobytes()
    index = np.zeros(features, dtype=[("offset", ">i4"), ("len", ">i4")])
    index["offset"] = (100 + 12 * np.arange(features)) // 2
    index["len"] = 2
    shx = shp_header(100 + 8 * features) + index.tobytes()
    field = b"ID".ljust(11, b"\0") + b"C" + b"\0" * 4 + bytes([10, 0]) + b"\0" * 14
    dbf_head = (
        bytes([3, 126, 1, 1])
        + features.to_bytes(4, "little")
        + (32 + 32 + 1).to_bytes(2, "little")
        + (1 + 10).to_bytes(2, "little")
        + b"\0" * 20
    )
    dbf = dbf_head + field + b"\r" + b" area      " * features + b"\x1a"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("bomb.shp", shp)
        archive.writestr("bomb.shx", shx)
        archive.writestr("bomb.dbf", dbf)
        archive.writestr("bomb.prj", CRS.from_epsg(3006).to_wkt("WKT1_ESRI"))


def test_a_five_million_feature_archive_is_refused_under_a_memory_limit(tmp_path):
    path = tmp_path / "bomb.zip"
    null_shapefile_zip(path, 5_000_000)
    limit = 1_200 * 1024 * 1024  # address space; the interpreter with geopandas needs ~500 MB
    script = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
        from geoservice.core.places.boundaries import BoundaryError
        from geoservice.core.places.boundary_import import read_boundary_file
        try:
            read_boundary_file({str(path)!r})
        except BoundaryError as exc:
            print("REFUSED", exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "REFUSED" in done.stdout and "more than 20,000 features" in done.stdout, done.stdout


def test_display_geometry_is_lighter_while_assignment_keeps_the_exact_one():
    areas = load_areas()
    dense = areas.to_crs(3006)
    # Densify to a vertex every 2 m: what an official file looks like.
    dense = dense.set_geometry(shapely.segmentize(dense.geometry.to_numpy(), 2.0)).to_crs(4326)
    shown = simplify_for_display(dense)
    before = shapely.get_num_coordinates(dense.geometry.to_numpy()).sum()
    after = shapely.get_num_coordinates(shown.geometry.to_numpy()).sum()
    assert after < before / 5, (before, after)
    # Shared edges stay shared: no gaps or overlaps appear between neighbours.
    metric = shown.to_crs(3006)
    overlaps = metric.geometry.union_all().area - metric.geometry.area.sum()
    assert abs(overlaps) < 1.0
    from geoservice.store.areas import AreaLayer, shipped_layer

    layer = AreaLayer(areas=dense, outline=shipped_layer().outline, approximate=False, source="t")
    exact = AreaIndex(dense)
    rng = np.random.default_rng(1)
    minx, miny, maxx, maxy = dense.total_bounds
    lon, lat = rng.uniform(minx, maxx, 2000), rng.uniform(miny, maxy, 2000)
    assert list(layer.index.assign(lon, lat)) == list(exact.assign(lon, lat))
    assert shapely.get_num_coordinates(layer.areas.geometry.to_numpy()).sum() == after
