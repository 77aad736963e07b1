"""The period report (lägesbild) for the council: page, PDF, and its tables as CSV/GeoJSON."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from shapely.geometry import mapping

from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.core.reporting.exports import areas_geojson, hotspots_geojson, tables_as_csv
from geoservice.core.reporting.pdf_report import render_pdf
from geoservice.core.reporting.period_report import PeriodReport, build_period_report
from geoservice.i18n import page_language
from geoservice.maps.base import render_parts
from geoservice.maps.choropleth import class_breaks
from geoservice.maps.hotspot_map import hex_features, hotspot_map
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.moderation import staff_frame
from geoservice.store.places.gazetteer import current_gazetteer
from geoservice.store.promises import activities, promises, split_list
from geoservice.web.access import audit, requires
from geoservice.web.analysis import study_area
from geoservice.web.errors import api_error, attachment
from geoservice.web.insight import FilterRejected
from geoservice.web.promise import activity_followup, followup_text, labels
from geoservice.web.public import map_settings
from geoservice.web.staff_filter import StaffFilter
from geoservice.web.staff_maps import layer_names

bp = Blueprint("report", __name__, url_prefix="/personal")
MAX_DAYS = 3 * 366


def parse_period(args) -> tuple[date, date]:
    """``from`` and ``to`` as local days (default: the last 90 days); raise FilterRejected."""
    today = datetime.now(LOCAL_ZONE).date()
    errors: dict[str, str] = {}

    def day(name: str, default: date) -> date:
        raw = args.get(name)
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = f"'{name}' should be a date written YYYY-MM-DD, got {raw[:20]!r}"
            return default

    start = day("from", today - timedelta(days=90))
    end = day("to", today - timedelta(days=1))
    if not errors and end < start:
        errors["to"] = "'to' should not be before 'from'"
    if not errors and (end - start).days > MAX_DAYS:
        errors["to"] = "the period may be at most three years"
    if errors:
        raise FilterRejected(errors)
    return start, end


def _activities(start: date, end: date) -> list[dict]:
    """The action plan's activities running in the period, with their follow-up sentence."""
    db = get_session()
    names = labels()
    rows = []
    for promise in promises(db, published_only=False):
        for activity in activities(db, promise.id):
            if activity.start_on > end or (activity.end_on and activity.end_on < start):
                continue
            result = activity_followup(activity)
            rows.append(
                {
                    "title": activity.title,
                    "responsible": activity.responsible,
                    "status": activity.status,
                    "area_names": [names["areas"].get(a, a) for a in split_list(activity.area_ids)],
                    "start_on": activity.start_on,
                    "end_on": activity.end_on,
                    "followup_sv": followup_text(result, k=None) if page_language() == "sv" else "",
                    "followup_en": followup_text(result, k=None) if page_language() == "en" else "",
                }
            )
    return rows


def _source() -> str:
    """Issue 18: ``?source=partners|both`` adds partners' events; residents only by default."""
    from geoservice.core.categories import EVENT_SOURCES

    asked = request.args.get("source", "residents")
    return asked if asked in EVENT_SOURCES else "residents"


def build_report(start: date, end: date) -> PeriodReport:
    """The report for the period as the current staff member may read it."""
    include = current_user.can("exact")
    previous_start = start - (end - start) - timedelta(days=1)
    window = StaffFilter(start=previous_start, end=end, source=_source())
    frame = staff_frame(get_session(), window, with_suggestions=include)
    if not include:
        frame["suggestion"] = None
    report = build_period_report(
        frame,
        current_layer().areas,
        start=start,
        end=end,
        study_cells=study_area(),
        activities=_activities(start, end),
        include_suggestions=include,
        k=current_app.config["K_ANONYMITY"],
        lang=page_language(),
        places=current_gazetteer(get_session()),
    )
    if include:
        n = sum(len(v) for v in (report.suggestions or {}).values())
        audit("view_free_text", rows=n, target="report.period_report")
    return report


def _period_or_422():
    try:
        return parse_period(request.args), None
    except FilterRejected as exc:
        return None, exc.errors


@bp.get("/rapport")
@requires("aggregates")
def period_report():
    """The lägesbild for a period: figures, hotspot map, accuracy, suggestions, action plan."""
    period, errors = _period_or_422()
    if errors:
        return render_template("staff/report_period.html", report=None, errors=errors), 422
    report = build_report(*period)
    layer = current_layer()
    records = [
        {
            "cell": row.cell,
            "count": row.count,
            "gi_z": row.gi_z,
            "gi_p": None,
            "hotspot_class": row.hotspot_class,
            "label": f"{row.place or row.area_name}: {row.count}",
        }
        for row in report.hotspots.cells.itertuples()
    ]
    rates = {row.area_id: row.rate_per_1000 for row in report.areas.itertuples()}
    legend = class_breaks(list(rates.values()))
    fmap = hotspot_map(
        layer.areas,
        layer.outline,
        layers={"hotspots", "areas"},
        hexes=hex_features(records),
        zones={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": mapping(z.geometry),
                    "properties": {"label": f"{z.rank}. {z.name(page_language())}", "rank": z.rank},
                }
                for z in report.hotspots.zones
            ],
        },
        density_image=None,
        density_bounds=None,
        points=None,
        area_values=rates,
        area_legend=legend,
        area_tooltips={row.area_id: row.name for row in report.areas.itertuples()},
        layer_names=layer_names(),
        settings=map_settings(),
        aria_label=_("Karta över hotspots och områden under perioden"),
    )
    return render_template(
        "staff/report_period.html",
        report=report,
        errors={},
        map_parts=render_parts(fmap),
        query={"from": report.start.isoformat(), "to": report.end.isoformat()},
        names=labels(),
    )


@bp.get("/rapport.pdf")
@requires("aggregates")
def period_report_pdf():
    """The lägesbild as an A4 PDF."""
    period, errors = _period_or_422()
    if errors:
        return api_error(422, errors)
    report = build_report(*period)
    body = render_pdf(report, current_layer().areas, lang=page_language())
    return attachment(body, "application/pdf", f"lagesbild-{report.start}-{report.end}.pdf")


@bp.get("/rapport/<table>.csv")
@requires("aggregates")
def period_report_csv(table: str):
    """One of the report's tables as CSV (areas, categories, time_bands, band_week, accuracy)."""
    period, errors = _period_or_422()
    if errors:
        return api_error(422, errors)
    tables = tables_as_csv(build_report(*period))
    if table not in tables:
        abort(404)
    return attachment(
        "\ufeff" + tables[table], "text/csv", f"lagesbild-{table}-{period[0]}-{period[1]}.csv"
    )


@bp.get("/rapport/<layer>.geojson")
@requires("aggregates")
def period_report_geojson(layer: str):
    """The report's areas (with figures) or hotspot cells as GeoJSON."""
    period, errors = _period_or_422()
    if errors:
        return api_error(422, errors)
    report = build_report(*period)
    if layer == "omraden":
        document = areas_geojson(report, current_layer().areas)
    elif layer == "hotspots":
        document = hotspots_geojson(report)
    else:
        abort(404)
    return attachment(
        json.dumps(document, ensure_ascii=False, default=str),
        "application/geo+json",
        f"lagesbild-{layer}-{period[0]}-{period[1]}.geojson",
    )
