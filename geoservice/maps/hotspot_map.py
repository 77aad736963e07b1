"""The staff hotspot map: Gi* hex classes, the density surface, clustered points, area rates."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
from folium.plugins import FastMarkerCluster
from shapely.geometry import mapping

from geoservice.core.analysis.hexgrid import cell_boundaries
from geoservice.maps.base import AssetUrl, EmbeddedMap, MapSettings, mellerud_map
from geoservice.maps.choropleth import LegendClass, area_fill_frame, area_fill_layer

# Diverging red-blue, as in common crime-analysis practice (ArcGIS Hot Spot Analysis).
CLASS_COLOURS = {
    "hot_99": "#b2182b",
    "hot_95": "#ef8a62",
    "hot_90": "#fddbc7",
    "not_significant": "#f7f7f7",
    "cold_90": "#d1e5f0",
    "cold_95": "#67a9cf",
    "cold_99": "#2166ac",
}


class LocalFastMarkerCluster(FastMarkerCluster):
    """folium's FastMarkerCluster with Leaflet.markercluster served by the app."""

    def __init__(self, *args, asset_url: AssetUrl, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_js = [
            ("markerclusterjs", asset_url("markercluster", "leaflet.markercluster.js"))
        ]
        self.default_css = [
            ("markerclustercss", asset_url("markercluster", "MarkerCluster.css")),
            ("markerclusterdefaultcss", asset_url("markercluster", "MarkerCluster.Default.css")),
        ]


# Circle markers: no icon images to fetch, and readable at any zoom.
_POINT_CALLBACK = """
function (row) {
    return L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 5, color: "#222", weight: 1, fillColor: "#ffb000", fillOpacity: 0.9});
}
"""


def hex_features(records: Sequence[dict]) -> dict:
    """Hotspot records (``cell`` as H3 string) as a GeoJSON FeatureCollection of hexagons."""
    import h3

    if not records:
        return {"type": "FeatureCollection", "features": []}
    cells = np.array([h3.str_to_int(r["cell"]) for r in records], dtype=np.uint64)
    polygons = cell_boundaries(cells)
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": mapping(poly), "properties": dict(record)}
            for poly, record in zip(polygons, records, strict=True)
        ],
    }


def hotspot_map(
    areas: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame,
    *,
    layers: set[str],
    hexes: dict,
    zones: dict | None = None,
    density_image: np.ndarray | None,
    density_bounds,
    points: np.ndarray | None,
    area_values: dict[str, float | None],
    area_legend: Sequence[LegendClass],
    area_tooltips: dict[str, str],
    layer_names: dict[str, str],
    settings: MapSettings,
    aria_label: str,
) -> EmbeddedMap:
    """Build the staff map with the chosen layers, each a toggleable overlay.

    Parameters
    ----------
    hexes : dict
        GeoJSON of hex cells with ``hotspot_class``, ``count``, ``gi_z`` and ``label``.
    zones : dict, optional
        GeoJSON of hot-zone outlines with ``label`` (rank and name) and ``rank``; drawn
        over the cells with the hotspot layer, and the map opens on them.
    density_image, density_bounds
        RGBA array and ((south, west), (north, east)) from ``DensitySurface.rgba_image``.
    points : numpy.ndarray, optional
        (n, 2) lat/lon of exact points, only for roles that may see them.
    """
    fmap = mellerud_map(outline, settings, aria_label)
    if "areas" in layers:
        frame = area_fill_frame(areas, area_values, area_legend, area_tooltips)
        area_fill_layer(frame, name=layer_names["areas"], opacity=0.45).add_to(fmap)
    else:
        folium.GeoJson(
            areas[["id", "name", "geometry"]],
            name=layer_names["boundaries"],
            style_function=lambda _f: {"color": "#1d4f73", "weight": 1.5, "fillOpacity": 0},
            control=False,
        ).add_to(fmap)
    if "density" in layers and density_image is not None:
        folium.raster_layers.ImageOverlay(
            density_image, bounds=density_bounds, name=layer_names["density"], opacity=1.0
        ).add_to(fmap)
    if "hotspots" in layers and hexes["features"]:
        folium.GeoJson(
            hexes,
            name=layer_names["hotspots"],
            style_function=lambda f: {
                "color": "#555",
                "weight": 0.6,
                "fillColor": CLASS_COLOURS[f["properties"]["hotspot_class"]],
                "fillOpacity": 0.15
                if f["properties"]["hotspot_class"] == "not_significant"
                else 0.8,
            },
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(fmap)
    if "points" in layers and points is not None and len(points):
        LocalFastMarkerCluster(
            points.tolist(),
            callback=_POINT_CALLBACK,
            name=layer_names["points"],
            asset_url=settings.asset_url,
        ).add_to(fmap)
    zone_features = (zones or {}).get("features", [])
    if "hotspots" in layers and zone_features:
        folium.GeoJson(
            zones,
            name=layer_names.get("zones", "Zones"),
            style_function=lambda _f: {"color": "#111", "weight": 3, "fillOpacity": 0},
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    focus = zone_features[:5] or [
        f for f in hexes["features"] if f["properties"]["hotspot_class"].startswith("hot")
    ]
    if focus:
        # Open on the strongest zones, where the hexagons are large enough to see.
        bounds = gpd.GeoDataFrame.from_features(focus, crs=4326).total_bounds
        pad = 0.004
        fmap.fit_bounds([[bounds[1] - pad, bounds[0] - pad], [bounds[3] + pad, bounds[2] + pad]])
    return fmap
