"""Taking in a concern: shared by the resident form and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request

from geoservice.core.intake.validation import ReportDraft, validate_report
from geoservice.extensions import limiter
from geoservice.store.areas import AreaLayer, last_seen_layer, seen_in_force
from geoservice.store.db import get_session
from geoservice.store.reports import (
    LayerChanged,
    StoredReport,
    client_key,
    erase_by_receipt,
    find_by_receipt,
    store_report,
)


def report_rate_limit() -> str:
    """The configured submission limit (read per request so tests can change it)."""
    return current_app.config["REPORT_RATE_LIMIT"]


# One budget for the form and the API: switching channel must not double the allowance.
limit_submissions = limiter.shared_limit(
    report_rate_limit, scope="report-submissions", methods=["POST"]
)


def receipt_rate_limit() -> str:
    """The configured limit on failed receipt lookups (read per request)."""
    return current_app.config["RECEIPT_RATE_LIMIT"]


def _not_found(response) -> bool:
    return response.status_code == 404


# One budget for every way of trying a receipt code (page, lookup form, erasure, API):
# only a code that finds nothing counts, so the holder of a real code is never slowed.
limit_receipt_guesses = limiter.shared_limit(
    receipt_rate_limit, scope="receipt-guesses", deduct_when=_not_found
)


def find_concern(receipt: str):
    """The concern this receipt code opens, or None (constant time, see store.reports)."""
    return find_by_receipt(get_session(), receipt, secret=current_app.config["SECRET_KEY"])


def erase_concern(receipt: str) -> bool:
    """Erase the concern this receipt code opens; True when there was one."""
    return erase_by_receipt(get_session(), receipt, secret=current_app.config["SECRET_KEY"])


@dataclass(frozen=True)
class Submitted:
    """A stored concern and the name of its area in the layer it was checked against."""

    stored: StoredReport
    area_name: str | None


def check_report(data: Mapping[str, Any], *, from_form: bool) -> ReportDraft:
    """Validate against the layer this worker last saw in force; raises ReportRejected."""
    return _check(data, from_form, _submission_layer())


def submit_report(data: Mapping[str, Any], *, from_form: bool, source: str) -> Submitted:
    """Check a concern and store it once, with today's keyed client hash.

    Checked without a read of the active layer: the writing transaction confirms it, and a
    layer that came into force in between means checking again against that one.

    Raises ReportRejected or IdempotencyConflict.
    """
    app = current_app._get_current_object()
    layer = _submission_layer()
    while True:
        draft = _check(data, from_form, layer)
        now = datetime.now(UTC)
        client = client_key(app.config["SECRET_KEY"], request.remote_addr, now)
        try:
            stored = store_report(
                get_session(),
                draft,
                client=client,
                source=source,
                secret=app.config["SECRET_KEY"],
                now=now,
                layer_id=layer.layer_id,
            )
        except LayerChanged as exc:
            layer = seen_in_force(app, get_session(), exc.layer_id)
            continue
        return Submitted(stored, layer.name(stored.report.area_id))


def _submission_layer() -> AreaLayer:
    return last_seen_layer(current_app._get_current_object(), get_session())


def _check(data: Mapping[str, Any], from_form: bool, layer: AreaLayer) -> ReportDraft:
    return validate_report(
        data,
        locate=layer.locate,
        area_point=layer.area_point,
        from_form=from_form,
        in_municipality=layer.in_municipality,
    )


def read_body() -> bytes:
    """The request body, refusing (413) one over the limit also when it came chunked.

    For a body without Content-Length, Werkzeug stops reading at the limit without an
    error; one more read past it raises RequestEntityTooLarge, so a truncated body is
    never parsed as if it were whole.
    """
    data = request.stream.read()
    request.stream.read(1)
    return data
