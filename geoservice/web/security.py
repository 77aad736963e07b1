"""Security headers on every response, CSP nonces for folium's inline script, and errors
that show a correlation id instead of a traceback."""

from __future__ import annotations

import functools
import logging
import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from geoservice.web.errors import api_error, wants_json

log = logging.getLogger("geoservice")
_CORRELATION = re.compile(r"[A-Za-z0-9-]{8,64}")

# Public pages and open data may be cached; everything else carries personal or staff data.
CACHEABLE_ENDPOINTS = frozenset(
    {
        "static",
        "assets.vendor",
        "public.index",
        "public.insight_map",
        "api.categories",
        "api.areas",
        "health.healthz",
        "openapi.document",
    }
)


def csp_nonce() -> str:
    """This response's nonce for inline scripts (folium's map script)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def correlation_id() -> str:
    """An id tying this request's log lines to what the user saw."""
    if "correlation_id" not in g:
        given = request.headers.get("X-Request-Id", "")
        g.correlation_id = given if _CORRELATION.fullmatch(given) else secrets.token_hex(8)
    return g.correlation_id


def _tile_origin(url: str) -> str:
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme in ("http", "https") and parts.netloc:
        host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
        return f"{parts.scheme}://{host}"
    return ""


_NONCE = "\0nonce\0"


@functools.lru_cache(maxsize=16)
def _policy_for(tile_url: str) -> str:
    """The policy for a tile URL, with a marker where each response's nonce goes."""
    tiles = _tile_origin(tile_url)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{_NONCE}'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: {tiles}".strip(),
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def content_security_policy() -> str:
    """Scripts only from us or with this response's nonce; images also from the tile host.

    Styles allow 'unsafe-inline': Leaflet and folium position the map with inline style
    attributes, and a style cannot run code. Documented in docs/deployment.md.
    """
    return _policy_for(current_app.config.get("TILE_URL") or "").replace(_NONCE, csp_nonce())


def _headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy()
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # A page may ask for less (the receipt pages: no referrer at all).
    headers.setdefault("Referrer-Policy", "same-origin")
    headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=()"
    headers["X-Correlation-Id"] = correlation_id()
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint not in CACHEABLE_ENDPOINTS or request.method != "GET":
        headers["Cache-Control"] = "no-store"
    return response


def handle_unexpected(exc: Exception):
    """Log the traceback under a correlation id; show the user only the id."""
    if isinstance(exc, HTTPException) and not isinstance(exc, InternalServerError):
        raise exc
    ident = correlation_id()
    log.exception("unhandled error [%s] on %s %s", ident, request.method, request.path)
    if wants_json():
        response, status = api_error(500, {"request": "Internal error; quote the correlation id."})
        body = response.get_json()
        body["correlation_id"] = ident
        response.set_data(current_app.json.dumps(body))
        return response, 500
    return render_template("error.html", code=500, message=None, correlation_id=ident), 500


def init_app(app: Flask) -> None:
    """Add the headers and the generic error handler."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_headers)
    app.register_error_handler(Exception, handle_unexpected)
