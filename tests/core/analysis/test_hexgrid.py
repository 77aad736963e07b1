"""The H3 analysis grid: cell size, point indexing, counts and geometry."""

from __future__ import annotations

import time

import h3
import numpy as np
import pytest
import shapely

from geoservice.core.analysis.hexgrid import (
    DEFAULT_H3_RESOLUTION,
    cell_boundaries,
    cell_centres,
    cells_for_points,
    count_by_cell,
)

MELLERUD_TOWN = (58.7010, 12.4540)  # lat, lon of the town centre


def across_m(lat: float, lon: float, resolution: int) -> tuple[float, float]:
    """Width of the cell at a place: between opposite edges and opposite corners, metres."""
    cell = h3.latlng_to_cell(lat, lon, resolution)
    corners = h3.cell_to_boundary(cell)
    corner_to_corner = [h3.great_circle_distance(corners[i], corners[i + 3], "m") for i in range(3)]
    edges = [h3.edge_length(e, "m") for e in h3.origin_to_directed_edges(cell)]
    return float(np.sqrt(3) * np.mean(edges)), float(np.mean(corner_to_corner))


def test_default_cell_is_a_walkable_block_in_mellerud():
    edge_to_edge, corner_to_corner = across_m(*MELLERUD_TOWN, DEFAULT_H3_RESOLUTION)

    assert 100 <= edge_to_edge <= 200
    assert 100 <= corner_to_corner <= 200


def test_neighbouring_resolutions_are_outside_the_wanted_size():
    assert across_m(*MELLERUD_TOWN, DEFAULT_H3_RESOLUTION - 1)[0] > 200
    assert across_m(*MELLERUD_TOWN, DEFAULT_H3_RESOLUTION + 1)[1] < 100


def test_cell_centre_lies_in_its_own_cell():
    cells = cells_for_points([58.70, 58.72, 58.60], [12.45, 12.40, 12.30])
    lat, lon = cell_centres(cells)

    np.testing.assert_array_equal(cells_for_points(lat, lon), cells)
    for cell, polygon, y, x in zip(cells, cell_boundaries(cells), lat, lon, strict=True):
        assert h3.get_resolution(h3.int_to_str(int(cell))) == DEFAULT_H3_RESOLUTION
        assert polygon.contains(shapely.Point(x, y))  # x = longitude (EPSG:4326)


def test_cells_match_h3_one_by_one():
    rng = np.random.default_rng(1461)
    lat = rng.uniform(58.55, 58.85, 500)
    lon = rng.uniform(12.2, 12.7, 500)

    cells = cells_for_points(lat, lon, resolution=9)

    assert cells.dtype == np.uint64
    expected = [h3.str_to_int(h3.latlng_to_cell(a, b, 9)) for a, b in zip(lat, lon, strict=True)]
    assert cells.tolist() == expected


def test_missing_and_impossible_coordinates_get_no_cell():
    cells = cells_for_points(
        [np.nan, 58.7, 95.0, 58.7, np.inf], [12.45, np.nan, 12.45, 12.45, 12.45]
    )

    assert cells[[0, 1, 2, 4]].tolist() == [0, 0, 0, 0]
    assert cells[3] != 0
    assert cells_for_points([], []).shape == (0,)


def test_cells_for_points_rejects_bad_arguments():
    with pytest.raises(ValueError, match="same length"):
        cells_for_points([58.7, 58.8], [12.4])
    with pytest.raises(ValueError, match="between 0 and 15"):
        cells_for_points([58.7], [12.4], resolution=16)


def test_count_by_cell_counts_and_ignores_missing():
    a, b = cells_for_points([58.70, 58.80], [12.45, 12.45])
    cells = np.array([a, b, a, 0, a], dtype=np.uint64)

    unique, counts = count_by_cell(cells)

    assert dict(zip(unique.tolist(), counts.tolist(), strict=True)) == {int(a): 3, int(b): 1}
    assert counts.dtype == np.int64


def test_count_by_cell_sums_weights():
    a, b = cells_for_points([58.70, 58.80], [12.45, 12.45])

    unique, sums = count_by_cell([a, b, a, 0], weights=[0.5, 1.0, 0.25, 9.0])

    assert dict(zip(unique.tolist(), sums.tolist(), strict=True)) == {int(a): 0.75, int(b): 1.0}
    with pytest.raises(ValueError, match="one value per cell"):
        count_by_cell([a, b], weights=[1.0])


def test_count_by_cell_empty():
    unique, counts = count_by_cell(np.array([], dtype=np.uint64))

    assert unique.size == counts.size == 0


def test_no_cell_has_no_centre_or_outline():
    lat, lon = cell_centres([0])
    assert np.isnan(lat[0]) and np.isnan(lon[0])
    assert cell_boundaries([0])[0] is None


def test_cell_outline_is_a_hexagon_of_the_expected_size():
    (cell,) = cells_for_points([MELLERUD_TOWN[0]], [MELLERUD_TOWN[1]])
    (polygon,) = cell_boundaries([cell])

    assert polygon.is_valid
    assert len(polygon.exterior.coords) == 7  # six corners, closed
    area_m2 = h3.cell_area(h3.int_to_str(int(cell)), "m^2")
    assert 8_000 < area_m2 < 20_000


def test_a_million_points_index_quickly():
    rng = np.random.default_rng(0)
    lat = rng.normal(58.70, 0.02, 1_000_000)
    lon = rng.normal(12.45, 0.04, 1_000_000)

    started = time.perf_counter()
    cells = cells_for_points(lat, lon)
    unique, counts = count_by_cell(cells)
    elapsed = time.perf_counter() - started

    assert counts.sum() == 1_000_000
    assert elapsed < 5.0, f"indexing 1e6 points took {elapsed:.1f} s"
