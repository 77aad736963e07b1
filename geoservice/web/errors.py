"""One error shape: JSON ``{"errors": {field: message}}`` under /api, a page elsewhere."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

API_PREFIXES = ("/api/",)


def wants_json() -> bool:
    """True for API routes, which always answer in JSON."""
    return request.path.startswith(API_PREFIXES)


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


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
