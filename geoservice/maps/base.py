"""A folium map that embeds in our pages and loads its JS/CSS from the app itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import folium
import geopandas as gpd
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


__all__ = ["EmbeddedMap", "MapParts", "MapSettings", "mellerud_map", "render_parts"]
