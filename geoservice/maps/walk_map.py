"""Safety-walk maps: drawing the planned route, and a walk's route with its numbered spots."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.template import Template

from geoservice.maps.base import EmbeddedMap, MapSettings, mellerud_map

ROUTE_STYLE = {"color": "#123650", "weight": 5, "opacity": 0.85}
STATUS_COLOURS = {
    "open": "#8a1c00",
    "in_progress": "#b36b00",
    "done": "#1e6b2e",
    "not_feasible": "#4a4a4a",
}


class RouteDrawer(MacroElement):
    """Tap by tap, draw a route; its points go into a hidden input as JSON ``[[lon, lat], ...]``.

    The page's buttons call ``window.walkRoute.undo()`` and ``window.walkRoute.clear()``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var input = document.getElementById({{ this.input_id|tojson }});
            var status = document.getElementById({{ this.status_id|tojson }});
            var texts = {{ this.texts|tojson }};
            var points = [];
            try { points = JSON.parse(input.value || "[]"); } catch (e) { points = []; }
            var line = L.polyline([], {{ this.style|tojson }}).addTo(map);
            function draw() {
                line.setLatLngs(points.map(function (p) { return [p[1], p[0]]; }));
                input.value = points.length ? JSON.stringify(points) : "";
                if (status) { status.textContent = texts.points.replace("%(n)s", points.length); }
            }
            map.on("click", function (e) {
                points.push([Number(e.latlng.lng.toFixed(6)), Number(e.latlng.lat.toFixed(6))]);
                draw();
            });
            window.walkRoute = {
                undo: function () { points.pop(); draw(); },
                clear: function () { points = []; draw(); }
            };
            draw();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, *, input_id: str, status_id: str, points_text: str):
        super().__init__()
        self._name = "RouteDrawer"
        self.input_id = input_id
        self.status_id = status_id
        self.texts = {"points": points_text}
        self.style = ROUTE_STYLE


def route_map(
    outline: gpd.GeoDataFrame,
    *,
    settings: MapSettings,
    aria_label: str,
    points_text: str,
    input_id: str = "route",
    status_id: str = "route-status",
) -> EmbeddedMap:
    """The planning map: the municipality, and a route drawn by tapping.

    Parameters
    ----------
    outline : GeoDataFrame
        Municipality outline in EPSG:4326.
    points_text : str
        "%(n)s points on the route" in the page's language.
    """
    fmap = mellerud_map(outline, settings, aria_label)
    RouteDrawer(input_id=input_id, status_id=status_id, points_text=points_text).add_to(fmap)
    return fmap


@dataclass(frozen=True)
class Spot:
    """A numbered observation on the walk map (EPSG:4326)."""

    number: int
    lon: float
    lat: float
    label: str
    status: str


def walk_map(
    outline: gpd.GeoDataFrame,
    *,
    route: str | None,
    spots: Sequence[Spot],
    settings: MapSettings,
    aria_label: str,
) -> EmbeddedMap:
    """A walk's route and its observations as numbered spots coloured by action status.

    Parameters
    ----------
    route : str or None
        GeoJSON LineString in EPSG:4326.
    spots : sequence of Spot
        The observations; the view fits them and the route when there are any.
    """
    fmap = mellerud_map(outline, settings, aria_label)
    bounds: list[list[float]] = []
    if route:
        geometry = json.loads(route)
        folium.GeoJson(geometry, name="route", style_function=lambda _f: ROUTE_STYLE).add_to(fmap)
        bounds += [[lat, lon] for lon, lat in geometry["coordinates"]]
    for spot in spots:
        colour = STATUS_COLOURS.get(spot.status, "#8a1c00")
        folium.CircleMarker(
            location=[spot.lat, spot.lon],
            radius=10,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=colour,
            fill_opacity=0.95,
            tooltip=f"{spot.number}. {spot.label}",
        ).add_to(fmap)
        bounds.append([spot.lat, spot.lon])
    if bounds:
        # One view only: a second fitBounds would animate from the municipality's view.
        for name, child in list(fmap._children.items()):
            if isinstance(child, folium.map.FitBounds):
                del fmap._children[name]
        lats = [b[0] for b in bounds]
        lons = [b[1] for b in bounds]
        pad = 0.002
        fmap.fit_bounds([[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]])
    return fmap
