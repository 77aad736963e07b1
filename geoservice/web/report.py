"""The period report (lägesbild) for the council: page, PDF, and its tables as CSV/GeoJSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from shapely.geometry import mapping

from geoservice.core.analysis.emerging import CLASSES
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.core.reporting.charts import Chart
from geoservice.core.reporting.exports import areas_geojson, hotspots_geojson, tables_as_csv
from geoservice.core.reporting.narrative import (
    analysis_sentences,
    missing_notes,
    sources_and_limits,
)
from geoservice.core.reporting.pdf_report import render_pdf
from geoservice.core.reporting.period_report import PeriodReport, build_period_report
from geoservice.core.reporting.report_charts import WEEK_PART_LABELS, report_charts
from geoservice.core.reporting.timeseries import SEASONS, ZoneInput, year_before
from geoservice.i18n import page_language
from geoservice.labels import event_source_labels
from geoservice.maps.base import render_parts
from geoservice.maps.choropleth import class_breaks
from geoservice.maps.hotspot_map import hex_features, hotspot_map
from geoservice.store.areas import current_layer
from geoservice.store.council.coverage import first_concern_day
from geoservice.store.council.figures import figures
from geoservice.store.council.quotes import hidden_quote_ids
from geoservice.store.db import get_session
from geoservice.store.moderation import staff_frame
from geoservice.store.places.gazetteer import current_gazetteer
from geoservice.store.promises import activities, promises, split_list
from geoservice.web.access import audit, requires
from geoservice.web.analysis import hotspot_answer, study_area
from geoservice.web.cache import cached
from geoservice.web.errors import api_error, attachment
from geoservice.web.insight import FilterRejected
from geoservice.web.promise import activity_followup, followup_text, labels
from geoservice.web.public import map_settings
from geoservice.web.staff_filter import StaffFilter, read_filter_day
from geoservice.web.staff_maps import layer_names

bp = Blueprint("report", __name__, url_prefix="/personal")
MAX_DAYS = 3 * 366
SERIES_MONTHS = 24


def parse_period(args) -> tuple[date, date]:
    """``from`` and ``to`` as local days (default: the last 90 days); raise FilterRejected.

    Messages name each field as the form does, in the page's language.
    """
    today = datetime.now(LOCAL_ZONE).date()
    errors: dict[str, str] = {}
    start = read_filter_day(args.get("from"), today - timedelta(days=90), "from", errors)
    end = read_filter_day(args.get("to"), today - timedelta(days=1), "to", errors)
    if not errors and end < start:
        errors["to"] = _("Till och med: välj en dag samma som eller efter Från.")
    if not errors and (end - start).days > MAX_DAYS:
        errors["to"] = _("Till och med: välj en period på högst tre år.")
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


def _trend_zones(end: date, lang: str) -> list[ZoneInput]:
    """The hot zones of the look-back (24 months to ``end``), named by the gazetteer."""
    look_back = (pd.Period(end, freq="M") - (SERIES_MONTHS - 1)).start_time.date()
    answer = hotspot_answer(StaffFilter(start=look_back, end=end))
    return [
        ZoneInput(
            zone.id,
            zone.name(lang),
            np.array([h3.str_to_int(c) for c in zone.cells], dtype=np.uint64),
        )
        for zone in answer.zones
    ]


def _map_places(session) -> gpd.GeoDataFrame:
    """Named places for the printed maps: the gazetteer in force, streets left out."""
    places = current_gazetteer(session).places
    return places.loc[~places["kind"].isin(("street", "road"))]


def _window_start(start: date, end: date) -> date:
    """First day whose concerns the report needs: previous period, a year back, 24 months."""
    previous_start = start - (end - start) - timedelta(days=1)
    months_back = (pd.Period(end, freq="M") - (SERIES_MONTHS - 1)).start_time.date()
    return min(previous_start, year_before(start), months_back)


@dataclass(frozen=True, eq=False)
class BuiltReport:
    """A report with what its page and PDF draw from it."""

    report: PeriodReport
    zones: list[ZoneInput]
    charts: dict[str, Chart]


def _source() -> str:
    """``?source=partners|both`` adds partners' events; residents only by default."""
    from geoservice.core.categories import EVENT_SOURCES

    asked = request.args.get("source", "residents")
    return asked if asked in EVENT_SOURCES else "residents"


def build_report(start: date, end: date) -> BuiltReport:
    """The report for the period as staff read it, its zones and charts.

    Every staff role gets the suggestions as themes with masked quotes (never with a
    point or a time); reading them is audited like any view of free text. The result is
    reused while no concern, quote, figure or activity changed (concern changes and hidden
    quotes move the data version; figures and activities are part of the key).
    """
    db = get_session()
    activity_rows = _activities(start, end)
    figure_rows = [_figure_dict(f) for f in figures(db)]
    lang = page_language()
    source = _source()
    key = (start, end, lang, source, json.dumps([activity_rows, figure_rows], default=str))

    def compute() -> BuiltReport:
        window = StaffFilter(start=_window_start(start, end), end=end, source=source)
        frame = staff_frame(db, window, with_suggestions=True)
        text = frame["suggestion"].fillna("").astype(str).str.strip()
        hidden = hidden_quote_ids(db, frame.loc[text != "", "id"].tolist())
        layer = current_layer()
        zones = _trend_zones(end, lang)
        report = build_period_report(
            frame,
            layer.areas,
            start=start,
            end=end,
            study_cells=study_area(),
            activities=activity_rows,
            include_suggestions=True,
            k=current_app.config["K_ANONYMITY"],
            lang=lang,
            zones=zones,
            figures=figure_rows,
            hidden_quotes=sorted(hidden),
            first_concern=first_concern_day(db),
            months=SERIES_MONTHS,
            places=current_gazetteer(db),
        )
        charts = report_charts(report, layer.areas, lang=lang, places=_map_places(db), zones=zones)
        for chart in charts.values():
            chart.svg()  # drawn once here and kept with the report
        return BuiltReport(report, zones, charts)

    built = cached("period_report", key, compute)
    report = built.report
    quoted = sum(len(t.quotes) for themes in report.themes.values() for t in themes)
    if quoted:
        audit("view_free_text", rows=quoted, target="report.period_report")
    return built


def _figure_dict(figure) -> dict:
    return {
        "id": figure.id,
        "measure": figure.measure,
        "year": figure.year,
        "value": figure.value,
        "unit": figure.unit,
        "source": figure.source,
        "note": figure.note,
    }


def _period_or_422():
    try:
        return parse_period(request.args), None
    except FilterRejected as exc:
        return None, exc.errors


def _svg(chart) -> Markup:
    """The chart's SVG for inline use, named for screen readers by its text alternative."""
    label = escape(chart.alt)
    return Markup(chart.svg().replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def _page(built: BuiltReport, *, figure_errors=None, figure_form=None, status=200):
    report, charts = built.report, built.charts
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
    lang = page_language()
    names = dict(zip(report.areas["area_id"], report.areas["name"], strict=True))
    return render_template(
        "staff/report_period.html",
        report=report,
        errors={},
        map_parts=render_parts(fmap),
        charts={key: {"svg": _svg(c), "alt": c.alt} for key, c in charts.items()},
        query={"from": report.start.isoformat(), "to": report.end.isoformat()}
        | ({"source": _source()} if _source() != "residents" else {}),
        source_labels=event_source_labels(),
        names=labels(),
        area_names=names,
        year_areas={r["code"]: r for r in report.year.areas.to_dict("records")},
        year_categories={r["code"]: r for r in report.year.categories.to_dict("records")},
        missing=missing_notes(report, lang),
        analysis=analysis_sentences(report, names, lang),
        sources=sources_and_limits(report, lang),
        trend_classes={code: pair[0 if lang != "en" else 1] for code, pair in CLASSES.items()},
        seasons={code: pair[0 if lang != "en" else 1] for code, pair in SEASONS.items()},
        week_parts={c: pair[0 if lang != "en" else 1] for c, pair in WEEK_PART_LABELS.items()},
        figure_errors=figure_errors or {},
        figure_form=figure_form or {},
        can_edit=current_user.can("plan"),
        can_moderate=current_user.can("moderate"),
    ), status


@bp.get("/rapport")
@requires("aggregates")
def period_report():
    """The lägesbild for a period in the law's structure: mapping, other information, analysis."""
    period, errors = _period_or_422()
    if errors:
        return (
            render_template(
                "staff/report_period.html",
                report=None,
                errors=errors,
                source_labels=event_source_labels(),
            ),
            422,
        )
    return _page(build_report(*period))


@bp.get("/rapport.pdf")
@requires("aggregates")
def period_report_pdf():
    """The lägesbild as an A4 PDF."""
    period, errors = _period_or_422()
    if errors:
        return api_error(422, errors)
    built = build_report(*period)
    report = built.report
    body = render_pdf(report, current_layer().areas, lang=page_language(), charts=built.charts)
    return attachment(body, "application/pdf", f"lagesbild-{report.start}-{report.end}.pdf")


@bp.get("/rapport/<table>.csv")
@requires("aggregates")
def period_report_csv(table: str):
    """One of the report's tables as CSV (see core.reporting.exports.CSV_TABLES)."""
    period, errors = _period_or_422()
    if errors:
        return api_error(422, errors)
    tables = tables_as_csv(build_report(*period).report)
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
    report = build_report(*period).report
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
