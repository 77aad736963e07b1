"""A small map of one concern for the moderator: its pin (or area) and its near neighbours."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
from folium.map import FitBounds

from geoservice.maps.base import EmbeddedMap, MapSettings, mellerud_map

CONCERN_COLOUR = "#a4161a"
NEIGHBOUR_COLOUR = "#1d4f73"


def concern_map(
    areas: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame,
    *,
    lat: float,
    lon: float,
    area_id: str | None,
    whole_area: bool,
    neighbours: Sequence[dict],
    settings: MapSettings,
    aria_label: str,
    radius_m: float = 50.0,
) -> EmbeddedMap:
    """The concern's point with a ring of ``radius_m`` metres, or its whole area outlined.

    Parameters
    ----------
    areas, outline : GeoDataFrame
        The area layer and the municipality outline, in EPSG:4326.
    lat, lon : float
        The concern's point (EPSG:4326); for a whole-area concern, the area's point.
    area_id : str or None
        The concern's area, outlined.
    whole_area : bool
        True when the resident gave an area, not a point: the area is filled, no pin.
    neighbours : sequence of dict
        Possible duplicates with ``lat``, ``lon`` and ``label``, drawn as small markers.
    """
    if areas.crs is None or areas.crs.to_epsg() != 4326:
        raise ValueError(f"areas should be in EPSG:4326, got {areas.crs}")
    fmap = mellerud_map(outline, settings, aria_label)
    # The concern's own view replaces the municipality-wide one: with both fitBounds in
    # the script, the browser was seen to stay at the first (zoom 9 instead of 16).
    for key in [k for k, child in fmap._children.items() if isinstance(child, FitBounds)]:
        del fmap._children[key]
    own = areas[areas["id"] == area_id] if area_id else areas.iloc[0:0]
    if not own.empty:
        folium.GeoJson(
            own[["id", "name", "geometry"]],
            name="area",
            style_function=lambda _f: {
                "color": NEIGHBOUR_COLOUR,
                "weight": 2,
                "fillOpacity": 0.15 if whole_area else 0.03,
            },
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
            control=False,
        ).add_to(fmap)
    if whole_area and not own.empty:
        minx, miny, maxx, maxy = own.total_bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
        return fmap
    for neighbour in neighbours:
        folium.CircleMarker(
            [neighbour["lat"], neighbour["lon"]],
            radius=6,
            color=NEIGHBOUR_COLOUR,
            fill=True,
            fill_opacity=0.8,
            tooltip=neighbour["label"],
        ).add_to(fmap)
    folium.Circle([lat, lon], radius=radius_m, color=CONCERN_COLOUR, weight=1, fill=False).add_to(
        fmap
    )
    folium.CircleMarker(
        [lat, lon], radius=8, color=CONCERN_COLOUR, fill=True, fill_opacity=1
    ).add_to(fmap)
    # About 150 m either side: the block, its street corners and the neighbours.
    pad_lat, pad_lon = 0.0014, 0.0027
    fmap.fit_bounds([[lat - pad_lat, lon - pad_lon], [lat + pad_lat, lon + pad_lon]])
    return fmap
