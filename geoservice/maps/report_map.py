"""The resident's map: the areas, and a pin placed by tap, drag, position or the map centre."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.template import Template

from geoservice.maps.base import EmbeddedMap, MapSettings, TextGeoJsonTooltip, mellerud_map

# Zoom 16 is about 2 m a pixel at Mellerud's latitude: a tap there lands on the right
# side of the street. Below it a tap only zooms in; the pin is then confirmed up close.
STREET_ZOOM = 16


@dataclass(frozen=True)
class PinTexts:
    """Sentences the pin picker shows, already in the page's language.

    ``located`` holds ``%(accuracy)s`` (metres, written by the page's number style) and
    ``placed`` ``%(area)s``.
    """

    placed: str
    placed_plain: str
    outside: str
    outside_kept: str
    zoomed: str
    located: str
    no_location: str
    centre_disabled: str


class PinPicker(MacroElement):
    """Place one draggable pin inside the municipality and copy it into lat/lon fields.

    Below :data:`STREET_ZOOM` a tap zooms in on the spot and shows a pin to confirm (the
    page's confirm button, or a tap or drag at street level, places it). A place outside
    every area is refused at once, whatever brought it (tap, drag, position, map centre),
    saying whether an earlier pin was kept. The page's own script calls
    ``window.trygghetskartan.place(lat, lon, accuracy)`` for "use my location" and
    ``placeCentre()`` for "map centre", which waits for street level.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var areas = {{ this.areas.get_name() }};
            var texts = {{ this.texts|tojson }};
            var streetZoom = {{ this.street_zoom }};
            var lat = document.getElementById({{ this.lat_input|tojson }});
            var lon = document.getElementById({{ this.lon_input|tojson }});
            var status = document.getElementById({{ this.status_id|tojson }});
            var lang = document.documentElement.lang || "sv";
            var marker = null, accuracyRing = null, pending = null, handled = null;
            var placedAt = lat.value && lon.value ? L.latLng(+lat.value, +lon.value) : null;
            function say(text) { if (status) { status.textContent = text; } }
            function inRing(pt, ring) {
                var inside = false;
                for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                    var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
                    if (((yi > pt.lat) !== (yj > pt.lat)) &&
                        (pt.lng < (xj - xi) * (pt.lat - yi) / (yj - yi) + xi)) { inside = !inside; }
                }
                return inside;
            }
            function inPolygon(pt, rings) {
                if (!inRing(pt, rings[0])) { return false; }
                for (var h = 1; h < rings.length; h++) {
                    if (inRing(pt, rings[h])) { return false; }
                }
                return true;
            }
            // The area holding a point, or null outside the municipality.
            function areaAt(pt) {
                var found = null;
                areas.eachLayer(function (layer) {
                    var g = layer.feature.geometry;
                    var polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
                    for (var p = 0; p < polys.length && !found; p++) {
                        if (inPolygon(pt, polys[p])) { found = layer.feature.properties.name; }
                    }
                });
                return found;
            }
            function pin(latlng) {
                if (marker) { marker.setLatLng(latlng); return; }
                marker = L.marker(latlng, {
                    draggable: true, keyboard: true, title: texts.pin_title, alt: texts.pin_title,
                    icon: L.divIcon({className: "pin-icon", iconSize: [22, 22],
                                     iconAnchor: [11, 11]})
                }).addTo(map);
                marker.on("dragend", function () { choose(marker.getLatLng(), null); });
            }
            function clearRing() {
                if (accuracyRing) { map.removeLayer(accuracyRing); accuracyRing = null; }
            }
            function refuse() {
                clearRing();
                if (placedAt) { pin(placedAt); say(texts.outside_kept); }
                else { if (marker) { map.removeLayer(marker); marker = null; } say(texts.outside); }
                pending = null;
                document.dispatchEvent(new CustomEvent("trygghetskartan:pending", {detail: false}));
            }
            // Place the pin for good (it fills the form) if the point lies in the municipality.
            function choose(latlng, message) {
                var area = areaAt(latlng);
                if (!area) { refuse(); return false; }
                pin(latlng);
                placedAt = latlng;
                pending = null;
                lat.value = latlng.lat.toFixed(6);
                lon.value = latlng.lng.toFixed(6);
                say(message || texts.placed.replace("%(area)s", area));
                document.dispatchEvent(new CustomEvent("trygghetskartan:pending", {detail: false}));
                document.dispatchEvent(new CustomEvent("trygghetskartan:pin",
                    {detail: {lat: lat.value, lon: lon.value}}));
                return true;
            }
            function tapped(latlng) {
                if (map.getZoom() >= streetZoom) { clearRing(); choose(latlng, null); return; }
                if (!areaAt(latlng)) { refuse(); return; }
                // Too far out for a precise spot: look closer, then confirm.
                clearRing();
                pending = latlng;
                pin(latlng);
                map.setView(latlng, streetZoom + 1);
                say(texts.zoomed);
                document.dispatchEvent(new CustomEvent("trygghetskartan:pending", {detail: true}));
            }
            areas.on("click", function (e) { handled = e.originalEvent; tapped(e.latlng); });
            map.on("click", function (e) {
                if (e.originalEvent === handled) { return; }
                refuse();
            });
            function atStreetLevel() { return map.getZoom() >= streetZoom; }
            map.on("zoomend moveend", function () {
                document.dispatchEvent(new CustomEvent("trygghetskartan:zoom",
                    {detail: {street: atStreetLevel()}}));
            });
            if (placedAt) { pin(placedAt); }
            window.trygghetskartan = {
                map: map,
                texts: texts,
                atStreetLevel: atStreetLevel,
                place: function (latValue, lonValue, accuracy) {
                    var latlng = L.latLng(latValue, lonValue);
                    var metres = Math.max(1, Math.round(accuracy || 0));
                    var style = new Intl.NumberFormat(lang === "en" ? "en-GB" : "sv-SE");
                    var shown = style.format(metres);
                    clearRing();
                    var said = texts.located.replace("%(accuracy)s", shown);
                    if (!choose(latlng, said)) { return false; }
                    if (accuracy) {
                        accuracyRing = L.circle(latlng, {radius: metres, color: "#1d4f73",
                            weight: 1, fillOpacity: 0.1, interactive: false}).addTo(map);
                    }
                    map.setView(latlng, Math.max(map.getZoom(), streetZoom + 1));
                    return true;
                },
                placeCentre: function () {
                    if (!atStreetLevel()) { say(texts.centre_disabled); return false; }
                    clearRing();
                    return choose(map.getCenter(), null);
                },
                confirm: function () { return pending ? choose(pending, null) : false; }
            };
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        areas: folium.GeoJson,
        texts: PinTexts,
        *,
        pin_title: str = "",
        lat_input: str = "lat",
        lon_input: str = "lon",
        status_id: str = "pin-status",
    ):
        super().__init__()
        self._name = "PinPicker"
        self.areas = areas
        self.texts = texts.__dict__ | {"pin_title": pin_title}
        self.street_zoom = STREET_ZOOM
        self.lat_input = lat_input
        self.lon_input = lon_input
        self.status_id = status_id


def report_map(
    areas: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame,
    *,
    texts: PinTexts,
    settings: MapSettings,
    aria_label: str,
    pin_title: str = "",
) -> EmbeddedMap:
    """Build the map of the resident page: areas drawn over optional tiles, and a pin picker.

    Parameters
    ----------
    areas : GeoDataFrame
        Area layer in EPSG:4326 with ``id`` and ``name``.
    outline : GeoDataFrame
        Municipality outline in EPSG:4326, used to fit the view.
    """
    fmap = mellerud_map(outline, settings, aria_label)
    layer = folium.GeoJson(
        areas[["id", "name", "geometry"]],
        name="areas",
        style_function=lambda _feature: {
            "color": "#1d4f73",
            "weight": 2,
            "fillColor": "#6fa8d6",
            "fillOpacity": 0.15,
        },
        highlight_function=lambda _feature: {"fillOpacity": 0.3, "weight": 3},
        tooltip=TextGeoJsonTooltip("name"),
    )
    layer.add_to(fmap)
    PinPicker(layer, texts, pin_title=pin_title).add_to(fmap)
    return fmap
