"""The H3 hexagonal grid used for fine-grained analysis (SPEC §5).

Resolution
----------
SPEC §5 asks for cells of a walkable block, about 100–200 m across, and no finer,
because reported locations carry errors of the order of 100 m. H3's own numbers
(h3 4.5) for a cell in the town of Mellerud (58.70 N, 12.45 E):

========== =========== ================ =====================
resolution area (m²)   edges (m)        across, corner–corner
========== =========== ================ =====================
9          79,048      163–187          325–373 m
**10**     **11,292**  **63–71**        **127–143 m**
11         1,613       23–27            46–53 m
========== =========== ================ =====================

(The global average edge of resolution 10 is 75.9 m; cells are smaller this far
north.) Resolution 10 is the only one in the 100–200 m range: a cell is about 115 m
across between opposite edges and 130–140 m between opposite corners, and its
equal-area circle is 120 m wide. ``tests/core/analysis/test_hexgrid.py`` recomputes these
figures from h3 so the choice cannot drift silently.

Speed
-----
h3 4.x indexes one point per call. A plain loop over the C binding indexes
1,000,000 points in about 0.6 s, well within budget, so no vectorised
re-implementation of H3 is needed. Counting and geometry work on unique cells, of
which there are far fewer than points.

All coordinates are WGS 84 (EPSG:4326); cell indexes are ``numpy.uint64`` and ``0``
means "no cell" (a missing or invalid coordinate).
"""

from __future__ import annotations

from collections.abc import Sequence

import h3.api.numpy_int as h3n
import numpy as np
import numpy.typing as npt
import shapely

__all__ = [
    "DEFAULT_H3_RESOLUTION",
    "NO_CELL",
    "cell_boundaries",
    "cell_centres",
    "cells_for_points",
    "count_by_cell",
]

DEFAULT_H3_RESOLUTION: int = 10
"""H3 resolution of the analysis grid: cells about 115–140 m across in Mellerud."""

NO_CELL: np.uint64 = np.uint64(0)
"""Cell index used for points without a valid coordinate."""


def _check_resolution(resolution: int) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer):
        raise ValueError(f"'resolution' should be an int, got {type(resolution)}")
    if not 0 <= resolution <= 15:
        raise ValueError(f"'resolution' should be between 0 and 15, got {resolution}")
    return int(resolution)


def _as_cells(cells: npt.ArrayLike) -> np.ndarray:
    if not isinstance(cells, np.ndarray):
        # A list mixing numpy.uint64 and Python ints would otherwise become float64.
        try:
            return np.asarray(cells, dtype=np.uint64).ravel()
        except (OverflowError, TypeError, ValueError) as exc:
            raise ValueError("'cells' should hold integer H3 indexes") from exc
    arr = cells
    if arr.dtype.kind not in "iu":
        raise ValueError(f"'cells' should hold integer H3 indexes, got dtype {arr.dtype}")
    return arr.astype(np.uint64, copy=False).ravel()


def cells_for_points(
    lat: npt.ArrayLike, lon: npt.ArrayLike, resolution: int = DEFAULT_H3_RESOLUTION
) -> np.ndarray:
    """Return the H3 cell holding each point.

    Parameters
    ----------
    lat, lon : array_like of float
        Latitudes and longitudes in degrees, EPSG:4326, of equal length.
    resolution : int, default DEFAULT_H3_RESOLUTION
        H3 resolution, 0–15.

    Returns
    -------
    numpy.ndarray of uint64
        One H3 index per point; ``0`` where the latitude or longitude is missing,
        not finite or out of range.

    Raises
    ------
    ValueError
        If the arrays differ in length or the resolution is invalid.
    """
    resolution = _check_resolution(resolution)
    lat_a = np.asarray(lat, dtype=float).ravel()
    lon_a = np.asarray(lon, dtype=float).ravel()
    if lat_a.shape != lon_a.shape:
        raise ValueError(
            f"'lat' and 'lon' should have the same length, got {lat_a.size} and {lon_a.size}"
        )
    # h3 wraps out-of-range latitudes silently and raises on NaN: screen both first.
    valid = np.isfinite(lat_a) & np.isfinite(lon_a) & (np.abs(lat_a) <= 90) & (np.abs(lon_a) <= 180)
    out = np.zeros(lat_a.size, dtype=np.uint64)
    n_valid = int(valid.sum())
    if n_valid:
        to_cell = h3n.latlng_to_cell
        out[valid] = np.fromiter(
            (
                to_cell(a, b, resolution)
                for a, b in zip(lat_a[valid].tolist(), lon_a[valid].tolist(), strict=True)
            ),
            dtype=np.uint64,
            count=n_valid,
        )
    return out


def count_by_cell(
    cells: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Count (or sum weights of) points per cell.

    Parameters
    ----------
    cells : array_like of uint64
        H3 index per point, as returned by :func:`cells_for_points`. Entries equal to
        ``0`` (no cell) are ignored.
    weights : array_like of float, optional
        Weight per point (e.g. an aoristic share). Without weights every point counts 1.

    Returns
    -------
    unique_cells : numpy.ndarray of uint64
        Sorted distinct cells holding at least one point.
    counts : numpy.ndarray
        Points per cell (int64), or summed weights (float64) when ``weights`` is given.

    Raises
    ------
    ValueError
        If ``weights`` is not the same length as ``cells``.
    """
    cell_a = _as_cells(cells)
    keep = cell_a != NO_CELL
    if weights is None:
        unique, counts = np.unique(cell_a[keep], return_counts=True)
        return unique, counts.astype(np.int64)
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != cell_a.shape:
        raise ValueError(
            f"'weights' should have one value per cell, got {w.size} for {cell_a.size} cells"
        )
    unique, inverse = np.unique(cell_a[keep], return_inverse=True)
    sums = np.bincount(inverse, weights=w[keep], minlength=unique.size)
    return unique, sums


def cell_centres(cells: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Return the centre of each cell.

    Parameters
    ----------
    cells : array_like of uint64
        H3 indexes; ``0`` or invalid indexes give NaN.

    Returns
    -------
    lat, lon : numpy.ndarray of float
        Centre latitude and longitude in degrees, EPSG:4326.
    """
    cell_a = _as_cells(cells)
    unique, inverse = np.unique(cell_a, return_inverse=True)
    lat = np.full(unique.size, np.nan)
    lon = np.full(unique.size, np.nan)
    for i, cell in enumerate(unique.tolist()):
        if cell and h3n.is_valid_cell(cell):
            lat[i], lon[i] = h3n.cell_to_latlng(cell)
    return lat[inverse], lon[inverse]


def cell_boundaries(cells: npt.ArrayLike) -> np.ndarray:
    """Return the outline of each cell as a polygon.

    Parameters
    ----------
    cells : array_like of uint64
        H3 indexes; ``0`` or invalid indexes give ``None``.

    Returns
    -------
    numpy.ndarray of object
        One :class:`shapely.Polygon` per cell in EPSG:4326 (x = longitude,
        y = latitude), ready for ``geopandas.GeoSeries(..., crs="EPSG:4326")``.
    """
    cell_a = _as_cells(cells)
    unique, inverse = np.unique(cell_a, return_inverse=True)
    rings: Sequence[shapely.Polygon | None] = [
        shapely.Polygon([(lng, lat) for lat, lng in h3n.cell_to_boundary(cell)])
        if cell and h3n.is_valid_cell(cell)
        else None
        for cell in unique.tolist()
    ]
    polygons = np.empty(unique.size, dtype=object)
    polygons[:] = rings
    return polygons[inverse]
