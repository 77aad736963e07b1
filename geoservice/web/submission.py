"""Taking in a concern: shared by the resident form and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request

from geoservice.core.validation import ReportDraft, validate_report
from geoservice.extensions import limiter
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.reports import StoredReport, client_key, store_report


def report_rate_limit() -> str:
    """The configured submission limit (read per request so tests can change it)."""
    return current_app.config["REPORT_RATE_LIMIT"]


# One budget for the form and the API: switching channel must not double the allowance.
limit_submissions = limiter.shared_limit(
    report_rate_limit, scope="report-submissions", methods=["POST"]
)


def check_report(data: Mapping[str, Any], *, from_form: bool) -> ReportDraft:
    """Validate against the area layer in force; raises ReportRejected."""
    layer = current_layer()
    return validate_report(
        data, locate=layer.locate, area_point=layer.area_point, from_form=from_form
    )


def save_report(draft: ReportDraft, *, source: str) -> StoredReport:
    """Store the concern with today's keyed client hash; raises IdempotencyConflict."""
    now = datetime.now(UTC)
    client = client_key(current_app.config["SECRET_KEY"], request.remote_addr, now)
    return store_report(get_session(), draft, client=client, source=source, now=now)


def read_body() -> bytes:
    """The request body, refusing (413) one over the limit also when it came chunked.

    For a body without Content-Length, Werkzeug stops reading at the limit without an
    error; one more read past it raises RequestEntityTooLarge, so a truncated body is
    never parsed as if it were whole.
    """
    data = request.stream.read()
    request.stream.read(1)
    return data
