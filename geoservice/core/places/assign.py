"""Assign report locations (longitude/latitude, EPSG:4326) to areas.

Rule
----
A point gets the id of the area that contains it, or ``None``:

1. A point in the *interior* of an area gets that area. For every such point the result is
   exactly what ``geopandas.sjoin(points, areas, predicate="within")`` gives.
2. A point on a *boundary* (``within`` is false for every area, e.g. on an edge two areas
   share, on a corner where several meet, or on the outer edge of the layer) gets the
   **first area in layer order whose closure covers it** (``shapely.intersects_xy``). A
   point on the municipality's outer edge therefore counts as inside.
3. A point in no area's closure, or with a non-finite coordinate (NaN, inf), gets ``None``.

Step 2 is only reached by points no area contains, so a point inside one area is never
given to a neighbour whose edge it happens to touch. Layers are expected not to overlap
(see :func:`geoservice.core.places.boundaries.check_coverage`); if they do, an interior point of
several areas gets the first of them in layer order, where ``sjoin`` would give one row
per area.

Speed
-----
:class:`AreaIndex` precomputes, per area, a grid of cells that lie wholly inside the area
(with a safety margin), so most points are assigned by array indexing. Only points in
cells crossed by an edge go through GEOS (``shapely.contains_xy`` on prepared polygons,
after a bounding-box prefilter). Nothing loops per point in Python.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

STORAGE_CRS = "EPSG:4326"

# Grid cells are tested with this margin (degrees, ~1 mm) so that a point whose cell index
# is off by one through floating-point rounding is still strictly inside the cell's area.
_CELL_MARGIN_DEG = 1e-8
_UNASSIGNED = -1
# Below this many points a one-off call is faster without building the interior-cell grid.
_GRID_WORTH_IT = 50_000
_OUTSIDE = -2  # grid label: the cell touches no area at all


class AreaIndex:
    """Assign points to the areas of a layer; build once, call :meth:`assign` many times.

    Parameters
    ----------
    areas : GeoDataFrame
        Area layer in EPSG:4326 with an ``id`` column and polygonal geometries, e.g. from
        :func:`geoservice.core.places.boundaries.load_areas`. Layer order is row order.
    grid_cells : int, default 256
        Cells along the longer side of the layer's bounding box for the interior-cell
        lookup. 0 disables the lookup (every point goes through GEOS).

    Raises
    ------
    ValueError
        If ``areas`` is not a GeoDataFrame in EPSG:4326 with an ``id`` column and
        non-empty polygonal geometries.
    """

    def __init__(self, areas: gpd.GeoDataFrame, grid_cells: int = 256) -> None:
        if not isinstance(areas, gpd.GeoDataFrame):
            raise ValueError(f"'areas' should be GeoDataFrame, got {type(areas)}")
        if areas.crs is None or not areas.crs.equals(STORAGE_CRS):
            raise ValueError(f"'areas' should be in {STORAGE_CRS}, got {areas.crs}")
        if "id" not in areas.columns:
            raise ValueError("'areas' needs an 'id' column")
        geoms = np.asarray(areas.geometry.to_numpy(), dtype=object)
        if len(geoms) and not np.isin(shapely.get_type_id(geoms), [3, 6]).all():
            raise ValueError("'areas' geometries must all be Polygon or MultiPolygon")
        if shapely.is_empty(geoms).any():
            raise ValueError("'areas' geometries must not be empty")

        self.ids: NDArray[np.object_] = np.array([str(i) for i in areas["id"]], dtype=object)
        self._geoms = geoms.copy()
        shapely.prepare(self._geoms)
        self._bounds = shapely.bounds(self._geoms) if len(geoms) else np.empty((0, 4))
        self._build_grid(grid_cells)

    def __len__(self) -> int:
        return len(self.ids)

    def assign(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.object_]:
        """Return the area id for each point, ``None`` where a point is in no area.

        Parameters
        ----------
        lon, lat : array_like of float
            Longitudes and latitudes in EPSG:4326, broadcast against each other.

        Returns
        -------
        ndarray of object
            Area ids (str) or ``None``, shaped like the broadcast input.
        """
        codes = self.assign_codes(lon, lat)
        lookup = np.append(self.ids, None)  # code -1 picks the trailing None
        # Index the flat array so a scalar input still gives a (0-d) array, not a str.
        return lookup[codes.ravel()].reshape(codes.shape)

    def assign_one(self, lon: float, lat: float) -> str | None:
        """:meth:`assign` for a single point, without arrays where the grid decides.

        A resident's submission is one point; the interior-cell lookup in plain Python
        (the same arithmetic as :meth:`_assign_from_grid`) spares it numpy's overhead.
        """
        if self._grid is not None and math.isfinite(lon) and math.isfinite(lat):
            nx, ny = self._grid.shape
            gx = math.floor((lon - self._grid_origin[0]) / self._grid_step)
            gy = math.floor((lat - self._grid_origin[1]) / self._grid_step)
            label = int(self._grid[gx, gy]) if 0 <= gx < nx and 0 <= gy < ny else _OUTSIDE
            if label >= 0:
                return str(self.ids[label])
            if label == _OUTSIDE:
                return None
        found = self.assign(np.array([lon], dtype=float), np.array([lat], dtype=float))[0]
        return None if found is None else str(found)

    def assign_codes(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.intp]:
        """Return the layer position of each point's area, -1 where it is in no area.

        Same rule as :meth:`assign`; integer codes are cheaper to store and group by.
        """
        x, y = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        shape = x.shape
        x, y = x.ravel(), y.ravel()
        codes = np.full(x.shape, _UNASSIGNED, dtype=np.intp)
        if not len(self.ids) or not x.size:
            return codes.reshape(shape)

        finite = np.isfinite(x) & np.isfinite(y)
        todo = np.flatnonzero(finite)
        if self._grid is not None and todo.size:
            todo = self._assign_from_grid(x, y, todo, codes)
        if todo.size:
            todo = self._assign_by_geometry(x, y, todo, codes, shapely.contains_xy)
        if todo.size:
            self._assign_by_geometry(x, y, todo, codes, shapely.intersects_xy)
        return codes.reshape(shape)

    def _assign_by_geometry(self, x, y, todo, codes, predicate) -> NDArray[np.intp]:
        """Give ``todo`` points the first area where ``predicate`` holds; return the rest."""
        tx, ty = x[todo], y[todo]
        open_ = np.ones(todo.shape, dtype=bool)
        for position, (geom, (xmin, ymin, xmax, ymax)) in enumerate(
            zip(self._geoms, self._bounds, strict=True)
        ):
            candidates = np.flatnonzero(
                open_ & (tx >= xmin) & (tx <= xmax) & (ty >= ymin) & (ty <= ymax)
            )
            if not candidates.size:
                continue
            hit = candidates[predicate(geom, tx[candidates], ty[candidates])]
            codes[todo[hit]] = position
            open_[hit] = False
        return todo[open_]

    def _build_grid(self, grid_cells: int) -> None:
        """Label grid cells wholly inside one area (its position) or outside all (-2)."""
        self._grid = None
        if grid_cells <= 0 or not len(self.ids):
            return
        xmin, ymin = self._bounds[:, 0].min(), self._bounds[:, 1].min()
        xmax, ymax = self._bounds[:, 2].max(), self._bounds[:, 3].max()
        step = max(xmax - xmin, ymax - ymin) / grid_cells
        if not step > 0:
            return
        nx = int(np.ceil((xmax - xmin) / step)) + 1
        ny = int(np.ceil((ymax - ymin) / step)) + 1
        ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
        x0 = xmin + ix.ravel() * step - _CELL_MARGIN_DEG
        y0 = ymin + iy.ravel() * step - _CELL_MARGIN_DEG
        size = step + 2 * _CELL_MARGIN_DEG
        cells = shapely.box(x0, y0, x0 + size, y0 + size)
        labels = np.full(cells.shape, _UNASSIGNED, dtype=np.intp)
        touches_any = np.zeros(cells.shape, dtype=bool)
        for position, geom in enumerate(self._geoms):
            # contains_properly: the closed cell (margin included) touches no boundary, so
            # every point in it is an interior point of this area and of no other.
            inside = shapely.contains_properly(geom, cells)
            labels[inside & (labels == _UNASSIGNED)] = position
            touches_any |= shapely.intersects(geom, cells)
        # A closed cell meeting no area's closure holds only points that get None.
        labels[~touches_any] = _OUTSIDE
        self._grid = labels.reshape(nx, ny)
        self._grid_origin = (xmin, ymin)
        self._grid_step = step

    def _assign_from_grid(self, x, y, todo, codes) -> NDArray[np.intp]:
        """Assign points in interior cells by lookup; return the points left to test."""
        nx, ny = self._grid.shape
        gx = np.floor((x[todo] - self._grid_origin[0]) / self._grid_step)
        gy = np.floor((y[todo] - self._grid_origin[1]) / self._grid_step)
        on_grid = (gx >= 0) & (gx < nx) & (gy >= 0) & (gy < ny)
        label = np.full(todo.shape, _OUTSIDE, dtype=np.intp)  # off the grid: off every bbox
        label[on_grid] = self._grid[gx[on_grid].astype(np.intp), gy[on_grid].astype(np.intp)]
        inside = label >= 0
        codes[todo[inside]] = label[inside]
        return todo[label == _UNASSIGNED]


def assign_areas(lon: ArrayLike, lat: ArrayLike, areas: gpd.GeoDataFrame) -> NDArray[np.object_]:
    """Return the id of the area each point lies in, ``None`` where it lies in none.

    Convenience wrapper that builds an :class:`AreaIndex` for one call (with the
    interior-cell grid only for large inputs); build the index yourself when assigning
    repeatedly against the same layer.

    Parameters
    ----------
    lon, lat : array_like of float
        Longitudes and latitudes in EPSG:4326.
    areas : GeoDataFrame
        Area layer in EPSG:4326 with an ``id`` column.

    Returns
    -------
    ndarray of object
        Area ids (str) or ``None``; see the module docstring for points on boundaries.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> squares = gpd.GeoDataFrame(
    ...     {"id": ["west", "east"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
    ...     crs="EPSG:4326",
    ... )
    >>> assign_areas([0.5, 1.0, 1.5, 3.0], [0.5, 0.5, 0.5, 0.5], squares).tolist()
    ['west', 'west', 'east', None]
    """
    size = np.broadcast(np.asarray(lon), np.asarray(lat)).size
    return AreaIndex(areas, grid_cells=256 if size >= _GRID_WORTH_IT else 0).assign(lon, lat)


__all__ = ["AreaIndex", "assign_areas"]
