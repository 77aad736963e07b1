"""The study area of the hotspot statistics: the town and villages with a buffer (SPEC §6).

Gi* compares each cell with the mean of the study area. Over the whole municipality most
cells are forest, fields and lake with no concerns, and against that background all of
the town would be "hot" and every empty wood a candidate "cold spot". The shipped
``data/boundaries/mellerud_places.geojson`` lists the town and villages with a radius each;
the study area is every hex cell whose centre lies within a place's radius. Concerns
elsewhere still count on the area map and in the density surface, not in Gi*.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geoservice.core.boundaries import BoundaryError
from geoservice.core.hexgrid import DEFAULT_H3_RESOLUTION
from geoservice.resources import boundaries_dir

DEFAULT_PLACES_FILE = "mellerud_places.geojson"
METRIC_CRS = "EPSG:3006"


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
    import h3

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
