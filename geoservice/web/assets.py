"""Third-party JS/CSS served by the app itself, from pip-installed XStatic packages."""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.jquery
import xstatic.pkg.leaflet
from flask import Blueprint, abort, send_from_directory

bp = Blueprint("assets", __name__, url_prefix="/vendor")

_PACKAGES = {
    "leaflet": xstatic.pkg.leaflet.BASE_DIR,
    "jquery": xstatic.pkg.jquery.BASE_DIR,
    # Leaflet.markercluster 1.5.3 from npm (MIT), vendored: no XStatic package exists.
    "markercluster": str(
        Path(__file__).resolve().parent.parent / "static/vendor/leaflet.markercluster"
    ),
}


@bp.get("/<package>/<path:filename>")
def vendor(package: str, filename: str):
    """Serve a file of a vendored package, cached for a day."""
    folder = _PACKAGES.get(package)
    if folder is None:
        abort(404)
    return send_from_directory(folder, filename, max_age=86400)
