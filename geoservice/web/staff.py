"""Staff workspace: overview, moderation queue, a concern's page, and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from geoservice.core.categories import STATUSES
from geoservice.i18n import category_labels
from geoservice.store.accounts import audit_events
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.models import Report
from geoservice.store.moderation import (
    ModerationError,
    count_staff_reports,
    history,
    moderate,
    staff_reports,
)
from geoservice.web.access import audit, requires
from geoservice.web.insight import FilterRejected
from geoservice.web.staff_filter import parse_staff_filter

bp = Blueprint("staff", __name__, url_prefix="/personal")
QUEUE_PAGE = 50


def status_labels() -> dict[str, str]:
    """Moderation statuses in the page's language."""
    return {
        "new": _("Ny"),
        "confirmed": _("Bekräftad"),
        "handled": _("Hanterad"),
        "duplicate": _("Dubblett"),
        "spam": _("Skräp"),
        "not_relevant": _("Inte relevant"),
    }


def _labels() -> dict:
    return {
        "categories": category_labels(),
        "statuses": status_labels(),
        "areas": dict(current_layer().choices()),
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


def role_labels() -> dict[str, str]:
    """Staff roles in the page's language."""
    return {
        "police": _("polis"),
        "municipality": _("kommun"),
        "bra": _("BRÅ (rådsledamot)"),
        "admin": _("administratör"),
        "partner": _("samverkanspartner"),
    }


@bp.get("/moderering")
@requires("moderate")
def queue():
    """New concerns first; filter by period, category, status and more."""
    args = request.args.to_dict()
    try:
        staff_filter = parse_staff_filter(args)
        errors = {}
    except FilterRejected as exc:
        errors = exc.errors
        staff_filter = parse_staff_filter({})
    raw_page = request.args.get("page", "1")
    page = (
        int(raw_page)
        if (raw_page.isascii() and raw_page.isdigit()) and 0 < int(raw_page) < 10_000
        else 1
    )
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
        errors=errors,
        labels=_labels(),
        statuses=STATUSES,
    ), (422 if errors else 200)


@bp.get("/synpunkt/<report_id>")
@requires("moderate")
def report_page(report_id: str):
    """One concern in full, with its moderation history and the moderation form."""
    db = get_session()
    report = db.get(Report, report_id)
    if report is None:
        abort(404)
    audit("view_free_text", rows=1, target=f"staff.report_page:{report_id}")
    return render_template(
        "staff/report.html",
        report=report,
        events=history(db, report_id),
        labels=_labels(),
        statuses=STATUSES,
        errors={},
    )


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
        report = db.get(Report, report_id)
        return render_template(
            "staff/report.html",
            report=report,
            events=history(db, report_id),
            labels=_labels(),
            statuses=STATUSES,
            errors=exc.errors,
        ), 422
    return redirect(url_for("staff.report_page", report_id=report_id, saved=len(changes)), 303)


@bp.get("/logg")
@requires("admin")
def audit_log():
    """Who viewed or exported exact points or free text, and logins and denials."""
    return render_template("staff/audit.html", events=audit_events(get_session()))


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
