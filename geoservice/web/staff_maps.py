"""Staff hotspot page: named hot zones, the map, folded filters, exports of the same numbers."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from geoservice.core.analysis.aggregate import WEEK_PARTS
from geoservice.core.analysis.zones import ZONE_CSV_COLUMNS, zone_rows
from geoservice.core.categories import TIME_BANDS
from geoservice.core.reporting.exports import csv_safe
from geoservice.i18n import category_labels, page_language
from geoservice.maps.base import render_parts
from geoservice.maps.choropleth import class_breaks
from geoservice.maps.hotspot_map import CLASS_COLOURS, hex_features, hotspot_map
from geoservice.store.areas import current_layer
from geoservice.web.access import audit, requires
from geoservice.web.analysis import (
    DEFAULT_RADIUS_M,
    RADIUS_RANGE,
    analyse,
    cell_records,
    hotspot_answer,
    hotspot_document,
    zone_records,
)
from geoservice.web.errors import api_error, attachment
from geoservice.web.insight import FilterRejected
from geoservice.web.public import map_settings
from geoservice.web.staff import status_labels
from geoservice.web.staff_filter import parse_staff_filter

bp = Blueprint("staff_maps", __name__, url_prefix="/personal")
LAYERS = ("hotspots", "density", "points", "areas")


def parse_map_options(args) -> tuple[dict, int, bool, dict]:
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


def form_messages(errors: dict[str, str]) -> dict[str, str]:
    """The filter's problems in plain words, by field, as the form names them."""
    date_hint = _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-30.")
    plain = {
        "from": (_("Från"), date_hint),
        "to": (_("Till och med"), date_hint),
        "category": (_("Kategori"), _("Välj en kategori i listan.")),
        "kind": (_("Slag av plats"), _("Välj otrygga eller trygga platser.")),
        "time_of_day": (_("Tid på dygnet"), _("Välj en tid på dygnet i listan.")),
        "weekend": (_("Vardag eller helg"), _("Välj vardag, helg eller alla dagar.")),
        "status": (_("Status"), _("Välj en status i listan.")),
        "radius": (
            _("Täthetskartans radie (meter)"),
            _("Skriv en radie i hela meter, från 100 till 1 000."),
        ),
    }
    out = {}
    for field, message in errors.items():
        label, hint = plain.get(field, (field, message))
        if field == "to" and "before" in message:
            hint = _("Till och med får inte vara före Från.")
        elif field in ("from", "to") and "between" in message:
            hint = _("Välj ett datum mellan år 2000 och 2100.")
        out[field] = f"{label}: {hint}"
    return out


def layer_names() -> dict[str, str]:
    """The staff map's layers by name, in the page's language."""
    return {
        "areas": _("Områden: per 1 000 invånare"),
        "boundaries": _("Områdesgränser"),
        "density": _("Täthetskarta"),
        "hotspots": _("Hotspots"),
        "points": _("Exakta platser"),
        "zones": _("Heta zoner"),
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


def hide_below() -> int:
    """*k* for roles that may not see small counts at cell level (bra), else 0."""
    return 0 if current_user.can("exact") else int(current_app.config["K_ANONYMITY"])


def _read_filter():
    query, radius, include_cold, errors = parse_map_options(request.args)
    try:
        staff_filter = parse_staff_filter(query)
    except FilterRejected as exc:
        errors.update(exc.errors)
        staff_filter = parse_staff_filter({"kind": "unsafe"})
    return staff_filter, radius, include_cold, errors


def _count_text(value, k: int) -> str:
    from geoservice.core.typography import format_number

    if value is None:
        return _("färre än %(k)s", k=k)
    return format_number(value, page_language())


@bp.get("/hotspots")
@requires("aggregates")
def hotspots():
    """Named hot zones, the map of hotspots and density, and the tables, for a filter."""
    english = page_language() == "en"
    staff_filter, radius, include_cold, errors = _read_filter()
    chosen = set(request.args.getlist("layer")) & set(LAYERS) or {"hotspots", "density"}
    may_see_points = current_user.can("exact")
    if not may_see_points:
        chosen.discard("points")
    result = analyse(staff_filter, include_cold=include_cold, radius=radius)
    answer = result.answer
    k = answer.k
    hidden = hide_below()
    labels = class_labels()
    records = cell_records(answer, hide_below=hidden)
    for record in records:
        cls = labels[record["hotspot_class"]]
        count = _count_text(record["count"], k)
        place = record["place_en" if english else "place"]
        record["label"] = f"{place} · {cls} · {count}" if place else f"{cls} · {count}"
    hexes = hex_features(records)
    zones = zone_records(answer, hide_below=hidden)
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
    zone_outlines = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(json.dumps(_mapping(zone.geometry))),
                "properties": {
                    "label": f"{zone.rank}. {zone.name(page_language())}",
                    "rank": zone.rank,
                },
            }
            for zone in answer.zones
        ],
    }
    fmap = hotspot_map(
        layer.areas,
        layer.outline,
        layers=chosen,
        hexes=hexes,
        zones=zone_outlines,
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
    return render_template(
        "staff/hotspots.html",
        layer_names=layer_names(),
        map_parts=render_parts(fmap),
        staff_filter=staff_filter,
        errors=form_messages(errors),
        chosen=chosen,
        layers=LAYERS,
        may_see_points=may_see_points,
        radius=radius,
        include_cold=include_cold,
        result=result,
        answer=answer,
        zones=zones,
        k=k,
        hidden=hidden,
        approximate_places=answer.gazetteer.any_approximate,
        explanation=result.hotspots.explanation_en if english else result.hotspots.explanation_sv,
        class_labels=labels,
        class_colours=CLASS_COLOURS,
        category_labels=category_labels(),
        statuses=status_labels(),
        time_bands=TIME_BANDS,
        week_parts=WEEK_PARTS,
        area_legend=area_legend,
        export_query=_export_query(staff_filter, include_cold),
        n_points=int(len(result.frame)),
        n_voices=int(len(result.voices)),
        density_max=float(np.max(result.density.density)) * 1e6 if result.density.total else 0.0,
    ), (422 if errors else 200)


def _mapping(geometry):
    from shapely.geometry import mapping

    return mapping(geometry)


def _export_query(staff_filter, include_cold: bool) -> dict[str, str]:
    query = staff_filter.as_query()
    if include_cold:
        query["cold"] = "1"
    return query


def _hide_zone_row(row: list, record: dict, below: int) -> list:
    """A zone's CSV row without counts from 1 to k−1 (the bra role)."""
    row = list(row)
    at = ZONE_CSV_COLUMNS.index
    row[at("previous_voices")] = record["previous_voices"]
    row[at("change")] = record["change"]
    row[at("main_categories")] = " ".join(
        f"{code}:{f'<{below}' if n is None else n}"
        for code, n in list(record["categories"].items())[:3]
    )
    for column in ("weekday_voices", "weekend_voices", "night_voices"):
        value = row[at(column)]
        row[at(column)] = None if 0 < value < below else value
    return row


def _api_filter():
    query, _radius, include_cold, errors = parse_map_options(request.args)
    try:
        staff_filter = parse_staff_filter(query)
    except FilterRejected as exc:
        errors.update(exc.errors)
        staff_filter = None
    return staff_filter, include_cold, errors


def _csv(header, rows) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read å, ä and ö correctly
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[csv_safe(v) for v in row] for row in rows])
    return out.getvalue()


CELL_CSV_COLUMNS = (
    "cell",
    "zone",
    "place",
    "hotspot_class",
    "count",
    "nearby",
    "gi_z",
    "gi_p",
    "local_p",
    "local_ratio",
)


@bp.get("/hotspots/<name>.<fmt>")
@requires("aggregates")
def hotspot_export(name: str, fmt: str):
    """The page's zones or cells as CSV, or cells and zones as GeoJSON: the API's numbers."""
    if (name, fmt) not in (("zoner", "csv"), ("rutor", "csv"), ("hotspots", "geojson")):
        abort(404)
    staff_filter, include_cold, errors = _api_filter()
    if errors:
        return api_error(422, errors)
    answer = hotspot_answer(staff_filter, include_cold=include_cold)
    hidden = hide_below()
    stem = f"{name}-{staff_filter.start}-{staff_filter.end}"
    if fmt == "geojson":
        body = json.dumps(hotspot_document(answer, staff_filter, hide_below=hidden))
        return attachment(body, "application/geo+json", stem + ".geojson")
    if name == "zoner":
        rows = zone_rows(answer.zones, page_language())
        if hidden:
            rows = [
                _hide_zone_row(row, record, hidden)
                for row, record in zip(rows, zone_records(answer, hide_below=hidden), strict=True)
            ]
        return attachment(_csv(ZONE_CSV_COLUMNS, rows), "text/csv", stem + ".csv")
    records = cell_records(answer, hide_below=hidden)
    rows = [[r.get(c) for c in CELL_CSV_COLUMNS] for r in records]
    return attachment(_csv(CELL_CSV_COLUMNS, rows), "text/csv", stem + ".csv")
