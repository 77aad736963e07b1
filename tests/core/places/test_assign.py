"""Reports land in exactly one area: the same one sjoin picks, and a fixed one on edges."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoservice.core.places.assign import AreaIndex, assign_areas
from geoservice.core.places.boundaries import load_areas


def sjoin_ids(lon, lat, areas: gpd.GeoDataFrame) -> np.ndarray:
    """What geopandas gives: the area whose interior holds each point, else None."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    joined = gpd.sjoin(points, areas[["id", "geometry"]], predicate="within", how="left")
    assert joined.index.is_unique  # no point inside two areas
    ids = joined["id"].to_numpy(dtype=object)
    return np.where(joined["id"].isna().to_numpy(), None, ids)


def squares(*names_and_boxes) -> gpd.GeoDataFrame:
    names = [n for n, _ in names_and_boxes]
    boxes = [shapely.box(*b) for _, b in names_and_boxes]
    return gpd.GeoDataFrame({"id": names}, geometry=boxes, crs="EPSG:4326")


# 2 x 2 unit squares, layer order sw, se, nw, ne; four meet at (1, 1).
QUAD = squares(
    ("sw", (0, 0, 1, 1)), ("se", (1, 0, 2, 1)), ("nw", (0, 1, 1, 2)), ("ne", (1, 1, 2, 2))
)
# Two squares below one wide rectangle; three meet at (1, 1).
TRIPLE = squares(("left", (0, 0, 1, 1)), ("right", (1, 0, 2, 1)), ("top", (0, 1, 2, 2)))


@pytest.fixture(scope="module")
def mellerud() -> gpd.GeoDataFrame:
    return load_areas()


@pytest.fixture(scope="module", params=[256, 0], ids=["grid", "geos-only"])
def mellerud_index(request, mellerud) -> AreaIndex:
    return AreaIndex(mellerud, grid_cells=request.param)


# -- agreement with sjoin ---------------------------------------------------------------


def test_equals_sjoin_on_random_points_over_the_municipality(mellerud, mellerud_index):
    rng = np.random.default_rng(20261127)
    xmin, ymin, xmax, ymax = mellerud.total_bounds
    lon = rng.uniform(xmin - 0.01, xmax + 0.01, 10_000)
    lat = rng.uniform(ymin - 0.01, ymax + 0.01, 10_000)
    expected = sjoin_ids(lon, lat, mellerud)
    # Random points hit no edge, so every point is strictly inside an area or outside all.
    assert (mellerud_index.assign(lon, lat) == expected).all()
    assert (assign_areas(lon, lat, mellerud) == expected).all()
    assert {"bolstad", "skallerud"} <= set(expected[expected != None])  # noqa: E711


def test_equals_sjoin_on_points_near_the_district_edges(mellerud, mellerud_index):
    # Points within a few metres of every shared edge, where rounding would bite.
    rng = np.random.default_rng(3)
    edges = shapely.union_all(mellerud.boundary.to_numpy())
    samples = shapely.line_interpolate_point(
        edges.geoms if hasattr(edges, "geoms") else [edges],
        rng.uniform(0, 1, (400, 1)),
        normalized=True,
    ).ravel()
    lon = shapely.get_x(samples) + rng.normal(0, 2e-5, samples.size)
    lat = shapely.get_y(samples) + rng.normal(0, 2e-5, samples.size)
    expected = sjoin_ids(lon, lat, mellerud)
    got = mellerud_index.assign(lon, lat)
    strict = expected != None  # noqa: E711
    assert (got[strict] == expected[strict]).all()


@pytest.mark.parametrize("areas", [QUAD, TRIPLE], ids=["quad", "triple"])
def test_equals_sjoin_inside_tiny_squares(areas):
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(-0.5, 2.5, 2000), rng.uniform(-0.5, 2.5, 2000)
    assert (assign_areas(lon, lat, areas) == sjoin_ids(lon, lat, areas)).all()
    assert (AreaIndex(areas, grid_cells=16).assign(lon, lat) == sjoin_ids(lon, lat, areas)).all()


# -- the boundary rule ------------------------------------------------------------------


@pytest.mark.parametrize("grid_cells", [0, 4, 256])
@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (1.0, 0.5, "sw"),  # edge sw|se: sw comes first in the layer
        (1.5, 1.0, "se"),  # edge se|ne
        (0.5, 1.0, "sw"),  # edge sw|nw
        (1.5, 1.5, "ne"),  # interior
        (1.0, 1.0, "sw"),  # corner where all four meet
        (0.0, 0.5, "sw"),  # outer edge counts as inside
        (2.0, 2.0, "ne"),  # outer corner
        (2.5, 0.5, None),  # outside
    ],
)
def test_points_on_edges_get_the_first_area_in_layer_order(lon, lat, expected, grid_cells):
    index = AreaIndex(QUAD, grid_cells=grid_cells)
    assert index.assign([lon], [lat]).tolist() == [expected]


def test_a_three_way_corner_gets_exactly_one_area():
    assert assign_areas([1.0], [1.0], TRIPLE).tolist() == ["left"]
    reordered = TRIPLE.iloc[[2, 1, 0]]
    assert assign_areas([1.0], [1.0], reordered).tolist() == ["top"]
    # sjoin itself gives none of them: the point is in no interior.
    assert sjoin_ids([1.0], [1.0], TRIPLE).tolist() == [None]


def test_rule_holds_on_the_vertices_of_shared_district_edges(mellerud, mellerud_index):
    geoms = mellerud.geometry.to_numpy()
    for a, b in itertools.combinations(range(len(geoms)), 2):
        shared = shapely.intersection(geoms[a].boundary, geoms[b].boundary)
        if shared.is_empty:
            continue
        coords = shapely.get_coordinates(shared)
        got = mellerud_index.assign(coords[:, 0], coords[:, 1])
        # Each vertex belongs to the first district (layer order) whose closure covers it.
        covering = np.array([shapely.intersects_xy(g, coords[:, 0], coords[:, 1]) for g in geoms])
        first = mellerud["id"].to_numpy()[covering.argmax(axis=0)]
        assert covering.any(axis=0).all()
        assert (got == first).all(), (mellerud["id"][a], mellerud["id"][b])


def test_interior_point_is_never_taken_by_an_earlier_neighbours_edge():
    # "b" touches "a" only along x=1; a point just right of that edge is b's.
    areas = squares(("a", (0, 0, 1, 1)), ("b", (1, 0, 2, 1)))
    assert assign_areas([1 + 1e-12], [0.5], areas).tolist() == ["b"]


# -- awkward input ----------------------------------------------------------------------


def test_non_finite_coordinates_get_none():
    lon = [np.nan, 0.5, np.inf, -np.inf, 0.5]
    lat = [0.5, np.nan, 0.5, 0.5, 0.5]
    assert assign_areas(lon, lat, QUAD).tolist() == [None, None, None, None, "sw"]
    assert AreaIndex(QUAD, grid_cells=8).assign(lon, lat).tolist() == [
        None,
        None,
        None,
        None,
        "sw",
    ]


def test_empty_input_gives_an_empty_object_array(mellerud_index):
    result = mellerud_index.assign(np.array([]), np.array([]))
    assert result.shape == (0,)
    assert result.dtype == object
    assert assign_areas([], [], QUAD).shape == (0,)


def test_shape_follows_the_input():
    lon = np.array([[0.5, 1.5], [0.5, 9.0]])
    lat = np.array([[0.5, 0.5], [1.5, 9.0]])
    assert assign_areas(lon, lat, QUAD).tolist() == [["sw", "se"], ["nw", None]]
    assert AreaIndex(QUAD).assign(0.5, 0.5).item() == "sw"


def test_an_empty_layer_assigns_nothing():
    empty = QUAD.iloc[:0]
    assert assign_areas([0.5], [0.5], empty).tolist() == [None]


def test_codes_are_layer_positions():
    assert AreaIndex(QUAD).assign_codes([1.5, 5.0], [1.5, 5.0]).tolist() == [3, -1]


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        ([shapely.box(0, 0, 1, 1)], "'areas' should be GeoDataFrame"),
        (QUAD.to_crs("EPSG:3006"), "should be in EPSG:4326"),
        (QUAD[["geometry"]], "needs an 'id' column"),
        (
            gpd.GeoDataFrame({"id": ["p"]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4326"),
            "Polygon or MultiPolygon",
        ),
    ],
)
def test_bad_layers_are_refused_up_front(areas, message):
    with pytest.raises(ValueError, match=message):
        AreaIndex(areas)


def test_one_point_at_a_time_agrees_with_the_array_path(mellerud, mellerud_index):
    rng = np.random.default_rng(11)
    xmin, ymin, xmax, ymax = mellerud.total_bounds
    lon = rng.uniform(xmin - 0.01, xmax + 0.01, 3_000)
    lat = rng.uniform(ymin - 0.01, ymax + 0.01, 3_000)
    # Shared vertices and edge points too, where the rule picks the first area.
    vertices = shapely.get_coordinates(mellerud.boundary.to_numpy())[::7]
    lon = np.concatenate([lon, vertices[:, 0], [np.nan, np.inf, xmin - 5]])
    lat = np.concatenate([lat, vertices[:, 1], [58.7, 58.7, ymin]])
    expected = mellerud_index.assign(lon, lat)
    one_by_one = [
        mellerud_index.assign_one(float(x), float(y)) for x, y in zip(lon, lat, strict=True)
    ]
    assert one_by_one == list(expected)
