"""The public map: areas coloured by count or rate, hidden figures drawn apart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
from markupsafe import Markup

from geoservice.maps.base import (
    EmbeddedMap,
    HtmlPopup,
    MapSettings,
    TextGeoJsonTooltip,
    mellerud_map,
)

# ColorBrewer "Oranges" (5 classes): light to dark, readable in greyscale too.
PALETTE = ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603")
HIDDEN_COLOUR = "#bdbdbd"
# The areas' fill opacity; the legend's swatches use the same, so they match the map.
FILL_OPACITY = 0.75
# Keeps an opened popup clear of the zoom buttons in the top left corner.
POPUP_PADDING_TOP_LEFT = (56, 96)


@dataclass(frozen=True)
class LegendClass:
    """One legend entry: a colour and the value range it stands for."""

    colour: str
    low: float
    high: float


def class_breaks(
    values: Sequence[float | None], classes: int = len(PALETTE), *, resolution: float = 0.01
) -> list[LegendClass]:
    """Equal-interval classes from 0 to a rounded-up maximum of the published values.

    With five areas, quantiles would give each area its own class and hide how large the
    differences are; equal intervals from zero keep the map honest about magnitude.

    Parameters
    ----------
    values : sequence of float or None
        The published values; None (hidden) ones are left out.
    classes : int
        How many classes (at most the palette's length).
    resolution : float
        The smallest step the values are shown in (1 for counts, 0.1 for rates): each
        class is a whole number of such steps wide, so written ranges never overlap.
    """
    shown = [v for v in values if v is not None]
    top = max(shown, default=0) or 1
    magnitude = 10 ** math.floor(math.log10(top))
    top = math.ceil(top / magnitude) * magnitude
    width = classes * resolution
    top = math.ceil(round(top / width, 9)) * width
    step = top / classes
    return [
        LegendClass(PALETTE[i], round(i * step, 2), round((i + 1) * step, 2))
        for i in range(classes)
    ]


def colour_for(value: float | None, legend: Sequence[LegendClass]) -> str:
    """The fill colour of a value; hidden values get the neutral grey."""
    if value is None:
        return HIDDEN_COLOUR
    for entry in legend:
        if value <= entry.high:
            return entry.colour
    return legend[-1].colour


def choropleth_map(
    areas: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame,
    *,
    values: dict[str, float | None],
    legend: Sequence[LegendClass],
    popups: dict[str, str],
    tooltips: dict[str, str],
    settings: MapSettings,
    aria_label: str,
) -> EmbeddedMap:
    """Build the public area map.

    Parameters
    ----------
    areas : GeoDataFrame
        Area layer in EPSG:4326 with ``id`` and ``name``.
    values : dict
        Area id to the published value (None where hidden).
    popups : dict
        Area id to the popup's markup, escaped (:func:`mix_popup`).
    tooltips : dict
        Area id to the tooltip's plain text; it is shown as text, never as markup.
    """
    fmap = mellerud_map(outline, settings, aria_label)
    frame = area_fill_frame(areas, values, legend, tooltips)
    # One layer per area, so each carries its own popup.
    for record in frame.to_dict("records"):
        single = gpd.GeoDataFrame([record], geometry="geometry", crs=areas.crs)
        # The layer's name is never shown (no layer control here): the id will do.
        layer = area_fill_layer(single, name=f"area-{record['id']}", opacity=FILL_OPACITY)
        HtmlPopup(
            Markup(popups.get(record["id"], "")),
            max_width=280,
            auto_pan_padding_top_left=POPUP_PADDING_TOP_LEFT,
        ).add_to(layer)
        layer.add_to(fmap)
    return fmap


def area_fill_frame(
    areas: gpd.GeoDataFrame,
    values: dict[str, float | None],
    legend: Sequence[LegendClass],
    tooltips: dict[str, str],
) -> gpd.GeoDataFrame:
    """The areas with the fill colour of their value and their tooltip text."""
    frame = areas[["id", "name", "geometry"]].copy()
    frame["fill"] = [colour_for(values.get(i), legend) for i in frame["id"]]
    frame["tip"] = [tooltips.get(i, "") for i in frame["id"]]
    return frame


def area_fill_layer(frame: gpd.GeoDataFrame, *, name: str, opacity: float) -> folium.GeoJson:
    """Areas filled by class colour; hidden values dashed grey; the tooltip on hover."""
    return folium.GeoJson(
        frame,
        name=name,
        style_function=lambda feature: {
            "color": "#3b2a1a",
            "weight": 2,
            "fillColor": feature["properties"]["fill"],
            "fillOpacity": opacity,
            "dashArray": "6 4" if feature["properties"]["fill"] == HIDDEN_COLOUR else None,
        },
        highlight_function=lambda _feature: {"weight": 4},
        tooltip=TextGeoJsonTooltip("tip"),
    )


def mix_popup(title: str, rows: Sequence[tuple[str, str]]) -> Markup:
    """Popup HTML: the area name and a two-column table of (label, shown value), escaped."""
    row = Markup("<tr><th scope='row'>{}</th><td>{}</td></tr>")
    body = Markup("").join(row.format(a, b) for a, b in rows)
    return Markup("<strong>{}</strong><table class='mix'>{}</table>").format(title, body)
