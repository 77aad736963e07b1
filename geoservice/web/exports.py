"""Staff exports: concerns as CSV, GeoJSON or GeoPackage (masked, audited); area figures."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import geopandas as gpd
from flask import Blueprint, abort, request

from geoservice.core.privacy.masking import mask_personal_data
from geoservice.core.reporting.exports import csv_safe
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.moderation import staff_reports
from geoservice.web.access import audit, requires
from geoservice.web.analysis import DEFAULT_RADIUS_M, analyse
from geoservice.web.errors import api_error, attachment
from geoservice.web.insight import FilterRejected
from geoservice.web.staff_api import MAX_ROWS, report_feature
from geoservice.web.staff_filter import parse_staff_filter

bp = Blueprint("exports", __name__, url_prefix="/personal/export")

CONCERN_FIELDS = (
    "id",
    "created_at",
    "lat",
    "lon",
    "precision",
    "kind",
    "category",
    "time_of_day",
    "weekend",
    "exact_hour",
    "area_id",
    "status",
    "source",
    "is_demo",
    "role",
    "age_band",
    "description",
    "suggestion",
    "place_note",
    "reference",
)


def _csv(header, rows) -> str:
    out = io.StringIO()
    # A byte-order mark so spreadsheet programs read å, ä and ö correctly.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[csv_safe(v) for v in row] for row in rows])
    return out.getvalue()


@bp.get("/synpunkter.<fmt>")
@requires("exact")
def concerns(fmt: str):
    """Concerns matching a filter, free text masked, as CSV, GeoJSON or GeoPackage."""
    if fmt not in ("csv", "geojson", "gpkg"):
        abort(404)
    try:
        staff_filter = parse_staff_filter(request.args)
    except FilterRejected as exc:
        return api_error(422, exc.errors)
    reports = staff_reports(get_session(), staff_filter, limit=MAX_ROWS)
    audit("export_points", rows=len(reports), target=f"exports.concerns:{fmt}")
    name = f"synpunkter-{staff_filter.start}-{staff_filter.end}"
    features = [report_feature(r) for r in reports]
    if fmt == "geojson":
        body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
        return attachment(body, "application/geo+json", name + ".geojson")
    if fmt == "csv":
        rows = []
        for r in reports:
            props = {
                "lat": r.lat,
                "lon": r.lon,
                **{k: getattr(r, k) for k in CONCERN_FIELDS if k not in ("lat", "lon")},
            }
            props["created_at"] = r.created_at.isoformat()
            props["description"] = mask_personal_data(r.description)
            props["suggestion"] = mask_personal_data(r.suggestion)
            props["place_note"] = mask_personal_data(r.place_note)
            rows.append([props[k] for k in CONCERN_FIELDS])
        return attachment(_csv(CONCERN_FIELDS, rows), "text/csv", name + ".csv")
    frame = gpd.GeoDataFrame.from_features(features, crs=4326)
    if frame.empty:
        frame = gpd.GeoDataFrame({k: [] for k in CONCERN_FIELDS}, geometry=[], crs=4326)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synpunkter.gpkg"
        frame.to_file(path, layer="synpunkter", driver="GPKG")
        body = path.read_bytes()
    return attachment(body, "application/geopackage+sqlite3", name + ".gpkg")


@bp.get("/omraden.<fmt>")
@requires("aggregates")
def areas(fmt: str):
    """Per-area counts, rates and trend for a filter, as CSV or GeoJSON."""
    if fmt not in ("csv", "geojson"):
        abort(404)
    try:
        staff_filter = parse_staff_filter(request.args)
    except FilterRejected as exc:
        return api_error(422, exc.errors)
    table = analyse(staff_filter, include_cold=False, radius=DEFAULT_RADIUS_M).areas
    columns = ["area_id", "name", "population", "count", "rate_per_1000", "previous_count"]
    name = f"omraden-{staff_filter.start}-{staff_filter.end}"
    if fmt == "csv":
        rows = [[getattr(row, c) for c in columns] for row in table.itertuples()]
        return attachment(_csv(columns, rows), "text/csv", name + ".csv")
    geometry = current_layer().geometry_json()
    features = [
        {
            "type": "Feature",
            "id": row.area_id,
            "geometry": json.loads(geometry[row.area_id]),
            "properties": {c: _plain(getattr(row, c)) for c in columns},
        }
        for row in table.itertuples()
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return attachment(body, "application/geo+json", name + ".geojson")


def _plain(value):
    return value.item() if hasattr(value, "item") else value
