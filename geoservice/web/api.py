"""JSON API v1 (SPEC §8): categories and the resident's own concern."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from geoservice.core.categories import CATEGORIES, SAFE_REASONS
from geoservice.core.intake.validation import BodyRejected, ReportRejected, parse_json_object
from geoservice.extensions import csrf
from geoservice.store.areas import current_layer
from geoservice.store.models import Report
from geoservice.store.reports import IdempotencyConflict, normalise_receipt
from geoservice.web.errors import api_error
from geoservice.web.insight import FilterRejected, parse_public_filter, public_areas
from geoservice.web.submission import (
    erase_concern,
    find_concern,
    limit_receipt_guesses,
    limit_submissions,
    read_body,
    submit_report,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API takes no cookies for public calls, so there is no session for CSRF to protect.
csrf.exempt(bp)


@bp.get("/categories")
def categories():
    """List the categories of each kind of place with their Swedish and English labels.

    Unsafe places take the concern categories, safe places the reasons a place feels safe;
    ``kind`` says which list a code belongs to.
    """
    return jsonify(
        [
            {"code": c.code, "label_sv": c.label_sv, "label_en": c.label_en, "kind": kind}
            for kind, listed in (("unsafe", CATEGORIES), ("safe", SAFE_REASONS))
            for c in listed
        ]
    )


@bp.post("/reports")
@limit_submissions
def create_report():
    """Store a resident's concern; the same idempotency key returns the first answer."""
    if not request.is_json:
        return api_error(415, {"body": "Send the body as application/json."})
    try:
        submitted = submit_report(parse_json_object(read_body()), from_form=False, source="api")
    except BodyRejected as exc:
        return api_error(400, exc.messages("en"))
    except ReportRejected as exc:
        return api_error(422, exc.messages("en"))
    except IdempotencyConflict:
        return api_error(
            409,
            {"idempotency_key": "This key was already used for a different concern."},
        )
    report = submitted.stored.report
    # receipt is None only for a replay of a concern stored before codes were made from
    # keys: its code was in the first answer and is not known now.
    answer = {
        "id": report.id,
        "receipt": report.receipt,
        "area": {"id": report.area_id, "name": submitted.area_name},
    }
    return jsonify(answer), 201


def _own_report(report: Report, receipt: str) -> dict:
    """What the holder of the receipt may see of their own concern."""
    return {
        "receipt": receipt,
        "status": report.status,
        "submitted_on": report.created_at.date().isoformat(),
        "kind": report.kind,
        "category": report.category,
        "time_of_day": report.time_of_day,
        "weekend": report.weekend,
        "precision": report.precision,
        "area": {"id": report.area_id, "name": current_layer().name(report.area_id)},
        "lat": report.lat,
        "lon": report.lon,
        "description": report.description,
        "suggestion": report.suggestion,
        "role": report.role,
        "age_band": report.age_band,
    }


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/reports/<receipt>")
@limit_receipt_guesses
def get_report(receipt: str):
    """Return the status of the concern this receipt belongs to."""
    report = find_concern(receipt)
    if report is None:
        return api_error(404, {"receipt": "No concern has this receipt code."})
    return _private(jsonify(_own_report(report, normalise_receipt(receipt))))


@bp.delete("/reports/<receipt>")
@limit_receipt_guesses
def delete_report(receipt: str):
    """Erase the concern this receipt belongs to (GDPR erasure)."""
    if not erase_concern(receipt):
        return api_error(404, {"receipt": "No concern has this receipt code."})
    return "", 204


@bp.get("/areas")
def areas():
    """Areas with their k-protected counts and rates for a coarse filter (GeoJSON)."""
    try:
        public_filter = parse_public_filter(request.args, lang="en")
    except FilterRejected as exc:
        return api_error(422, exc.errors)
    result = public_areas(public_filter)
    return Response(result.geojson, mimetype="application/geo+json")
