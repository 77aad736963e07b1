"""Patrol planning for a time window: page, print view, GPX/GeoJSON, log and API."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from geoservice.core.analysis.aggregate import active_reports
from geoservice.core.analysis.timewindow import TimeWindow
from geoservice.core.patrol.export import to_geojson, to_gpx
from geoservice.core.patrol.plan import PatrolPlan, plan_patrol
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.core.reporting.exports import csv_safe
from geoservice.i18n import category_labels, page_language
from geoservice.maps.base import render_parts
from geoservice.maps.patrol_map import patrol_map, patrol_svg
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.moderation import staff_frame
from geoservice.store.patrol_log import PatrolLogError, patrol_log, record_patrol
from geoservice.web.access import requires
from geoservice.web.analysis import study_area
from geoservice.web.cache import cached
from geoservice.web.errors import api_error, attachment
from geoservice.web.insight import FilterRejected
from geoservice.web.public import map_settings
from geoservice.web.staff_filter import StaffFilter, parse_staff_filter

bp = Blueprint("patrol", __name__)
WEEKDAY_CHOICES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "weekend", "weekdays")
MAX_STOPS = 12


@dataclass(frozen=True)
class PatrolRequest:
    """A checked request for a plan: window, number of stops and the data period."""

    weekday: str
    from_hour: int
    to_hour: int
    stops: int
    window: TimeWindow
    data: StaffFilter

    def as_query(self) -> dict[str, str]:
        query = {
            "weekday": self.weekday,
            "from_hour": str(self.from_hour),
            "to_hour": str(self.to_hour),
            "stops": str(self.stops),
        }
        query.update({k: v for k, v in self.data.as_query().items() if k in ("from", "to")})
        if self.data.category:
            query["category"] = self.data.category
        return query


def parse_patrol_request(args) -> PatrolRequest:
    """Read ``weekday, from_hour, to_hour, stops`` and ``from, to, category``.

    Raises FilterRejected naming each bad parameter.
    """
    errors: dict[str, str] = {}
    weekday = (args.get("weekday") or "weekend").strip().lower()
    from_hour = args.get("from_hour") or "20"
    to_hour = args.get("to_hour") or "2"
    window = None
    if weekday not in WEEKDAY_CHOICES:
        errors["weekday"] = f"'weekday' should be one of {', '.join(WEEKDAY_CHOICES)}"
    try:
        # Hours are checked even when the day is wrong, so every problem is named at once.
        window = TimeWindow.parse(weekday if "weekday" not in errors else "mon", from_hour, to_hour)
    except ValueError as exc:
        message = str(exc)
        field = next((f for f in ("from_hour", "to_hour") if f in message), "from_hour")
        errors[field] = message
    stops_raw = args.get("stops") or "5"
    if not (stops_raw.isascii() and stops_raw.isdigit()) or not 1 <= int(stops_raw) <= MAX_STOPS:
        errors["stops"] = f"'stops' should be a whole number from 1 to {MAX_STOPS}"
    data_args = {k: v for k, v in args.items() if k in ("from", "to", "category")}
    data_args["kind"] = "unsafe"
    try:
        data = parse_staff_filter(data_args)
    except FilterRejected as exc:
        errors.update(exc.errors)
        data = None
    if errors:
        raise FilterRejected(errors)
    return PatrolRequest(
        weekday, int(from_hour), int(to_hour) % 24 or 24, int(stops_raw), window, data
    )


def make_plan(patrol: PatrolRequest) -> PatrolPlan:
    """The plan for a request, reused while no concern has changed."""

    def compute() -> PatrolPlan:
        frame = active_reports(staff_frame(get_session(), patrol.data))
        return plan_patrol(
            frame,
            patrol.window,
            stops=patrol.stops,
            start=current_app.config["PATROL_START"],
            mask_cells=study_area(),
        )

    return cached("patrol", (patrol.window, patrol.stops, patrol.data), compute)


def _route(plan: PatrolPlan) -> list[dict]:
    english = page_language() == "en"
    return [
        {
            "visit": visit,
            "lat": stop.lat,
            "lon": stop.lon,
            "label": f"{visit}. {stop.why_en if english else stop.why_sv}",
        }
        for visit, stop in enumerate(plan.route, start=1)
    ]


def _page(template: str, patrol: PatrolRequest | None, errors: dict, status: int = 200, **extra):
    english = page_language() == "en"
    plan = make_plan(patrol) if patrol else None
    layer = current_layer()
    route = _route(plan) if plan else []
    context = {
        "patrol": patrol,
        "plan": plan,
        "route": route,
        "errors": errors,
        "choices": WEEKDAY_CHOICES,
        "categories": category_labels(),
        "english": english,
        "log": patrol_log(get_session(), limit=50),
        "today": datetime.now(LOCAL_ZONE).date(),
        "query": patrol.as_query() if patrol else {},
    }
    if plan is not None and template == "staff/patrol.html":
        fmap = patrol_map(
            layer.areas,
            layer.outline,
            route=route,
            start=plan.start,
            start_label=_("Start"),
            settings=map_settings(),
            aria_label=_("Karta med patrullplanens stopp och rutt"),
        )
        context["map_parts"] = render_parts(fmap)
    if plan is not None and template == "staff/patrol_print.html":
        context["svg"] = patrol_svg(
            layer.areas, route=route, start=plan.start, title=_("Patrullplanens rutt")
        )
    context.update(extra)
    return render_template(template, **context), status


@bp.get("/personal/patrull")
@requires("aggregates")
def page():
    """Choose a window and a number of stops; see the stops, the reasons and the route."""
    try:
        patrol = parse_patrol_request(request.args)
        return _page("staff/patrol.html", patrol, {})
    except FilterRejected as exc:
        return _page("staff/patrol.html", None, exc.errors, 422)


@bp.get("/personal/patrull/utskrift")
@requires("aggregates")
def print_view():
    """The plan on one A4 sheet, readable in black and white, with a small map."""
    try:
        patrol = parse_patrol_request(request.args)
    except FilterRejected as exc:
        return _page("staff/patrol.html", None, exc.errors, 422)
    return _page("staff/patrol_print.html", patrol, {})


def _slug(patrol: PatrolRequest) -> str:
    return f"patrullplan-{patrol.weekday}-{patrol.from_hour:02d}-{patrol.to_hour % 24:02d}"


def _plan_or_refusal():
    """(request, plan, None) for good parameters, else (None, None, the 422 answer)."""
    try:
        patrol = parse_patrol_request(request.args)
    except FilterRejected as exc:
        return None, None, api_error(422, exc.errors)
    return patrol, make_plan(patrol), None


@bp.get("/personal/patrull.gpx")
@requires("aggregates")
def gpx():
    """The plan as GPX 1.1: waypoints and a route, for a navigation app."""
    patrol, plan, refusal = _plan_or_refusal()
    if refusal:
        return refusal
    body = to_gpx(plan, name=_("Patrullplan"), lang=page_language())
    return attachment(body, "application/gpx+xml", _slug(patrol) + ".gpx")


@bp.get("/personal/patrull.geojson")
@requires("aggregates")
def geojson():
    """The plan as GeoJSON: the stops and the route."""
    patrol, plan, refusal = _plan_or_refusal()
    if refusal:
        return refusal
    body = json.dumps(to_geojson(plan), ensure_ascii=False)
    return attachment(body, "application/geo+json", _slug(patrol) + ".geojson")


@bp.post("/personal/patrull/logg")
@requires("plan")  # bra (council members) read the log; they do not write it
def log_patrol():
    """Record that a plan was carried out: date, stops visited, a short note."""
    try:
        patrol = parse_patrol_request(request.form)
    except FilterRejected as exc:
        return _page("staff/patrol.html", None, exc.errors, 422)
    try:
        record_patrol(
            get_session(),
            carried_out_on=request.form.get("carried_out_on", ""),
            window=patrol.window.describe("sv"),
            cells=request.form.getlist("cells"),
            note=request.form.get("note"),
            author=current_user.name,
            today=datetime.now(LOCAL_ZONE).date(),
        )
    except PatrolLogError as exc:
        return _page("staff/patrol.html", patrol, {}, 422, log_errors=exc.errors)
    return redirect(url_for("patrol.page", **patrol.as_query(), logged=1), 303)


@bp.get("/personal/patrull/logg.csv")
@requires("aggregates")
def log_csv():
    """The patrol log as CSV, so the council can set patrol effort against concerns."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["carried_out_on", "time_window", "stops", "cells", "note", "author"])
    for entry in patrol_log(get_session()):
        cells = entry.cells.split(",")
        writer.writerow(
            [
                csv_safe(v)
                for v in (
                    entry.carried_out_on.isoformat(),
                    entry.time_window,
                    len(cells),
                    " ".join(cells),
                    entry.note,
                    entry.author,
                )
            ]
        )
    return attachment(out.getvalue(), "text/csv", "patrullogg.csv")


@bp.get("/api/v1/patrol-plan")
@requires("aggregates")
def api_plan():
    """The plan as JSON (SPEC §8): stops with rank, position, cell, count, categories."""
    _patrol, plan, refusal = _plan_or_refusal()
    if refusal:
        return refusal
    return jsonify(plan.to_dict() | {"visit_order": [stop.rank for stop in plan.route]})
