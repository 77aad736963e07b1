"""A folium map that embeds in our pages and loads its JS/CSS from the app itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.template import Template
from markupsafe import Markup

AssetUrl = Callable[[str, str], str]


class EmbeddedMap(folium.Map):
    """``folium.Map`` without the full-page styles and zoom lock of a standalone map file.

    folium's own header sets ``html, body {height: 100%}`` and a viewport that forbids
    zooming (an accessibility failure); inside our pages only the map's own box is styled.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                #{{ this.get_name() }} {
                    position: relative;
                    width: 100%;
                    height: 100%;
                }
            </style>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }}
                 role="application" aria-label="{{ this.aria_label }}"></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{this.options|tojavascript}}
                }
            );
            {%- if this.control_scale %}
            L.control.scale({imperial: false}).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *args, aria_label: str = "", asset_url: AssetUrl, **kwargs):
        super().__init__(*args, **kwargs)
        self.aria_label = aria_label
        # Instance lists shadow folium's CDN defaults: nothing loads from a third-party host.
        self.default_js = [
            ("leaflet", asset_url("leaflet", "leaflet.js")),
            ("jquery", asset_url("jquery", "jquery.min.js")),
        ]
        self.default_css = [("leaflet_css", asset_url("leaflet", "leaflet.css"))]


@dataclass(frozen=True)
class MapSettings:
    """What every map of the service shares: its base-map tiles and where assets are served.

    Attributes
    ----------
    tile_url, tile_attribution : str
        Base-map tiles; an empty URL draws no base map (the vector layers still show).
    asset_url : callable
        ``asset_url(package, filename)`` gives the app's own URL of a vendored file.
    """

    tile_url: str
    tile_attribution: str
    asset_url: AssetUrl


def mellerud_map(outline: gpd.GeoDataFrame, settings: MapSettings, aria_label: str) -> EmbeddedMap:
    """An empty map of the municipality: fitted to its outline, tiles only if configured.

    Parameters
    ----------
    outline : GeoDataFrame
        The municipality outline in EPSG:4326.
    settings : MapSettings
        Tiles and asset URLs.
    aria_label : str
        What the map shows, for screen readers.
    """
    if outline.crs is None or outline.crs.to_epsg() != 4326:
        raise ValueError(f"outline should be in EPSG:4326, got {outline.crs}")
    minx, miny, maxx, maxy = outline.total_bounds
    fmap = EmbeddedMap(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        asset_url=settings.asset_url,
        aria_label=aria_label,
    )
    if settings.tile_url:
        folium.TileLayer(
            tiles=settings.tile_url,
            attr=settings.tile_attribution,
            name="base",
            max_zoom=19,
            control=False,
        ).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


class TextTooltip(MacroElement):
    """A tooltip that shows a string as text, never as markup.

    ``folium.Tooltip`` pastes its text into a JavaScript template literal that becomes
    HTML: a name from an imported file containing ``<img src=...>`` would load, and one
    containing a backtick or ``${...}`` would run inside our own (CSP-allowed) script.
    Here the string travels as a JSON literal and lands in ``textContent``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var tip = document.createElement("div");
            tip.textContent = {{ this.text|tojson }};
            {{ this._parent.get_name() }}.bindTooltip(tip, {{ this.options|tojson }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, text: str, *, sticky: bool = True):
        super().__init__()
        self._name = "TextTooltip"
        self.text = str(text)
        self.options = {"sticky": sticky}


class TextGeoJsonTooltip(folium.GeoJsonTooltip):
    """``folium.GeoJsonTooltip`` for one field, shown as text, never as markup.

    folium builds its tooltip table with ``innerHTML`` from the feature's properties, so
    an area called ``<a href=...>`` would become a link. This one writes the field's
    value with ``textContent``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip(function (layer) {
            var tip = L.DomUtil.create("div");
            var value = layer.feature.properties[{{ this.fields[0]|tojson }}];
            tip.textContent = value === null || value === undefined ? "" : String(value);
            return tip;
        }, {{ this.tooltip_options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, field: str, **kwargs):
        super().__init__(fields=[field], labels=False, **kwargs)


class HtmlPopup(MacroElement):
    """A popup of markup the caller built and escaped itself (e.g. with ``markupsafe``).

    ``folium.Popup`` pastes its HTML into a JavaScript template literal, where ``${...}``
    in a name would run as code; here the markup travels as a JSON literal.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup(
            {{ this.html|tojson }}, {{ this.options|tojson }}
        );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        html: Markup,
        *,
        max_width: int = 320,
        auto_pan_padding_top_left: tuple[int, int] | None = None,
    ):
        super().__init__()
        if not isinstance(html, Markup):
            raise ValueError(f"'html' should be escaped Markup, got {type(html)}")
        self._name = "HtmlPopup"
        self.html = str(html)
        self.options = {"maxWidth": max_width}
        if auto_pan_padding_top_left is not None:
            # Keeps an opened popup clear of the zoom buttons in the top left corner.
            self.options["autoPanPaddingTopLeft"] = list(auto_pan_padding_top_left)


@dataclass(frozen=True)
class MapParts:
    """A rendered map split for a page: links and styles, the container, the script."""

    header: Markup
    html: Markup
    script: Markup


def render_parts(fmap: folium.Map) -> MapParts:
    """Render ``fmap`` into the three pieces a Jinja page places in head, body and script."""
    root = fmap.get_root()
    root.render()
    header = root.header
    # folium's charset meta duplicates our page's own.
    header._children.pop("meta_http", None)
    return MapParts(
        header=Markup(header.render()),
        html=Markup(root.html.render()),
        script=Markup(root.script.render()),
    )


__all__ = [
    "EmbeddedMap",
    "HtmlPopup",
    "MapParts",
    "MapSettings",
    "TextGeoJsonTooltip",
    "TextTooltip",
    "mellerud_map",
    "render_parts",
]
