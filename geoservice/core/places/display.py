"""Area geometry lightened for the maps, while point assignment keeps the exact geometry.

A page embeds every area's outline; an official layer can hold far more vertices than a
screen can show. :func:`simplify_for_display` simplifies the layer as one coverage
(shared edges stay shared: no slivers or overlaps appear between neighbours) to half a
screen pixel at the finest zoom the maps use; Leaflet then thins the lines further at
each coarser zoom (its ``smoothFactor``). Concerns are never assigned with this geometry.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

METRIC_CRS = "EPSG:3006"
DISPLAY_ZOOM = 16
"""The finest web-map zoom the area outlines are drawn for (a street block fills the
screen); at Mellerud's latitude a pixel is then about 1.2 m."""
_EARTH_METRES_PER_PIXEL_Z0 = 156_543.033_928


def metres_per_pixel(zoom: int, latitude: float) -> float:
    """Ground size of one pixel of a Web Mercator map at ``zoom`` and ``latitude``."""
    return _EARTH_METRES_PER_PIXEL_Z0 * math.cos(math.radians(latitude)) / 2**zoom


def simplify_for_display(areas: gpd.GeoDataFrame, zoom: int = DISPLAY_ZOOM) -> gpd.GeoDataFrame:
    """The area layer simplified to half a pixel at ``zoom``, as one coverage.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        Area layer with a CRS (any; simplified in EPSG:3006, returned in the input CRS).
    zoom : int, default DISPLAY_ZOOM
        Web-map zoom whose pixel sets the tolerance.

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows and columns; polygonal geometry with fewer vertices. An area the
        simplification would empty keeps its exact geometry.
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise ValueError(f"'areas' should be a GeoDataFrame, got {type(areas)}")
    if areas.crs is None:
        raise ValueError("'areas' has no CRS")
    if len(areas) == 0:
        return areas.copy()
    latitude = float(np.mean(areas.to_crs(4326).total_bounds[[1, 3]]))
    tolerance = metres_per_pixel(zoom, latitude) / 2
    metric = areas.to_crs(METRIC_CRS).geometry.to_numpy()
    try:
        simplified = shapely.coverage_simplify(metric, tolerance)
    except shapely.errors.GEOSException:
        # Not a clean coverage (overlaps within the import's tolerance): each on its own.
        simplified = shapely.simplify(metric, tolerance, preserve_topology=True)
    keep = shapely.is_empty(simplified) | ~shapely.is_valid(simplified)
    simplified = np.where(keep, metric, simplified)
    out = areas.copy()
    out = out.set_geometry(
        gpd.GeoSeries(simplified, crs=METRIC_CRS, index=areas.index).to_crs(areas.crs)
    )
    return out
