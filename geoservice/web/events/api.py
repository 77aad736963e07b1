"""``POST /api/v1/events``: organisations that report from their own systems (partner token)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from geoservice.core.events.validation import EventsRejected
from geoservice.core.intake.validation import BodyRejected, parse_json_object
from geoservice.extensions import csrf
from geoservice.store.areas import current_layer
from geoservice.store.events.repository import EventKeyConflict
from geoservice.web.access import requires
from geoservice.web.errors import api_error
from geoservice.web.events.reporting import reporting_organisation, submit_events
from geoservice.web.submission import read_body

bp = Blueprint("events_api", __name__, url_prefix="/api/v1")
# Called with a Bearer token, never with a browser session: nothing for CSRF to protect.
csrf.exempt(bp)


def _api_key(index: int, field: str) -> str:
    return f"events[{index}].{field}"


@bp.post("/events")
@requires("report_events")
def create_events():
    """Store one event, or several at once (``{"events": [...]}``), for the token's organisation."""
    if not request.is_json:
        return api_error(415, {"body": "Send the body as application/json."})
    try:
        body = parse_json_object(read_body())
    except BodyRejected as exc:
        return api_error(400, exc.messages("en"))
    if "events" in body:
        extra = sorted(k for k in body if k != "events")
        if extra:
            return api_error(422, {extra[0][:40]: "Unknown field."})
        items = body["events"]
        if not isinstance(items, list):
            return api_error(422, {"events": "Must be a list of event objects."})
    else:
        items = [body]
    try:
        stored = submit_events(items, from_form=False, channel="api", error_key=_api_key)
    except EventsRejected as exc:
        return api_error(422, exc.messages("en"))
    except EventKeyConflict:
        return api_error(
            409, {"idempotency_key": "This key was already used for a different event."}
        )
    layer = current_layer()
    answer = {
        "batch": stored.batch_id,
        "organisation": reporting_organisation(),
        "events": [
            {"id": event_id, "area": {"id": area_id, "name": layer.name(area_id)}}
            for event_id, area_id in zip(stored.ids, stored.area_ids, strict=True)
        ],
    }
    # A replayed submission gets the same answer as the first time, as /api/v1/reports does.
    return jsonify(answer), 201
