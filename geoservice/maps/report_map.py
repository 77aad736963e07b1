"""The resident's map: the areas, and a pin placed by tap, by location or at the map centre."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.template import Template

from geoservice.maps.base import EmbeddedMap, MapSettings, TextGeoJsonTooltip, mellerud_map


@dataclass(frozen=True)
class PinTexts:
    """Sentences the pin picker shows, already in the page's language."""

    placed: str
    placed_plain: str
    outside: str
    located: str
    no_location: str


class PinPicker(MacroElement):
    """Place one pin on the areas layer and copy it into the form's lat/lon fields.

    A tap outside every area says so instead of placing a pin; the page's own script calls
    ``window.trygghetskartan.place(lat, lon)`` for "use my location" and "map centre".
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var areas = {{ this.areas.get_name() }};
            var texts = {{ this.texts|tojson }};
            var lat = document.getElementById({{ this.lat_input|tojson }});
            var lon = document.getElementById({{ this.lon_input|tojson }});
            var status = document.getElementById({{ this.status_id|tojson }});
            var marker = null;
            var handled = null;
            function say(text) { if (status) { status.textContent = text; } }
            function place(latlng, label) {
                if (marker) { marker.setLatLng(latlng); }
                else {
                    marker = L.circleMarker(latlng, {radius: 9, color: "#8a1c00", weight: 3,
                        fillColor: "#ffb000", fillOpacity: 0.9}).addTo(map);
                }
                lat.value = latlng.lat.toFixed(6);
                lon.value = latlng.lng.toFixed(6);
                say(label ? texts.placed.replace("%(area)s", label) : texts.placed_plain);
                document.dispatchEvent(new CustomEvent("trygghetskartan:pin",
                    {detail: {lat: lat.value, lon: lon.value}}));
            }
            areas.on("click", function (e) {
                handled = e.originalEvent;
                place(e.latlng, e.layer.feature.properties.name);
            });
            map.on("click", function (e) {
                if (e.originalEvent === handled) { return; }
                say(texts.outside);
            });
            window.trygghetskartan = {
                map: map,
                place: function (latValue, lonValue, label) {
                    var latlng = L.latLng(latValue, lonValue);
                    place(latlng, label || "");
                    map.setView(latlng, Math.max(map.getZoom(), 15));
                },
                texts: texts
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
        lat_input: str = "lat",
        lon_input: str = "lon",
        status_id: str = "pin-status",
    ):
        super().__init__()
        self._name = "PinPicker"
        self.areas = areas
        self.texts = texts.__dict__
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
    PinPicker(layer, texts).add_to(fmap)
    return fmap
