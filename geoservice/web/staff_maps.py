"""Staff hotspot page: filters, layers explained in plain Swedish, and the band × week table."""

from __future__ import annotations

import h3
import numpy as np
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from geoservice.core.analysis.aggregate import WEEK_PARTS
from geoservice.core.categories import TIME_BANDS
from geoservice.i18n import category_labels, page_language
from geoservice.maps.base import render_parts
from geoservice.maps.choropleth import class_breaks
from geoservice.maps.hotspot_map import CLASS_COLOURS, hex_features, hotspot_map
from geoservice.store.areas import current_layer
from geoservice.web.access import audit, requires
from geoservice.web.analysis import DEFAULT_RADIUS_M, RADIUS_RANGE, analyse
from geoservice.web.insight import FilterRejected
from geoservice.web.public import map_settings
from geoservice.web.staff import status_labels
from geoservice.web.staff_filter import parse_staff_filter

bp = Blueprint("staff_maps", __name__, url_prefix="/personal")
LAYERS = ("hotspots", "density", "points", "areas")


def parse_map_options(args) -> tuple[dict, int, bool]:
    """Filter (unsafe places by default), KDE radius and whether cold spots are shown."""
    query = args.to_dict()
    query.setdefault("kind", "unsafe")
    errors: dict[str, str] = {}
    radius_raw = query.pop("radius", "") or str(DEFAULT_RADIUS_M)
    radius = DEFAULT_RADIUS_M
    if (
        not (radius_raw.isascii() and radius_raw.isdigit())
        or not RADIUS_RANGE[0] <= int(radius_raw) <= RADIUS_RANGE[1]
    ):
        errors["radius"] = (
            f"'radius' should be whole metres from {RADIUS_RANGE[0]} to {RADIUS_RANGE[1]}"
        )
    else:
        radius = int(radius_raw)
    include_cold = query.pop("cold", "") in ("1", "true")
    return query, radius, include_cold, errors


def layer_names() -> dict[str, str]:
    """The staff map's layers by name, in the page's language."""
    return {
        "areas": _("Områden: per 1 000 invånare"),
        "boundaries": _("Områdesgränser"),
        "density": _("Täthetskarta"),
        "hotspots": _("Hotspots (Gi*)"),
        "points": _("Exakta platser"),
    }


def class_labels() -> dict[str, str]:
    return {
        "hot_99": _("Hotspot, 99 % säkerhet"),
        "hot_95": _("Hotspot, 95 % säkerhet"),
        "hot_90": _("Hotspot, 90 % säkerhet"),
        "not_significant": _("Inte statistiskt säkerställd"),
        "cold_90": _("Kall fläck, 90 % säkerhet"),
        "cold_95": _("Kall fläck, 95 % säkerhet"),
        "cold_99": _("Kall fläck, 99 % säkerhet"),
    }


@bp.get("/hotspots")
@requires("aggregates")
def hotspots():
    """Density, significant hotspots, points (for roles allowed) and area rates for a filter."""
    english = page_language() == "en"
    query, radius, include_cold, errors = parse_map_options(request.args)
    try:
        staff_filter = parse_staff_filter(query)
    except FilterRejected as exc:
        errors.update(exc.errors)
        staff_filter = parse_staff_filter({"kind": "unsafe"})
    chosen = set(request.args.getlist("layer")) & set(LAYERS) or {"hotspots", "density"}
    may_see_points = current_user.can("exact")
    if not may_see_points:
        chosen.discard("points")
    result = analyse(staff_filter, include_cold=include_cold, radius=radius)
    labels = class_labels()
    records = result.hotspots.records(include_cold)
    for record in records:
        record["label"] = f"{labels[record['hotspot_class']]} · {record['count']}"
    hexes = hex_features(records)
    image, bounds = (None, None)
    if result.density.total > 0:
        image, bounds = result.density.rgba_image()
    points = None
    if "points" in chosen:
        points = result.frame[["lat", "lon"]].to_numpy()
        audit("view_points", rows=len(points))
    layer = current_layer()
    rates = {row.area_id: row.rate_per_1000 for row in result.areas.itertuples()}
    area_legend = class_breaks(list(rates.values()))
    tooltips = {
        row.area_id: _(
            "%(name)s: %(count)s synpunkter, %(rate)s per 1 000 invånare",
            name=row.name,
            count=row.count,
            rate=round(row.rate_per_1000 or 0, 1),
        )
        for row in result.areas.itertuples()
    }
    fmap = hotspot_map(
        layer.areas,
        layer.outline,
        layers=chosen,
        hexes=hexes,
        density_image=image,
        density_bounds=bounds,
        points=points,
        area_values=rates,
        area_legend=area_legend,
        area_tooltips=tooltips,
        layer_names=layer_names(),
        settings=map_settings(),
        aria_label=_("Hotspotkarta över Melleruds kommun"),
    )
    labels_of_categories = category_labels()
    hot_cells = [r for r in records if r["hotspot_class"].startswith("hot")]
    hot_cells.sort(key=lambda r: -(r["gi_z"] or 0))
    return render_template(
        "staff/hotspots.html",
        layer_names=layer_names(),
        map_parts=render_parts(fmap),
        staff_filter=staff_filter,
        errors=errors,
        chosen=chosen,
        layers=LAYERS,
        may_see_points=may_see_points,
        radius=radius,
        include_cold=include_cold,
        result=result,
        explanation=result.hotspots.explanation_en if english else result.hotspots.explanation_sv,
        class_labels=labels,
        class_colours=CLASS_COLOURS,
        hot_cells=hot_cells[:10],
        cell_centre=lambda cell: h3.cell_to_latlng(cell),
        category_labels=labels_of_categories,
        statuses=status_labels(),
        time_bands=TIME_BANDS,
        week_parts=WEEK_PARTS,
        area_legend=area_legend,
        n_points=int(len(result.frame)),
        n_voices=int(len(result.voices)),
        density_max=float(np.max(result.density.density)) * 1e6 if result.density.total else 0.0,
    ), (422 if errors else 200)
