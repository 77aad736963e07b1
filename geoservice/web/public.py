"""The resident's pages: mark a place, get a receipt, check or erase the concern."""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from geoservice.core.intake.validation import AGE_BANDS, ROLES, ReportRejected, describe
from geoservice.i18n import band_labels, category_labels, page_language
from geoservice.maps.base import MapSettings, render_parts
from geoservice.maps.choropleth import choropleth_map, class_breaks, mix_popup
from geoservice.maps.report_map import PinTexts, report_map
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.demo import has_demo_reports
from geoservice.store.reports import (
    IdempotencyConflict,
    erase_by_receipt,
    find_by_receipt,
    normalise_receipt,
)
from geoservice.web.insight import (
    FilterRejected,
    month_choices,
    parse_public_filter,
    public_areas,
)
from geoservice.web.submission import limit_submissions, submit_report

bp = Blueprint("public", __name__)


@bp.app_context_processor
def demo_banner() -> dict:
    """Every page says so while synthetic demo concerns are stored."""
    try:
        return {"demo_banner": has_demo_reports(get_session())}
    except SQLAlchemyError:
        # An error page must still render when the database is the problem.
        return {"demo_banner": False}


def vendor_url(package: str, filename: str) -> str:
    """URL of a vendored JS/CSS file served by the app."""
    return url_for("assets.vendor", package=package, filename=filename)


def map_settings() -> MapSettings:
    """Tiles from the configuration, JS/CSS from the app itself."""
    return MapSettings(
        tile_url=current_app.config["TILE_URL"],
        tile_attribution=current_app.config["TILE_ATTRIBUTION"],
        asset_url=vendor_url,
    )


def _form_options() -> dict:
    return {
        "categories": list(category_labels().items()),
        "areas": current_layer().choices(),
        "roles": list(ROLES),
        "age_bands": list(AGE_BANDS),
    }


def _resident_map():
    layer = current_layer()
    fmap = report_map(
        layer.areas,
        layer.outline,
        texts=PinTexts(
            placed=_("Plats markerad i %(area)s.", area="%(area)s"),
            placed_plain=_("Plats markerad."),
            outside=_("Platsen ligger utanför Melleruds kommun. Markera en plats i kommunen."),
            located=_("Din position är markerad."),
            no_location=_("Din position kunde inte hämtas. Markera platsen på kartan i stället."),
        ),
        settings=map_settings(),
        aria_label=_("Karta över Melleruds kommun. Klicka för att markera en plats."),
    )
    return render_parts(fmap)


def _render_form(values: dict, errors: dict[str, str], status: int = 200):
    if not values.get("idempotency_key"):
        values["idempotency_key"] = str(uuid.uuid4())
    return (
        render_template(
            "public/index.html",
            values=values,
            errors=errors,
            options=_form_options(),
            map_parts=_resident_map(),
            approximate=current_layer().approximate,
        ),
        status,
    )


@bp.get("/")
def index():
    """Show the map and the form for marking a place."""
    return _render_form({"kind": "unsafe", "weekend": "unknown"}, {})


@bp.post("/")
@limit_submissions
def submit():
    """Store the form's concern, or show the form again with each problem by its field."""
    values = request.form.to_dict()
    try:
        submitted = submit_report(values, from_form=True, source="web")
    except ReportRejected as exc:
        errors = exc.messages(page_language())
        # A point's problems belong to the place question as a whole.
        for field in ("lat", "lon", "area_id"):
            if field in errors:
                errors["place"] = errors.pop(field)
        return _render_form(values, errors, 422)
    except IdempotencyConflict:
        values["idempotency_key"] = ""
        return _render_form(values, {"form": describe("idempotency_key", page_language())}, 409)
    receipt = submitted.stored.report.receipt
    return redirect(url_for("public.receipt", receipt=receipt, new=1), 303)


@bp.get("/kvitto")
def receipt_lookup():
    """Let a resident type a receipt code to find their concern."""
    code = request.args.get("kod", "").strip()
    if code:
        canonical = normalise_receipt(code)
        if canonical and find_by_receipt(get_session(), canonical):
            return redirect(url_for("public.receipt", receipt=canonical), 303)
        return render_template(
            "public/lookup.html", code=code, error=_("Ingen synpunkt har den kvittokoden.")
        ), 404
    return render_template("public/lookup.html", code="", error=None)


def _receipt_page(receipt: str, *, is_new: bool = False, erase_error: str | None = None):
    """The holder's view of their concern; 404 for an unknown code."""
    report = find_by_receipt(get_session(), receipt)
    if report is None:
        abort(404)
    return render_template(
        "public/receipt.html",
        report=report,
        area_name=current_layer().name(report.area_id),
        is_new=is_new,
        category_labels=category_labels(),
        erase_error=erase_error,
    )


@bp.get("/kvitto/<receipt>")
def receipt(receipt: str):
    """Show the concern's status to the holder of its receipt code."""
    return _receipt_page(receipt, is_new=request.args.get("new") == "1")


@bp.post("/kvitto/<receipt>/radera")
def erase(receipt: str):
    """Erase the concern for good (GDPR erasure) and confirm it."""
    if request.form.get("confirm") != "yes":
        message = _("Kryssa i rutan för att bekräfta att synpunkten ska raderas.")
        return _receipt_page(receipt, erase_error=message), 422
    if not erase_by_receipt(get_session(), receipt):
        abort(404)
    return render_template("public/erased.html")


def _number(value: float | None, k: int) -> str:
    if value is None:
        return _("färre än %(k)s eller dolt", k=k)
    return f"{value:g}".replace(".", ",") if page_language() == "sv" else f"{value:g}"


@bp.get("/karta")
def insight_map():
    """The public map: concerns per area for one month that is over, k-protected."""
    try:
        public_filter = parse_public_filter(request.args, lang=page_language())
        errors = {}
    except FilterRejected as exc:
        errors = exc.errors
        public_filter = parse_public_filter({}, lang=page_language())
    measure = "rate" if request.args.get("measure") == "rate" else "count"
    figures = public_areas(public_filter).figures
    k = figures["k"]
    labels = category_labels()
    bands = band_labels()
    values = {
        a["id"]: a["rate_per_1000" if measure == "rate" else "count"] for a in figures["areas"]
    }
    legend = class_breaks(list(values.values()))
    popups, tooltips = {}, {}
    for area in figures["areas"]:
        shown = _number(values[area["id"]], k)
        tooltips[area["id"]] = f"{area['name']}: {shown}"
        rows = [(_("Synpunkter"), _number(area["count"], k))]
        rows.append((_("Per 1 000 invånare"), _number(area["rate_per_1000"], k)))
        for code, n in (area["category_mix"] or {}).items():
            if n != 0:
                rows.append((labels[code], _number(n, k)))
        popups[area["id"]] = mix_popup(area["name"], rows)
    layer = current_layer()
    fmap = choropleth_map(
        layer.areas,
        layer.outline,
        values=values,
        legend=legend,
        popups=popups,
        tooltips=tooltips,
        settings=map_settings(),
        aria_label=_("Karta över synpunkter per område i Melleruds kommun"),
    )
    return render_template(
        "public/map.html",
        map_parts=render_parts(fmap),
        figures=figures,
        public_filter=public_filter,
        measure=measure,
        legend=legend,
        errors=errors,
        k=k,
        number=lambda v: _number(v, k),
        category_labels=labels,
        band_labels=bands,
        categories=list(labels.items()),
        months=month_choices(),
        approximate=layer.approximate,
    ), (422 if errors else 200)
