"""Staff API v1: exact concerns (audited) and hotspots; session or Bearer token."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request
from flask_login import current_user

from geoservice.core.privacy.masking import mask_personal_data
from geoservice.extensions import csrf
from geoservice.store.db import get_session
from geoservice.store.models import Report
from geoservice.store.moderation import staff_reports
from geoservice.web.access import audit, requires
from geoservice.web.analysis import hotspot_answer, hotspot_document
from geoservice.web.cache import cached
from geoservice.web.errors import api_error
from geoservice.web.insight import FilterRejected
from geoservice.web.staff_filter import parse_staff_filter
from geoservice.web.staff_maps import parse_map_options

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
MAX_ROWS = 100_000


def report_feature(report: Report) -> dict:
    """A concern as a GeoJSON point with every field staff may see (free text masked)."""
    return {
        "type": "Feature",
        "id": report.id,
        "geometry": {"type": "Point", "coordinates": [report.lon, report.lat]},
        "properties": {
            "id": report.id,
            "created_at": report.created_at.isoformat(),
            "precision": report.precision,
            "kind": report.kind,
            "category": report.category,
            "time_of_day": report.time_of_day,
            "weekend": report.weekend,
            "exact_hour": report.exact_hour,
            "description": mask_personal_data(report.description),
            "suggestion": mask_personal_data(report.suggestion),
            "role": report.role,
            "age_band": report.age_band,
            "area_id": report.area_id,
            "status": report.status,
            "source": report.source,
            "is_demo": report.is_demo,
        },
    }


@bp.get("/reports")
@requires("exact")
def list_reports():
    """Concerns as GeoJSON points with all fields for a filter; audited."""
    try:
        staff_filter = parse_staff_filter(request.args)
    except FilterRejected as exc:
        return api_error(422, exc.errors)
    rows = staff_reports(get_session(), staff_filter, limit=MAX_ROWS + 1)
    truncated = len(rows) > MAX_ROWS
    rows = rows[:MAX_ROWS]
    audit("export_points", rows=len(rows))
    return jsonify(
        type="FeatureCollection",
        features=[report_feature(r) for r in rows],
        filter=staff_filter.as_query(),
        truncated=truncated,
    )


@bp.get("/hotspots")
@requires("aggregates")
def hotspot_cells():
    """Hex cells (GeoJSON) with hotspot classes, and the named hot zones beside them."""
    query, _radius, include_cold, errors = parse_map_options(request.args)
    try:
        staff_filter = parse_staff_filter(query)
    except FilterRejected as exc:
        errors.update(exc.errors)
    if errors:
        return api_error(422, errors)
    hide_below = 0 if current_user.can("exact") else int(current_app.config["K_ANONYMITY"])

    def compute() -> bytes:
        answer = hotspot_answer(staff_filter, include_cold=include_cold)
        document = hotspot_document(answer, staff_filter, hide_below=hide_below)
        return json.dumps(document, ensure_ascii=False).encode()

    body = cached("hotspots_api", (staff_filter, include_cold, hide_below), compute)
    return Response(body, mimetype="application/json")
