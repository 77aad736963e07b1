"""Who may do what (SPEC §3): staff identity from a session or a Bearer token, deny by default."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user

from geoservice.store.accounts import (
    audit_filter,
    organisation_of,
    record_event,
    resume_session,
    user_for_token,
)
from geoservice.store.db import get_session
from geoservice.web.errors import api_error, wants_json

login_manager = LoginManager()

# SPEC §3 as data: which roles hold each permission.
PERMISSIONS: dict[str, frozenset[str]] = {
    "aggregates": frozenset({"police", "municipality", "bra", "admin"}),
    "exact": frozenset({"police", "municipality", "admin"}),
    "moderate": frozenset({"police", "municipality", "admin"}),
    "plan": frozenset({"police", "municipality", "admin"}),
    "admin": frozenset({"admin"}),
    # Issue 18: partners (an identified person of a named organisation) may report events
    # and see their own organisation's reports, nothing else; coordinators report too.
    "report_events": frozenset({"partner", "police", "municipality", "admin"}),
    # Any account at all: the staff start page and logging out.
    "signed_in": frozenset({"partner", "police", "municipality", "bra", "admin"}),
}

# Endpoints anyone may call. Every other endpoint needs a staff login (checked by a test).
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "assets.vendor",
        "health.healthz",
        "public.index",
        "public.submit",
        "public.receipt_lookup",
        "public.receipt",
        "public.erase",
        "public.insight_map",
        "promise.public_promises",
        "api.categories",
        "api.create_report",
        "api.get_report",
        "api.delete_report",
        "api.areas",
        "openapi.document",
        "open311.discovery",
        "open311.services",
        "open311.service_definition",
        "open311.create_request",
        "open311.requests",
        "open311.request_detail",
        "auth.login",
        "auth.login_form",
        # Issue 18: published safety-walk protocols.
        "walks_public.index",
        "walks_public.walk",
    }
)


@dataclass
class StaffUser(UserMixin):
    """The logged-in staff member as the views see them."""

    id: int
    name: str
    role: str
    via: str  # "session" or "token"
    organisation: str | None = None  # a partner's organisation (issue 18)

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


class Anonymous(AnonymousUserMixin):
    name = None
    role = None
    organisation = None

    def can(self, permission: str) -> bool:
        return False


def _load_from_request(req) -> StaffUser | None:
    now = datetime.now(UTC)
    header = req.headers.get("Authorization", "")
    db = get_session()
    if header.startswith("Bearer "):
        user = user_for_token(db, header[len("Bearer ") :].strip(), now)
        return _staff_user(db, user, "token") if user else None
    sid = session.get("sid")
    if not sid:
        return None
    config = current_app.config
    user = resume_session(
        db,
        sid,
        now,
        idle=timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
        absolute=timedelta(hours=config["STAFF_MAX_HOURS"]),
    )
    if user is None:
        session.pop("sid", None)
        return None
    return _staff_user(db, user, "session")


def _staff_user(db, user, via: str) -> StaffUser:
    # Only partners belong to an organisation: the other roles skip the lookup.
    organisation = organisation_of(db, user.id) if user.role == "partner" else None
    return StaffUser(user.id, user.name, user.role, via, organisation)


def audit(action: str, *, rows: int | None = None, target: str | None = None) -> None:
    """Write an audit event for the current staff member and request."""
    record_event(
        get_session(),
        action=action,
        user_name=current_user.name,
        role=current_user.role,
        target=target or request.endpoint,
        filter_json=audit_filter(request.args),
        rows=rows,
    )


def _refuse(status: int):
    if wants_json():
        message = (
            "Log in or send an API token (Authorization: Bearer ...)."
            if status == 401
            else "Your role may not see this."
        )
        return api_error(status, {"authorization": message})
    if status == 401:
        return redirect(url_for("auth.login_form", next=request.full_path.rstrip("?")))
    abort(403)


def requires(permission: str) -> Callable:
    """Allow a view only to staff whose role holds ``permission``; audit denials."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _refuse(401)
            if not current_user.can(permission):
                audit("denied")
                return _refuse(403)
            return view(*args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


def _deny_by_default():
    """Before every request: an endpoint not declared public needs a staff identity."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "permission", None) is None:
        # A staff view that forgot to declare its permission is refused to everyone.
        return _refuse(401 if not current_user.is_authenticated else 403)
    if not current_user.is_authenticated:
        return _refuse(401)
    return None


def init_app(app: Flask) -> None:
    """Attach Flask-Login with our request loader and the deny-by-default guard."""
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    # Our own server-side sessions replace Flask-Login's cookie identity checks.
    login_manager.session_protection = None
    login_manager.request_loader(_load_from_request)
    app.before_request(_deny_by_default)
