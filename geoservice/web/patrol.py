"""Patrol planning for a time window: page, print view, GPX/GeoJSON, log and API."""

from __future__ import annotations

import calendar
import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
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
from geoservice.core.patrol.plan import PatrolPlan, plan_patrol, window_evidence
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.core.reporting.exports import csv_safe
from geoservice.i18n import category_labels, page_language
from geoservice.maps.base import render_parts
from geoservice.maps.patrol_map import patrol_map, patrol_svg
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.moderation import staff_frame
from geoservice.store.patrol_log import PatrolLogError, patrol_log, record_patrol
from geoservice.store.places.gazetteer import current_gazetteer
from geoservice.web.access import requires
from geoservice.web.analysis import study_area
from geoservice.web.cache import cached
from geoservice.web.errors import api_error, attachment
from geoservice.web.form_messages import patrol_log_messages
from geoservice.web.insight import FilterRejected
from geoservice.web.public import map_settings
from geoservice.web.staff_filter import StaffFilter, parse_staff_filter, read_day

bp = Blueprint("patrol", __name__)
WEEKDAY_CHOICES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "weekend", "weekdays")
LOOKBACK_CHOICES = (3, 6, 12, 18, 24, 36)
MAX_STOPS = 12


@dataclass(frozen=True)
class PatrolRequest:
    """A checked request for a plan: window, number of stops and the data's look-back."""

    weekday: str
    from_hour: int
    to_hour: int
    stops: int
    window: TimeWindow
    data: StaffFilter
    months: int | None = 12  # None: an explicit from–to period was asked for

    def as_query(self) -> dict[str, str]:
        query = {
            "weekday": self.weekday,
            "from_hour": str(self.from_hour),
            "to_hour": str(self.to_hour % 24),
            "stops": str(self.stops),
        }
        if self.months is None:
            query.update({k: v for k, v in self.data.as_query().items() if k in ("from", "to")})
        else:
            query["months"] = str(self.months)
        if self.data.category:
            query["category"] = self.data.category
        return query

    def lookback(self) -> tuple[str, str]:
        """The look-back in words: ("senaste 12 mån", "last 12 months") or the dates."""
        if self.months is None:
            span = f"{self.data.start.isoformat()} – {self.data.end.isoformat()}"
            return f"{span}", f"period {span}"
        return f"senaste {self.months} mån", f"last {self.months} months"


def months_back(today: date, months: int) -> date:
    """The day ``months`` calendar months before ``today`` (clamped to the month's end)."""
    month = today.month - 1 - months
    year = today.year + month // 12
    month = month % 12 + 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) + timedelta(days=1)


def parse_patrol_request(args, *, default_months: int = 12, today: date | None = None):
    """Read ``weekday, from_hour, to_hour, stops, months`` (or ``from, to``) and ``category``.

    Raises FilterRejected naming each bad parameter.
    """
    today = today or datetime.now(LOCAL_ZONE).date()
    errors: dict[str, str] = {}
    weekday = (args.get("weekday") or "weekend").strip().lower()
    from_hour = (args.get("from_hour") or "20").strip()
    to_hour = (args.get("to_hour") or "2").strip()
    window = None
    if weekday not in WEEKDAY_CHOICES:
        errors["weekday"] = f"'weekday' should be one of {', '.join(WEEKDAY_CHOICES)}"
    for name, raw, high in (("from_hour", from_hour, 23), ("to_hour", to_hour, 24)):
        if not (raw.isascii() and raw.isdigit()) or not 0 <= int(raw) <= high:
            errors[name] = f"'{name}' should be a whole hour 0–{high}, got {raw[:10]!r}"
    if not errors.keys() & {"from_hour", "to_hour"}:
        try:
            window = TimeWindow.parse(
                weekday if "weekday" not in errors else "mon", int(from_hour), int(to_hour)
            )
        except ValueError as exc:
            errors["to_hour"] = str(exc)
    stops_raw = (args.get("stops") or "5").strip()
    if not (stops_raw.isascii() and stops_raw.isdigit()) or not 1 <= int(stops_raw) <= MAX_STOPS:
        errors["stops"] = f"'stops' should be a whole number from 1 to {MAX_STOPS}"
    months: int | None = default_months
    explicit = bool(args.get("from") or args.get("to"))
    if explicit:
        months = None
        data_args = {k: v for k, v in args.items() if k in ("from", "to", "category")}
    else:
        months_raw = (args.get("months") or str(default_months)).strip()
        if not (months_raw.isascii() and months_raw.isdigit()) or not 1 <= int(months_raw) <= 60:
            errors["months"] = "'months' should be a whole number of months from 1 to 60"
        else:
            months = int(months_raw)
        data_args = {
            "from": months_back(today, months or default_months).isoformat(),
            "to": today.isoformat(),
            "category": args.get("category") or "",
        }
    data_args["kind"] = "unsafe"
    try:
        data = parse_staff_filter(data_args, today=today)
    except FilterRejected as exc:
        errors.update(exc.errors)
        data = None
    if errors:
        raise FilterRejected(errors)
    return PatrolRequest(
        weekday, int(from_hour), int(to_hour) % 24 or 24, int(stops_raw), window, data, months
    )


def patrol_form_messages(errors: dict[str, str]) -> dict[str, str]:
    """The form's problems in plain Swedish, each naming the field as the form does."""
    date_hint = _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-11-30.")
    plain = {
        "weekday": (_("Dag"), _("Välj en dag eller helg eller vardagar i listan.")),
        "from_hour": (_("Från klockan"), _("Skriv en hel timme från 0 till 23, till exempel 20.")),
        "to_hour": (
            _("Till klockan"),
            _("Skriv en hel timme från 0 till 24, till exempel 2 (över midnatt går bra)."),
        ),
        "stops": (_("Antal stopp"), _("Skriv ett antal från 1 till %(n)s.", n=MAX_STOPS)),
        "months": (_("Titta tillbaka"), _("Välj hur många månader bakåt i listan.")),
        "from": (_("Synpunkter från"), date_hint),
        "to": (_("till och med"), date_hint),
        "category": (_("Kategori"), _("Välj en kategori i listan.")),
    }
    out = {}
    for field, message in errors.items():
        label, hint = plain.get(field, (field, message))
        if field == "to_hour" and "empty" in message:
            hint = _(
                "Från och till klockan är samma timme: fönstret blir tomt. "
                "Välj 0 och 24 för hela dygnet."
            )
        elif field == "to" and "before" in message:
            hint = _("Till och med får inte vara före Synpunkter från.")
        out[field] = f"{label}: {hint}"
    return out


def _default_months() -> int:
    return int(current_app.config.get("PATROL_LOOKBACK_MONTHS", 12))


def _parse(args) -> PatrolRequest:
    return parse_patrol_request(args, default_months=_default_months())


def make_plan(patrol: PatrolRequest) -> PatrolPlan:
    """The plan for a request, reused while no concern has changed."""

    def compute() -> PatrolPlan:
        session = get_session()
        frame = active_reports(staff_frame(session, patrol.data))
        return plan_patrol(
            frame,
            patrol.window,
            stops=patrol.stops,
            start=current_app.config["PATROL_START"],
            mask_cells=study_area(patrol.data.start_utc),
            places=current_gazetteer(session),
            min_voices=int(current_app.config["K_ANONYMITY"]),
            lookback=patrol.lookback(),
        )

    return cached("patrol", (patrol.window, patrol.stops, patrol.data, patrol.months), compute)


def wider_windows(patrol: PatrolRequest) -> list[dict]:
    """Wider windows that would hold enough data to test for hotspots, narrowest first."""

    def compute() -> list[dict]:
        today = patrol.data.end
        widest = parse_patrol_request(
            {**patrol.as_query(), "months": "36", "from": "", "to": ""}, today=today
        )
        frame = active_reports(staff_frame(get_session(), widest.data))
        mask = study_area(widest.data.start_utc)
        options = []
        whole_week = "weekend" if patrol.weekday == "weekdays" else patrol.weekday
        candidates = [
            {"months": str(m)} for m in (18, 24, 36) if patrol.months is None or m > patrol.months
        ] + [
            {"weekday": "weekdays" if whole_week == "weekend" else "weekend"},
            {"from_hour": "0", "to_hour": "0"},
        ]
        for change in candidates:
            query = {**patrol.as_query(), **change}
            if "months" in change:
                query.pop("from", None)
                query.pop("to", None)
            try:
                option = parse_patrol_request(query, today=today)
            except FilterRejected:
                continue
            start = pd.Timestamp(option.data.start_utc)
            rows = frame.loc[frame["created_at"] >= start]
            evidence = window_evidence(rows, option.window, mask_cells=mask)
            options.append(
                {
                    "query": option.as_query(),
                    "window_sv": option.window.describe("sv"),
                    "window_en": option.window.describe("en"),
                    "lookback_sv": option.lookback()[0],
                    "lookback_en": option.lookback()[1],
                    "n": evidence.n_voices,
                    "cells": evidence.n_cells,
                    "enough": evidence.enough,
                }
            )
        return options

    return cached("patrol_wider", (patrol.window, patrol.data, patrol.months), compute)


def _route(plan: PatrolPlan) -> list[dict]:
    english = page_language() == "en"
    return [
        {
            "visit": visit,
            "lat": stop.lat,
            "lon": stop.lon,
            "label": f"{visit}. {stop.place('en' if english else 'sv')}",
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
        "errors": patrol_form_messages(errors),
        "choices": WEEKDAY_CHOICES,
        "lookbacks": LOOKBACK_CHOICES,
        "default_months": _default_months(),
        "categories": category_labels(),
        "english": english,
        "log": patrol_log(get_session(), limit=50),
        "today": datetime.now(LOCAL_ZONE).date(),
        "query": patrol.as_query() if patrol else request.args.to_dict(),
        "wider": [],
    }
    if plan is not None and not plan.significant_data and plan.stops is not None:
        context["wider"] = wider_windows(patrol)
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
        gazetteer = current_gazetteer(get_session())
        context["svg"] = patrol_svg(
            layer.areas,
            route=route,
            start=plan.start,
            title=_("Patrullplanens rutt"),
            places=gazetteer.places,
        )
        if map_settings().tile_url:
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
    context.update(extra)
    return render_template(template, **context), status


@bp.get("/personal/patrull")
@requires("aggregates")
def page():
    """Choose a window and a number of stops; see the stops, the reasons and the route."""
    try:
        patrol = _parse(request.args)
        return _page("staff/patrol.html", patrol, {})
    except FilterRejected as exc:
        return _page("staff/patrol.html", None, exc.errors, 422)


@bp.get("/personal/patrull/utskrift")
@requires("aggregates")
def print_view():
    """The plan on one A4 sheet, readable in black and white, with a small map."""
    try:
        patrol = _parse(request.args)
    except FilterRejected as exc:
        return _page("staff/patrol.html", None, exc.errors, 422)
    return _page("staff/patrol_print.html", patrol, {})


def _slug(patrol: PatrolRequest) -> str:
    return f"patrullplan-{patrol.weekday}-{patrol.from_hour:02d}-{patrol.to_hour % 24:02d}"


def _plan_or_refusal():
    """(request, plan, None) for good parameters, else (None, None, the 422 answer)."""
    try:
        patrol = _parse(request.args)
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


def _typed_day(raw: str) -> str:
    """The date field's day, also when typed by hand (``30/11/2026``); else as given."""
    try:
        return read_day(raw).isoformat()
    except ValueError:
        return raw


@bp.post("/personal/patrull/logg")
@requires("plan")  # bra (council members) read the log; they do not write it
def log_patrol():
    """Record that a plan was carried out: date, stops visited, a short note."""
    try:
        patrol = _parse(request.form)
    except FilterRejected as exc:
        return _page("staff/patrol.html", None, exc.errors, 422)
    try:
        record_patrol(
            get_session(),
            carried_out_on=_typed_day(request.form.get("carried_out_on", "")),
            window=patrol.window.describe("sv"),
            cells=request.form.getlist("cells"),
            note=request.form.get("note"),
            author=current_user.name,
            today=datetime.now(LOCAL_ZONE).date(),
        )
    except PatrolLogError as exc:
        return _page(
            "staff/patrol.html", patrol, {}, 422, log_errors=patrol_log_messages(exc.errors)
        )
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
