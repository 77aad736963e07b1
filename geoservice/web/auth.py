"""Staff login and logout: a new server-side session at login, really ended at logout."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from geoservice.extensions import limiter
from geoservice.store.accounts import authenticate, end_session, record_event, start_session
from geoservice.store.db import get_session
from geoservice.store.models import User
from geoservice.web.access import requires

bp = Blueprint("auth", __name__, url_prefix="/personal")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("staff.home")


def _login_limit_key() -> str:
    return f"login|{request.remote_addr}"


@bp.get("/logga-in")
def login_form():
    """Show the staff login form."""
    return render_template("staff/login.html", error=None, name="", next=request.args.get("next"))


@bp.post("/logga-in")
@limiter.limit("10 per minute;50 per hour", key_func=_login_limit_key)
def login():
    """Check the password; on success start a fresh session (the old cookie is discarded)."""
    name = request.form.get("name", "")[:64]
    password = request.form.get("password", "")[:1024]
    db = get_session()
    user = authenticate(db, name, password)
    if user is None:
        known = db.scalar(select(User.name).where(User.name == name.strip()))
        # Only a real account name is logged: a password typed into the name field is not.
        record_event(db, action="login_failed", user_name=known, role=None, target="auth.login")
        return render_template(
            "staff/login.html",
            error=_("Fel användarnamn eller lösenord."),
            name=name,
            next=request.form.get("next"),
        ), 401
    old = session.get("sid")
    if old:
        end_session(db, old)
    session.clear()
    session["sid"] = start_session(db, user, datetime.now(UTC))
    record_event(db, action="login", user_name=user.name, role=user.role, target="auth.login")
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.post("/logga-ut")
@requires("signed_in")
def logout():
    """End the server-side session and clear the cookie."""
    db = get_session()
    sid = session.get("sid")
    if sid:
        end_session(db, sid)
    record_event(
        db,
        action="logout",
        user_name=current_user.name,
        role=current_user.role,
        target="auth.logout",
    )
    session.clear()
    return redirect(url_for("auth.login_form", ut=1), 303)
