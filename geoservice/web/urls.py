"""Absolute links built from the configured public base URL, never from the Host header."""

from __future__ import annotations

from flask import current_app, request, url_for


def public_base() -> str:
    """``GEOSERVICE_PUBLIC_URL``; in development without it, the request's own host.

    In production without it: empty, so links stay relative rather than repeat whatever
    Host header a client sent.
    """
    configured = current_app.config.get("PUBLIC_URL") or ""
    if configured:
        return configured
    if current_app.config.get("PRODUCTION"):
        return ""
    return request.host_url.rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` on the public base."""
    return public_base() + url_for(endpoint, **values)
