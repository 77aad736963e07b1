"""The study area of the hotspot statistics: where concerns actually occur (SPEC §6).

Gi* compares each cell with the mean of the study area. Over the whole municipality most
cells are forest, fields and lake with no concerns, and against that background all of
the town would be "hot" and every empty wood a candidate "cold spot". Whole town and
village circles (``places_mask`` over ``data/boundaries/mellerud_places.geojson``) have
the same flaw at a smaller scale: a 2.5 km circle round the town holds fields, forest and
lake, and the map then shows where people are, not where problems concentrate.

The study area is therefore built from the concerns themselves, at the scale of the test:
the cells that have held a concern over a long period (the web layer uses the last three
years, whatever the filter) with a thin buffer (:data:`DEFAULT_BUFFER_M`, two rings).
:func:`study_area_cells` does it from points (clipped to the municipality outline when
given), :func:`study_area_around` from cells the database already knows. The buffer lets
a cell be compared with the empty lanes right next to it (the local-background test of
:mod:`geoservice.core.analysis.hotspots` counts only study-area cells as background).
``places_mask`` stays for callers that want the circles.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import h3
import h3.api.numpy_int as h3n
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from geoservice.core.analysis.hexgrid import (
    DEFAULT_H3_RESOLUTION,
    NO_CELL,
    cell_centres,
    cells_for_points,
)
from geoservice.core.places.boundaries import BoundaryError
from geoservice.resources import boundaries_dir

__all__ = [
    "DEFAULT_BUFFER_M",
    "DEFAULT_PLACES_FILE",
    "METRIC_CRS",
    "load_places",
    "places_mask",
    "study_area_around",
    "study_area_cells",
]

DEFAULT_PLACES_FILE = "mellerud_places.geojson"
METRIC_CRS = "EPSG:3006"

DEFAULT_BUFFER_M: float = 250.0
"""Study-area buffer around cells that have held a concern, metres (about two rings)."""

DEFAULT_BUFFER_RINGS: int = 2
"""The same buffer in H3 rings, for :func:`study_area_around`."""

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)


def load_places(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Read the populated places (points with ``name`` and ``radius_m``) in EPSG:4326.

    Raises
    ------
    BoundaryError
        When the file is unreadable or a place lacks a point or a positive radius.
    """
    path = Path(path) if path else boundaries_dir() / DEFAULT_PLACES_FILE
    try:
        places = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise BoundaryError(f"{path}: cannot read the places file ({exc})") from None
    if places.crs is None:
        raise BoundaryError(f"{path}: the file declares no CRS")
    missing = {"name", "radius_m"} - set(places.columns)
    if missing:
        raise BoundaryError(f"{path}: missing field(s) {', '.join(sorted(missing))}")
    if not (places.geometry.geom_type == "Point").all():
        raise BoundaryError(f"{path}: every place should be a point")
    radius = places["radius_m"].astype(float)
    if not (np.isfinite(radius) & (radius > 0)).all():
        raise BoundaryError(f"{path}: 'radius_m' should be a positive number of metres")
    return places.to_crs(4326)


def places_mask(places: gpd.GeoDataFrame, *, resolution: int = DEFAULT_H3_RESOLUTION) -> np.ndarray:
    """Hex cells (uint64, sorted) whose centres lie within a place's radius.

    Parameters
    ----------
    places : GeoDataFrame
        Points with ``radius_m`` (metres), any CRS.
    resolution : int
        H3 resolution of the cells.
    """
    metric = places.to_crs(METRIC_CRS)
    discs = shapely.union_all(
        [p.buffer(r) for p, r in zip(metric.geometry, metric["radius_m"], strict=True)]
    )
    discs_4326 = gpd.GeoSeries([discs], crs=METRIC_CRS).to_crs(4326).iloc[0]
    # Cover generously with cells that overlap, then keep those whose centre is inside.
    shape = h3.geo_to_h3shape(discs_4326.__geo_interface__)
    cells = np.array(
        [h3.str_to_int(c) for c in h3.h3shape_to_cells_experimental(shape, resolution, "overlap")],
        dtype=np.uint64,
    )
    lat, lon = np.array([h3.cell_to_latlng(h3.int_to_str(int(c))) for c in cells]).T
    x, y = (
        gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326)
        .to_crs(METRIC_CRS)
        .pipe(lambda s: (s.x.to_numpy(), s.y.to_numpy()))
    )
    inside = shapely.contains_xy(discs, x, y)
    return np.sort(cells[inside])


def _sorted_cells(cells: npt.ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(cells)
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"'{name}' should hold integer H3 indexes, got dtype {arr.dtype}")
    arr = np.unique(arr.astype(np.uint64).ravel())
    return arr[arr != NO_CELL]


def study_area_cells(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    outline=None,
    buffer_m: float = DEFAULT_BUFFER_M,
    resolution: int = DEFAULT_H3_RESOLUTION,
) -> np.ndarray:
    """Return the study-area mask: cells near any place that has held a concern.

    Parameters
    ----------
    lon, lat : array_like of float
        Points of **all** concerns ever made (EPSG:4326), not just the current filter,
        so the mask does not change with the filter.
    outline : geopandas.GeoDataFrame, geopandas.GeoSeries or shapely geometry, optional
        Municipality outline. Frames are reprojected from their CRS; a bare geometry is
        read as EPSG:4326. Without it the buffer is not limited.
    buffer_m : float, default DEFAULT_BUFFER_M
        Distance in metres (EPSG:3006) from the centre of a cell holding a concern within
        which a cell's centre must lie.
    resolution : int, default DEFAULT_H3_RESOLUTION
        H3 resolution.

    Returns
    -------
    numpy.ndarray of uint64
        Sorted mask cells: every cell holding a point, plus every cell whose centre lies
        within ``buffer_m`` of such a cell's centre and inside ``outline``.

    Notes
    -----
    SPEC §6 asks for the cells where concerns actually occur, with a thin buffer. There is
    no population grid, so the places where concerns have been made stand in for the
    populated places. Cells
    holding a concern are always kept, even when their centre falls just outside the
    outline, so no concern is lost at the border.
    """
    if not (isinstance(buffer_m, int | float) and math.isfinite(buffer_m) and buffer_m >= 0):
        raise ValueError(f"'buffer_m' should be a finite distance >= 0, got {buffer_m!r}")
    seeds = _sorted_cells(cells_for_points(lat, lon, resolution), "cells")
    if not seeds.size:
        return seeds
    # Centre spacing is sqrt(3) x edge; half the global mean edge is a safe lower bound.
    spacing = math.sqrt(3) * 0.5 * h3.average_hexagon_edge_length(resolution, "m")
    rings = math.ceil(buffer_m / spacing) + 1
    candidates = np.unique(np.concatenate([h3n.grid_disk(int(c), rings) for c in seeds]))
    seed_xy = np.column_stack(_TO_METRIC.transform(*cell_centres(seeds)[::-1]))
    cand_x, cand_y = _TO_METRIC.transform(*cell_centres(candidates)[::-1])
    dist, _ = cKDTree(seed_xy).query(np.column_stack([cand_x, cand_y]))
    near = dist <= buffer_m
    if outline is not None:
        near &= shapely.contains_xy(_metric_outline(outline), cand_x, cand_y)
    return np.union1d(seeds, candidates[near])


def study_area_around(cells: npt.ArrayLike, *, rings: int = DEFAULT_BUFFER_RINGS) -> np.ndarray:
    """Return the study area around cells that have held concerns: those cells and ``rings``.

    Parameters
    ----------
    cells : array_like of uint64
        Cells that have held a concern over a long period (e.g. three years).
    rings : int, default DEFAULT_BUFFER_RINGS
        H3 rings of buffer (two rings at resolution 10 is about 230 m).

    Returns
    -------
    numpy.ndarray of uint64
        Sorted, distinct cells.
    """
    if isinstance(rings, bool) or not isinstance(rings, int | np.integer) or rings < 0:
        raise ValueError(f"'rings' should be a whole number >= 0, got {rings!r}")
    seeds = _sorted_cells(cells, "cells")
    if not seeds.size:
        return seeds
    return np.unique(np.concatenate([h3n.grid_disk(int(c), int(rings)) for c in seeds]))


def _metric_outline(outline) -> shapely.Geometry:
    if isinstance(outline, shapely.Geometry):
        geom = shapely.transform(outline, lambda xy: np.column_stack(_TO_METRIC.transform(*xy.T)))
    elif hasattr(outline, "to_crs") and hasattr(outline, "geometry"):
        frame = outline if outline.crs is not None else outline.set_crs("EPSG:4326")
        geom = shapely.union_all(frame.to_crs(METRIC_CRS).geometry.to_numpy())
    else:
        raise ValueError(f"'outline' should be a GeoDataFrame or geometry, got {type(outline)}")
    shapely.prepare(geom)
    return geom
