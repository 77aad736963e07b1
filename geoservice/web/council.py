"""Staff edits to the council's lägesbild: figures added by hand, quotes hidden from it."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from geoservice.store.council.figures import (
    FIRST_YEAR,
    LAST_YEAR,
    LIMITS,
    FigureError,
    FigureInput,
    add_figure,
    delete_figure,
)
from geoservice.store.council.quotes import set_quote_hidden
from geoservice.store.db import get_session
from geoservice.web.access import audit, requires
from geoservice.web.report import _page, _period_or_422, build_report

bp = Blueprint("council", __name__, url_prefix="/personal/rapport")


def _messages(errors: dict[str, str]) -> dict[str, str]:
    """The store's error codes as sentences in the page's language."""
    labels = {
        "measure": _("Mått"),
        "year": _("År"),
        "value": _("Värde"),
        "unit": _("Enhet"),
        "source": _("Källa"),
        "note": _("Anmärkning"),
    }
    out = {}
    for field, code in errors.items():
        if code == "required":
            out[field] = _("%(field)s måste fyllas i.", field=labels[field])
        elif code == "too_long":
            out[field] = _(
                "%(field)s får vara högst %(n)s tecken.", field=labels[field], n=LIMITS[field]
            )
        elif code == "year":
            out[field] = _(
                "Skriv ett årtal mellan %(first)s och %(last)s, t.ex. 2025.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        else:
            out[field] = _("Skriv ett tal, t.ex. 23 eller 23,5.")
    return out


def _back(**extra):
    period = {k: request.form.get(k) for k in ("from", "to") if request.form.get(k)}
    return redirect(url_for("report.period_report", **period, **extra) + "#s-figures", 303)


@bp.post("/uppgifter")
@requires("plan")
def create_figure():
    """Add a figure from another source (e.g. the police's trygghetsmätning) for a year."""
    given = FigureInput(
        measure=request.form.get("measure", ""),
        year=request.form.get("year", ""),
        value=request.form.get("value", ""),
        unit=request.form.get("unit", ""),
        source=request.form.get("source", ""),
        note=request.form.get("note", ""),
    )
    try:
        add_figure(get_session(), given, author=current_user.name)
    except FigureError as exc:
        get_session().rollback()
        period, errors = _period_or_422()
        if errors:
            abort(422)
        return _page(
            build_report(*period),
            figure_errors=_messages(exc.errors),
            figure_form=request.form,
            status=422,
        )
    audit("add_report_figure", rows=1, target="report.figures")
    return _back(saved="figure")


@bp.post("/uppgifter/<int:figure_id>/ta-bort")
@requires("plan")
def remove_figure(figure_id: int):
    """Remove a figure added by hand."""
    if not delete_figure(get_session(), figure_id):
        abort(404)
    audit("delete_report_figure", rows=1, target="report.figures")
    return _back(saved="removed")


@bp.post("/citat/<report_id>")
@requires("moderate")
def hide_quote(report_id: str):
    """Hide a concern's suggestion from the council's quotes (or show it again)."""
    hidden = request.form.get("hidden") == "1"
    try:
        set_quote_hidden(get_session(), report_id, hidden, user_name=current_user.name)
    except LookupError:
        abort(404)
    target = request.form.get("next", "")
    if not target.startswith("/personal/") or target.startswith("//"):
        target = url_for("staff.report_page", report_id=report_id)
    return redirect(target, 303)
