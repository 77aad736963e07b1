"""The resident's pages: mark a place, get a receipt, check or erase the concern."""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from geoservice.core.intake.validation import AGE_BANDS, PLACE_NOTE_LIMIT, ROLES, ReportRejected
from geoservice.core.typography import format_number
from geoservice.i18n import band_labels, category_labels, page_language, safe_reason_labels
from geoservice.maps.base import MapSettings, render_parts
from geoservice.maps.choropleth import (
    FILL_OPACITY,
    HIDDEN_COLOUR,
    choropleth_map,
    class_breaks,
    mix_popup,
)
from geoservice.maps.report_map import report_map
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.demo import has_demo_reports
from geoservice.store.reports import IdempotencyConflict, normalise_receipt
from geoservice.web import log_redaction
from geoservice.web.insight import (
    FilterRejected,
    month_choices,
    parse_public_filter,
    public_areas,
)
from geoservice.web.pin_texts import pin_texts
from geoservice.web.receipt_facts import retention_rules, stored_fields
from geoservice.web.submission import (
    erase_concern,
    find_concern,
    limit_receipt_guesses,
    limit_submissions,
    submit_report,
)

bp = Blueprint("public", __name__)
# The receipt pages carry the code in their URLs: no log line may show it.
bp.record_once(lambda _state: log_redaction.install())


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
        "safe_reasons": list(safe_reason_labels().items()),
        "areas": current_layer().choices(),
        "roles": list(ROLES),
        "age_bands": list(AGE_BANDS),
        "place_note_limit": PLACE_NOTE_LIMIT,
    }


def _resident_map():
    layer = current_layer()
    fmap = report_map(
        layer.areas,
        layer.outline,
        texts=pin_texts(),
        settings=map_settings(),
        aria_label=_("Karta över Melleruds kommun. Klicka för att markera en plats."),
        pin_title=_("Markerad plats. Dra för att flytta."),
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
        # Sent before with other answers (Back, then a change): a fresh key sends this one.
        values["idempotency_key"] = ""
        message = _(
            "Formuläret skickades redan med andra svar, och den synpunkten är sparad. "
            "Skicka igen om du vill spara även den här som en ny synpunkt."
        )
        return _render_form(values, {"form": message}, 409)
    receipt = submitted.stored.report.receipt
    if receipt is None:
        # A replay of a concern stored before codes were made from the form's key.
        return redirect(url_for("public.receipt_lookup", sparad=1), 303)
    return _receipt_response(redirect(url_for("public.receipt", receipt=receipt, new=1), 303))


def _receipt_response(response):
    """A receipt page is the holder's alone: never cached, never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/kvitto", methods=["GET", "POST"])
@limit_receipt_guesses
def receipt_lookup():
    """Let a resident type a receipt code to find their concern."""
    code = (request.form.get("kod") or request.args.get("kod", "")).strip()[:64]
    if code:
        report = find_concern(code)
        if report is not None:
            return _receipt_response(
                redirect(url_for("public.receipt", receipt=normalise_receipt(code)), 303)
            )
        return _receipt_response(
            make_response(
                render_template(
                    "public/lookup.html", code=code, error=_("Ingen synpunkt har den kvittokoden.")
                ),
                404,
            )
        )
    stored = request.args.get("sparad") == "1"
    return _receipt_response(
        make_response(render_template("public/lookup.html", code="", error=None, stored=stored))
    )


def _receipt_page(receipt: str, *, is_new: bool = False, erase_error: str | None = None):
    """The holder's view of their concern; 404 for an unknown code."""
    report = find_concern(receipt)
    if report is None:
        abort(404)
    return render_template(
        "public/receipt.html",
        report=report,
        receipt=normalise_receipt(receipt),
        stored=stored_fields(report, current_layer().name(report.area_id)),
        retention=retention_rules(report),
        k=current_app.config["K_ANONYMITY"],
        is_new=is_new,
        erase_error=erase_error,
    )


@bp.get("/kvitto/<receipt>")
@limit_receipt_guesses
def receipt(receipt: str):
    """Show the concern's status to the holder of its receipt code."""
    return _receipt_response(
        make_response(_receipt_page(receipt, is_new=request.args.get("new") == "1"))
    )


@bp.post("/kvitto/<receipt>/radera")
@limit_receipt_guesses
def erase(receipt: str):
    """Erase the concern for good (GDPR erasure) and confirm it."""
    if request.form.get("confirm") != "yes":
        message = _("Kryssa i rutan för att bekräfta att synpunkten ska raderas.")
        return _receipt_response(make_response(_receipt_page(receipt, erase_error=message), 422))
    if not erase_concern(receipt):
        abort(404)
    return _receipt_response(make_response(render_template("public/erased.html")))


def _shown(value: float | None, decimals: int) -> str:
    """A published figure the page's way (1 204; 6,6), or "dolt" where it is hidden."""
    if value is None:
        return _("dolt")
    return format_number(value, page_language(), decimals=decimals)


def _legend_labels(legend, decimals: int) -> list[str]:
    """Class ranges that do not overlap: 0–40, 41–80 (counts); 0–1,4, 1,5–2,8 (rates).

    A value belongs to the first class whose upper bound it does not exceed, and values
    are shown rounded to ``decimals``, so each class starts one displayed step above the
    previous one's upper bound.
    """
    step = 10**-decimals
    labels, low = [], 0.0
    for entry in legend:
        labels.append(f"{_shown(low, decimals)}–{_shown(entry.high, decimals)}")
        low = round(entry.high + step, decimals)
    return labels


def _municipality_row(figures: dict) -> dict[str, str]:
    """The total row: exact when published, else the sum of the shown areas as "minst"."""
    population = sum(a["population"] or 0 for a in figures["areas"])
    shown_sum = sum(a["count"] or 0 for a in figures["areas"])
    total = figures["total"]
    lang = page_language()

    def rate(count: int) -> str:
        return format_number(count / population * 1000, lang, decimals=1) if population else "–"

    if total is not None:
        return {
            "population": format_number(population, lang),
            "count": format_number(total, lang),
            "rate": rate(total),
            "hidden": "",
        }
    return {
        "population": format_number(population, lang),
        "count": _("minst %(n)s", n=format_number(shown_sum, lang)),
        "rate": _("minst %(n)s", n=rate(shown_sum)),
        "hidden": _(
            "Hela kommunens antal visas inte exakt: med det och de synliga områdena skulle "
            "en dold siffra kunna räknas fram. Det är minst summan av de synliga områdena."
        ),
    }


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
    decimals = 1 if measure == "rate" else 0
    figures = public_areas(public_filter).figures
    k = figures["k"]
    labels = category_labels()
    bands = band_labels()
    # Rounded as shown, so that an area's colour and its written value fall in one class.
    values = {}
    for a in figures["areas"]:
        value = a["rate_per_1000" if measure == "rate" else "count"]
        values[a["id"]] = None if value is None else round(value, decimals)
    legend = class_breaks(list(values.values()), resolution=10**-decimals)
    popups, tooltips = {}, {}
    for area in figures["areas"]:
        tooltips[area["id"]] = f"{area['name']}: {_shown(values[area['id']], decimals)}"
        rows = [(_("Synpunkter"), _shown(area["count"], 0))]
        rows.append((_("Per 1 000 invånare"), _shown(area["rate_per_1000"], 1)))
        mix = [(code, n) for code, n in (area["category_mix"] or {}).items() if n != 0]
        # Most common first; hidden ones (None) last, in the list's own order.
        mix.sort(key=lambda item: (item[1] is None, -(item[1] or 0)))
        rows.extend((labels[code], _shown(n, 0)) for code, n in mix)
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
        legend=list(zip(legend, _legend_labels(legend, decimals), strict=True)),
        hidden_colour=HIDDEN_COLOUR,
        fill_opacity=FILL_OPACITY,
        errors=errors,
        k=k,
        shown=_shown,
        municipality=_municipality_row(figures),
        category_labels=labels,
        band_labels=bands,
        categories=list(labels.items()),
        months=month_choices(),
        approximate=layer.approximate,
    ), (422 if errors else 200)
