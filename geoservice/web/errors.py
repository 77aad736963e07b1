"""One error shape: JSON ``{"errors": {field: message}}`` under /api, a page elsewhere."""

from __future__ import annotations

import contextlib
import errno
import logging
from typing import TypeVar

from flask import Flask, Response, abort, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("geoservice")
# An operating-system error that means "cannot store now", not a bug.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})

API_PREFIXES = ("/api/",)
T = TypeVar("T")


def wants_json() -> bool:
    """True for API routes, which always answer in JSON."""
    return request.path.startswith(API_PREFIXES)


def stored_or_404(model: type[T], key) -> T:
    """The stored row of ``model`` with primary key ``key``, or a 404 page or answer."""
    from geoservice.store.db import get_session

    row = get_session().get(model, key)
    if row is None:
        abort(404)
    return row


def attachment(body: bytes | str, mimetype: str, filename: str) -> Response:
    """A download: the body with the name the browser should save it under."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def api_error(status: int, errors: dict[str, str]):
    """A JSON error response naming each field and its problem."""
    return jsonify(errors=errors), status


def _message(exc: HTTPException) -> str:
    messages = {
        400: _("Begäran kunde inte läsas."),
        404: _("Sidan finns inte."),
        405: _("Metoden är inte tillåten här."),
        413: _("Det som skickades är för stort."),
        429: _("För många försök på kort tid. Vänta en stund och försök igen."),
    }
    return messages.get(exc.code or 500, _("Något gick fel. Försök igen senare."))


def _english(exc: HTTPException) -> str:
    return {
        400: "The request could not be read.",
        404: "Not found.",
        405: "Method not allowed.",
        413: "The request body is too large.",
        429: "Too many requests. Wait a while and try again.",
    }.get(exc.code or 500, "Something went wrong.")


def handle_http_error(exc: HTTPException):
    """Render an HTTP error in the shape the caller expects."""
    if wants_json():
        response = jsonify(errors={"request": _english(exc)})
        response.status_code = exc.code or 500
        # Keep what the exception says about the response, e.g. Allow on a 405.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        if exc.code == 429 and getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return render_template("error.html", code=exc.code, message=_message(exc)), exc.code or 500


def handle_csrf_error(exc: CSRFError):
    """An expired or missing form token: ask to reload, store nothing."""
    if wants_json():
        return api_error(400, {"csrf_token": exc.description})
    return render_template(
        "error.html",
        code=400,
        message=_(
            "Formuläret har gått ut eller kom inte från den här sidan. Ladda om och försök igen."
        ),
    ), 400


UNAVAILABLE_SV = (
    "Tjänsten kan inte spara eller läsa uppgifter just nu (databasen svarar inte "
    "eller disken är full). Inget av det du skickade sparades. Försök igen om en stund."
)
UNAVAILABLE_EN = (
    "The service cannot store or read data right now (the database does not answer or the "
    "disk is full). Nothing you sent was stored. Try again in a while."
)


def is_storage_fault(exc: BaseException) -> bool:
    """True for a database that cannot be reached or cannot write (full disk, read-only)."""
    if isinstance(exc, OperationalError):
        return True
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        # PostgreSQL's class 53 (insufficient resources: disk full, out of memory) and 08
        # (connection exception) arrive as other DBAPI errors with some drivers.
        state = getattr(exc.orig, "sqlstate", None) or ""
        return state.startswith(("53", "08", "57P"))
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS


def handle_storage_fault(exc: Exception):
    """503 with a plain message: the database or its disk cannot serve this request now.

    The request's transaction was rolled back (each write is one transaction), so nothing
    is half-written; the operator sees the cause in the log and in ``/healthz``.
    """
    if not is_storage_fault(exc):
        from geoservice.web.security import handle_unexpected

        return handle_unexpected(exc)
    log.error("storage unavailable on %s %s: %s", request.method, request.path, exc)
    session = g.get("db_session")
    if session is not None:
        # The connection may be gone; the answer stands either way.
        with contextlib.suppress(Exception):
            session.rollback()
    headers = {"Retry-After": "60"}
    if wants_json():
        return jsonify(errors={"service": UNAVAILABLE_EN}), 503, headers
    if request.path.startswith("/open311/"):
        return jsonify([{"code": 503, "description": UNAVAILABLE_EN}]), 503, headers
    # The page must not need the database itself: no staff identity can be read now.
    from geoservice.web.access import Anonymous

    g._login_user = Anonymous()
    try:
        message = _(
            "Tjänsten kan inte spara eller läsa uppgifter just nu (databasen svarar inte "
            "eller disken är full). Inget av det du skickade sparades. Försök igen om en stund."
        )
        body = render_template("error.html", code=503, message=message)
    except Exception:  # noqa: BLE001 - a bare page rather than a second failure
        body = f"<!doctype html><title>503</title><h1>{UNAVAILABLE_SV}</h1>"
    return body, 503, headers


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DBAPIError, handle_storage_fault)
    app.register_error_handler(OSError, handle_storage_fault)
