"""The patrol plan on a map: numbered stops and the route, in folium and as print SVG."""

from __future__ import annotations

import folium
import geopandas as gpd
import shapely
from markupsafe import Markup, escape
from pyproj import Transformer

from geoservice.maps.base import EmbeddedMap, MapSettings, mellerud_map

_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def patrol_map(
    areas: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame,
    *,
    route: list[dict],
    start: tuple[float, float],
    start_label: str,
    settings: MapSettings,
    aria_label: str,
) -> EmbeddedMap:
    """Areas, the start, each stop numbered in visiting order, and the straight-line route.

    Parameters
    ----------
    route : list of dict
        Stops in visiting order with ``visit``, ``lat``, ``lon`` and ``label``.
    start : (lat, lon)
        Where the patrol sets out.
    """
    fmap = mellerud_map(outline, settings, aria_label)
    folium.GeoJson(
        areas[["id", "name", "geometry"]],
        name="areas",
        style_function=lambda _f: {"color": "#1d4f73", "weight": 1.5, "fillOpacity": 0.05},
        control=False,
    ).add_to(fmap)
    line = [list(start)] + [[stop["lat"], stop["lon"]] for stop in route]
    if route:
        folium.PolyLine(line, color="#8a1c00", weight=4, opacity=0.85, dash_array="8 6").add_to(
            fmap
        )
    folium.CircleMarker(
        start, radius=7, color="#123650", fill=True, fill_opacity=1, tooltip=start_label
    ).add_to(fmap)
    for stop in route:
        folium.Marker(
            [stop["lat"], stop["lon"]],
            tooltip=stop["label"],
            icon=folium.DivIcon(
                html=f'<div class="stop-number">{int(stop["visit"])}</div>',
                icon_size=(28, 28),
                icon_anchor=(14, 14),
            ),
        ).add_to(fmap)
    if route:
        lats = [p[0] for p in line]
        lons = [p[1] for p in line]
        pad = 0.003
        fmap.fit_bounds([[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]])
    return fmap


def patrol_svg(
    areas: gpd.GeoDataFrame,
    *,
    route: list[dict],
    start: tuple[float, float],
    width: int = 640,
    height: int = 420,
    title: str,
    places: gpd.GeoDataFrame | None = None,
) -> Markup:
    """A black-and-white SVG map for the print view that orients without a base map.

    Drawn in EPSG:3006 metres around the route (with a margin), so it prints the same on
    any printer and needs no tiles or scripts: area outlines with their names, the
    gazetteer's named places (streets as grey lines, landmarks as small squares, villages
    and parts of town as names), the route and the numbered stops, and a 500 m scale bar.

    Parameters
    ----------
    areas : GeoDataFrame
        Area polygons with ``name``.
    route : list of dict
        Stops in visiting order with ``visit``, ``lat`` and ``lon``.
    start : (lat, lon)
    places : GeoDataFrame, optional
        Named places (``name``, ``kind``, geometry, EPSG:4326) to draw and label.
    """
    points = [start] + [(s["lat"], s["lon"]) for s in route]
    xs, ys = _TO_METRIC.transform([p[1] for p in points], [p[0] for p in points])
    margin = 400.0
    minx, maxx = min(xs) - margin, max(xs) + margin
    miny, maxy = min(ys) - margin, max(ys) + margin
    scale = min(width / (maxx - minx), height / (maxy - miny))
    view = shapely.box(minx, miny, maxx, maxy)

    def project(x: float, y: float) -> tuple[float, float]:
        return (x - minx) * scale, height - (y - miny) * scale

    def label(x: float, y: float, text: str, size: int = 11, weight: str = "400") -> str:
        px, py = project(x, y)
        return (
            f'<text x="{px:.1f}" y="{py:.1f}" font-size="{size}" font-weight="{weight}" '
            'font-family="sans-serif" fill="#000" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke">{escape(text)}</text>'
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="patrol-svg">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#fff" stroke="#000"/>',
    ]
    labels: list[str] = []
    metric = areas.to_crs(3006)
    names = metric["name"] if "name" in metric.columns else [None] * len(metric)
    for geometry, name in zip(metric.geometry, names, strict=True):
        polygons = getattr(geometry, "geoms", [geometry])
        for polygon in polygons:
            coords = " ".join(
                "{:.1f},{:.1f}".format(*project(x, y)) for x, y in polygon.exterior.coords
            )
            parts.append(
                f'<polygon points="{coords}" fill="none" stroke="#777" '
                'stroke-width="1" stroke-dasharray="4 3"/>'
            )
        inside = geometry.intersection(view)
        if name and not inside.is_empty and inside.area > 0.05 * view.area:
            spot = inside.representative_point()
            labels.append(label(spot.x, spot.y, str(name), 12, "700"))
    if places is not None and len(places):
        for row in places.to_crs(3006).itertuples():
            geom = row.geometry
            if geom.is_empty or not geom.intersects(view):
                continue
            if geom.geom_type in ("LineString", "MultiLineString"):
                for line in getattr(geom, "geoms", [geom]):
                    clipped = line.intersection(view)
                    for piece in getattr(clipped, "geoms", [clipped]):
                        if piece.is_empty or piece.geom_type != "LineString":
                            continue
                        path = " ".join(
                            "{:.1f},{:.1f}".format(*project(x, y)) for x, y in piece.coords
                        )
                        parts.append(
                            f'<polyline points="{path}" fill="none" stroke="#aaa" '
                            'stroke-width="5" stroke-linecap="round"/>'
                        )
                mid = geom.intersection(view).interpolate(0.5, normalized=True)
                labels.append(label(mid.x, mid.y, row.name, 11, "400"))
            elif row.kind in ("district", "village", "town"):
                spot = geom.representative_point()
                if view.contains(spot):
                    labels.append(label(spot.x, spot.y, row.name, 12, "400"))
            else:
                spot = geom.representative_point()
                px, py = project(spot.x, spot.y)
                parts.append(
                    f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" fill="#555"/>'
                )
                labels.append(label(spot.x + 6 / scale, spot.y - 4 / scale, row.name, 10))
    path = " ".join("{:.1f},{:.1f}".format(*project(x, y)) for x, y in zip(xs, ys, strict=True))
    parts.append(f'<polyline points="{path}" fill="none" stroke="#000" stroke-width="2.5"/>')
    parts.extend(labels)
    sx, sy = project(xs[0], ys[0])
    parts.append(f'<rect x="{sx - 6:.1f}" y="{sy - 6:.1f}" width="12" height="12" fill="#000"/>')
    for stop, x, y in zip(route, xs[1:], ys[1:], strict=True):
        px, py = project(x, y)
        parts.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="11" fill="#fff" stroke="#000" '
            f'stroke-width="2"/><text x="{px:.1f}" y="{py + 4.5:.1f}" text-anchor="middle" '
            f'font-size="13" font-weight="700" font-family="sans-serif">{int(stop["visit"])}'
            "</text>"
        )
    bar = 500 * scale
    parts.append(
        f'<line x1="10" y1="{height - 12}" x2="{10 + bar:.1f}" y2="{height - 12}" '
        'stroke="#000" stroke-width="3"/>'
        f'<text x="10" y="{height - 18}" font-size="11" font-family="sans-serif">500 m</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
