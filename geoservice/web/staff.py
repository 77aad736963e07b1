"""Staff workspace: overview, moderation queue, a concern's page, and the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from geoservice.core.categories import KINDS, STATUSES, TIME_BANDS
from geoservice.core.moderation.neighbours import DUPLICATE_DAYS, DUPLICATE_RADIUS_M
from geoservice.core.typography import format_local_time
from geoservice.i18n import any_category_labels, page_language, safe_reason_labels
from geoservice.labels import (
    age_band_labels,
    audit_action_labels,
    audit_filter_text,
    audit_sentence,
    band_labels,
    category_labels,
    code_label,
    kind_labels,
    moderation_field_labels,
    precision_labels,
    resident_role_labels,
    role_labels,
    source_labels,
    status_labels,
    weekend_labels,
)
from geoservice.maps.base import render_parts
from geoservice.maps.concern_map import concern_map
from geoservice.store.areas import current_layer
from geoservice.store.audit_log import (
    EXPORT_LIMIT,
    AuditQuery,
    audit_actions,
    audit_people,
    count_audit_events,
    find_audit_events,
)
from geoservice.store.db import get_session
from geoservice.store.models import Report
from geoservice.store.moderation import (
    ModerationError,
    count_staff_reports,
    history,
    moderate,
    next_new_report,
    possible_duplicates,
    staff_reports,
)
from geoservice.web.access import audit, requires
from geoservice.web.errors import stored_or_404
from geoservice.web.form_messages import moderation_messages
from geoservice.web.insight import FilterRejected
from geoservice.web.staff_filter import filter_field_labels, parse_staff_filter, read_filter_day

bp = Blueprint("staff", __name__, url_prefix="/personal")
QUEUE_PAGE = 50
# Keys that set a status and save on the concern's page (documented there).
STATUS_KEYS = {"b": "confirmed", "h": "handled", "d": "duplicate", "s": "spam", "i": "not_relevant"}

__all__ = ["bp", "role_labels", "status_labels"]


def _labels() -> dict:
    return {
        "categories": category_labels(),
        # A safe place carries a reason of its own list (core.categories.SAFE_REASONS).
        "safe_reasons": safe_reason_labels(),
        "any_categories": any_category_labels(),
        "statuses": status_labels(),
        "areas": dict(current_layer().choices()),
        "bands": band_labels(),
        "kinds": kind_labels(),
        "weekend": weekend_labels(),
        "precision": precision_labels(),
        "resident_roles": resident_role_labels(),
        "age_bands": age_band_labels(),
        "sources": source_labels(),
        "fields": moderation_field_labels(),
        "filter_fields": filter_field_labels(),
    }


@bp.get("/")
@requires("signed_in")
def home():
    """The staff overview: what this role can open."""
    from flask import current_app

    if not current_user.can("aggregates"):
        # A partner's start page is the event form (issue 18).
        return redirect(url_for("events.report_form"), 303)

    return render_template(
        "staff/home.html",
        role_labels=role_labels(),
        has_hotspots="staff_maps.hotspots" in current_app.view_functions,
    )


def _page_number(raw: str) -> int:
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10_000:
        return int(raw)
    return 1


def _active_filter_text(staff_filter) -> str:
    """The queue's narrowing choices (beyond the period) in words, for the folded panel."""
    query = staff_filter.as_query()
    query.pop("from", None)
    query.pop("to", None)
    return audit_filter_text(json.dumps(query)) if query else ""


@bp.get("/moderering")
@requires("moderate")
def queue():
    """New concerns first; filter by period, category, status and more."""
    try:
        staff_filter = parse_staff_filter(request.args)
        errors = {}
    except FilterRejected as exc:
        errors = exc.errors
        staff_filter = parse_staff_filter({})
    page = _page_number(request.args.get("page", "1"))
    db = get_session()
    total = count_staff_reports(db, staff_filter)
    rows = staff_reports(db, staff_filter, limit=QUEUE_PAGE * page)[QUEUE_PAGE * (page - 1) :]
    audit("view_free_text", rows=len(rows))
    return render_template(
        "staff/queue.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // QUEUE_PAGE)),
        staff_filter=staff_filter,
        active_filter=_active_filter_text(staff_filter),
        errors=errors,
        labels=_labels(),
        statuses=STATUSES,
        bands=TIME_BANDS,
        kinds=KINDS,
    ), (422 if errors else 200)


def _neighbour_label(report: Report, distance_m: int | None) -> str:
    when = format_local_time(report.created_at, page_language())
    category = category_labels().get(report.category, report.category)
    if distance_m is None:
        return _("%(when)s, %(category)s, samma område", when=when, category=category)
    return _(
        "%(when)s, %(category)s, %(metres)s m bort", when=when, category=category, metres=distance_m
    )


def _report_page(report: Report, *, errors: dict[str, str], status: int = 200):
    from geoservice.web.public import map_settings

    db = get_session()
    layer = current_layer()
    neighbours = possible_duplicates(db, report)
    fmap = concern_map(
        layer.areas,
        layer.outline,
        lat=report.lat,
        lon=report.lon,
        area_id=report.area_id,
        whole_area=report.precision == "area",
        neighbours=[
            {
                "lat": n.report.lat,
                "lon": n.report.lon,
                "label": _neighbour_label(n.report, n.distance_m),
            }
            for n in neighbours
        ],
        settings=map_settings(),
        aria_label=_("Karta över synpunktens plats och synpunkter i närheten"),
        radius_m=DUPLICATE_RADIUS_M,
    )
    return render_template(
        "staff/report.html",
        report=report,
        events=history(db, report.id),
        labels=_labels(),
        statuses=STATUSES,
        errors=errors,
        neighbours=neighbours,
        neighbour_label=_neighbour_label,
        radius_m=int(DUPLICATE_RADIUS_M),
        days=DUPLICATE_DAYS,
        status_keys=STATUS_KEYS,
        map_parts=render_parts(fmap),
        code_label=code_label,
        next_new=next_new_report(db, report.id),
    ), status


@bp.get("/synpunkt/<report_id>")
@requires("moderate")
def report_page(report_id: str):
    """One concern in full: its map, possible duplicates, the moderation form and history."""
    report = stored_or_404(Report, report_id)
    audit("view_free_text", rows=1, target=f"staff.report_page:{report_id}")
    return _report_page(report, errors={})


@bp.post("/synpunkt/<report_id>")
@requires("moderate")
def update_report(report_id: str):
    """Set status (with a reason), recategorise, or write the internal note."""
    db = get_session()
    form = request.form
    try:
        changes = moderate(
            db,
            report_id,
            user_name=current_user.name,
            status=form.get("status") or None,
            category=form.get("category") or None,
            reason=(form.get("reason") or "").strip() or None,
            note=form.get("note") if "note" in form else None,
        )
    except LookupError:
        abort(404)
    except ModerationError as exc:
        report = stored_or_404(Report, report_id)
        return _report_page(report, errors=moderation_messages(exc.errors), status=422)
    return redirect(url_for("staff.report_page", report_id=report_id, saved=len(changes)), 303)


# Audit log -------------------------------------------------------------------------------


def audit_filter_labels() -> dict[str, str]:
    """The audit log's filter fields as its form names them."""
    return {
        "user": _("Person"),
        "action": _("Händelse"),
        "from": _("Från"),
        "to": _("Till och med"),
    }


def parse_audit_query(args) -> tuple[AuditQuery, dict[str, str]]:
    """Person, one or more actions and a day range from the query; messages for bad ones."""
    errors: dict[str, str] = {}
    names = audit_filter_labels()
    days = {
        field: read_filter_day((args.get(field) or "").strip(), None, field, errors, names[field])
        for field in ("from", "to")
    }
    if days["from"] and days["to"] and days["to"] < days["from"]:
        errors["to"] = _(
            "%(field)s: välj en dag som inte ligger före Från-dagen.", field=names["to"]
        )
    actions = tuple(a for a in dict.fromkeys(args.getlist("action")) if a)
    known = set(audit_action_labels())
    if any(len(a) > 32 or not (a in known or a.replace("_", "").isalnum()) for a in actions):
        errors["action"] = _("%(field)s: välj en händelse i listan.", field=names["action"])
        actions = ()
    user = (args.get("user") or "").strip()[:64] or None
    query = AuditQuery(
        user_name=user,
        actions=actions,
        start=None if "from" in errors else days["from"],
        end=None if errors.get("to") else days["to"],
    )
    return query, errors


def _audit_query_args(query: AuditQuery) -> dict:
    args: dict = {}
    if query.user_name:
        args["user"] = query.user_name
    if query.actions:
        args["action"] = list(query.actions)
    if query.start:
        args["from"] = query.start.isoformat()
    if query.end:
        args["to"] = query.end.isoformat()
    return args


@bp.get("/logg")
@requires("admin")
def audit_log():
    """Who viewed or exported exact points or free text, and logins and denials, as sentences."""
    db = get_session()
    query, errors = parse_audit_query(request.args)
    events = find_audit_events(db, query)
    action_names = audit_action_labels()
    actions = sorted(
        set(audit_actions(db)) | set(action_names), key=lambda a: code_label(action_names, a)
    )
    return render_template(
        "staff/audit.html",
        events=events,
        total=count_audit_events(db, query),
        sentence=audit_sentence,
        query=query,
        query_args=_audit_query_args(query),
        errors=errors,
        people=audit_people(db),
        actions=actions,
        action_names=action_names,
        field_names=audit_filter_labels(),
        filtered=bool(_audit_query_args(query)),
        code_label=code_label,
    ), (422 if errors else 200)


@bp.get("/logg.csv")
@requires("admin")
def audit_export():
    """The audit log (same filters as the page) as CSV; the export is itself logged."""
    db = get_session()
    query, errors = parse_audit_query(request.args)
    if errors:
        return Response(
            "\n".join(errors.values()) + "\n", status=422, mimetype="text/plain; charset=utf-8"
        )
    events = find_audit_events(db, query, limit=EXPORT_LIMIT)
    lang = page_language()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "at_utc",
            "at_local",
            "user_name",
            "role",
            "action",
            "target",
            "filter",
            "rows",
            "description",
        ]
    )
    for e in events:
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
        writer.writerow(
            [
                at.astimezone(UTC).isoformat(timespec="seconds"),
                format_local_time(at, lang),
                e.user_name or "",
                e.role or "",
                e.action,
                e.target or "",
                e.filter or "",
                "" if e.rows is None else e.rows,
                audit_sentence(e),
            ]
        )
    audit("export_audit", rows=len(events), target="staff.audit_export")
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    # A byte-order mark lets spreadsheet programs read the Swedish letters as UTF-8.
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="granskningslogg-{stamp}.csv"'},
    )


@bp.get("/admin/omraden")
@requires("admin")
def area_layers():
    """The area layer in use, where it came from, and the earlier ones."""
    from geoservice.store.boundary_layers import layer_history

    return render_template(
        "staff/area_layers.html",
        layer=current_layer(),
        history=layer_history(get_session()),
    )
