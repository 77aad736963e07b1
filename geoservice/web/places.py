"""Admin page for the named places (gazetteer): see them, import a file to replace or extend."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from geoservice.core.places.gazetteer import GazetteerError
from geoservice.core.places.place_import import PLACE_SUFFIXES, read_places_file
from geoservice.i18n import page_language
from geoservice.store.db import get_session
from geoservice.store.places.gazetteer import (
    PlacesError,
    current_gazetteer,
    reset_places,
    save_places,
    stored_place_count,
)
from geoservice.web.access import audit, requires

bp = Blueprint("places", __name__, url_prefix="/personal/admin/platser")


def kind_labels() -> dict[str, str]:
    return {
        "station": _("station"),
        "square": _("torg"),
        "school": _("skola"),
        "sports": _("idrottsplats"),
        "park": _("park"),
        "landmark": _("byggnad eller plats"),
        "street": _("gata"),
        "road": _("väg"),
        "district": _("stadsdel"),
        "village": _("by eller ort"),
        "town": _("tätort"),
    }


def _page(errors: dict[str, str] | None = None, status: int = 200):
    session = get_session()
    return render_template(
        "staff/places.html",
        gazetteer=current_gazetteer(session),
        stored=stored_place_count(session),
        kinds=kind_labels(),
        suffixes=", ".join(PLACE_SUFFIXES),
        errors=errors or {},
        mode=request.form.get("mode", "extend"),
    ), status


@bp.get("")
@requires("admin")
def index():
    """The places in force, where they come from, and the import form."""
    return _page()


@bp.post("")
@requires("admin")
def upload():
    """Import a places file: replace the places in force, or extend them."""
    mode = request.form.get("mode", "")
    upload = request.files.get("file")
    errors: dict[str, str] = {}
    if mode not in ("replace", "extend"):
        errors["mode"] = _("Välj om filen ska ersätta eller komplettera platserna.")
    if upload is None or not upload.filename:
        errors["file"] = _("Välj en fil med platser (GeoJSON, CSV eller GeoPackage).")
    elif Path(upload.filename).suffix.lower() not in PLACE_SUFFIXES:
        errors["file"] = _(
            "Filen ska vara GeoJSON, CSV eller GeoPackage (%(s)s).", s=", ".join(PLACE_SUFFIXES)
        )
    if errors:
        return _page(errors, 422)
    suffix = Path(upload.filename).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(upload.filename).stem[:60] + suffix)
        upload.save(path)
        try:
            places = read_places_file(path, crs=request.form.get("crs") or None)
        except GazetteerError as exc:
            why = str(exc) if page_language() == "en" else exc.sv
            return _page({"file": _("Filen gick inte att använda: %(why)s", why=why)}, 422)
    try:
        count = save_places(get_session(), places, mode=mode, imported_by=current_user.name)
    except (PlacesError, GazetteerError) as exc:  # too many places: says the number
        return _page({"file": _("Platserna sparades inte: %(why)s", why=str(exc))}, 422)
    audit("import_places", rows=len(places), target=f"places:{mode}")
    return redirect(url_for("places.index", saved=count), 303)


@bp.post("/aterstall")
@requires("admin")
def reset():
    """Go back to the shipped starter set."""
    removed = reset_places(get_session())
    audit("reset_places", rows=removed, target="places:reset")
    return redirect(url_for("places.index", reset=1), 303)
