"""Staff login and logout: a new server-side session at login, really ended at logout."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from geoservice.extensions import limiter
from geoservice.store.accounts import authenticate, end_session, record_event, start_session
from geoservice.store.db import get_session
from geoservice.store.models import User
from geoservice.web.access import requires

bp = Blueprint("auth", __name__, url_prefix="/personal")


# Percent-encoded slashes, backslashes and control characters: a browser or proxy that
# decodes them could read the path as another host ("/%2F/evil.example").
_ENCODED_UNSAFE = re.compile(r"%(?:2f|5c|[01][0-9a-f]|7f)", re.IGNORECASE)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a plain path on this site, else None: never an open redirect.

    Browsers drop tabs and newlines from URLs ("/\t/evil.example" becomes
    "//evil.example") and read a backslash as a slash, so any control or space character,
    backslash or encoded slash refuses the target, as does anything with a scheme or host.
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return None
    if any(c == "\\" or c.isspace() or unicodedata.category(c)[0] == "C" for c in target):
        return None
    if target.startswith("//") or _ENCODED_UNSAFE.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _safe_next(target: str | None) -> str:
    return safe_next(target) or url_for("staff.home")


def _login_limit_key() -> str:
    return f"login|{request.remote_addr}"


def _account_limit_key() -> str:
    # Per account name, whatever the address: guesses spread over many addresses add up.
    # Kept in the rate-limit storage (Redis in production), so every worker counts alike.
    name = (request.form.get("name") or "").strip().casefold()[:64]
    return f"login-account|{name}"


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


@bp.get("/logga-in")
def login_form():
    """Show the staff login form."""
    return render_template(
        "staff/login.html", error=None, name="", next=safe_next(request.args.get("next"))
    )


@bp.post("/logga-in")
@limiter.limit("10 per minute;50 per hour", key_func=_login_limit_key)
@limiter.limit(
    _account_limit, key_func=_account_limit_key, deduct_when=lambda r: r.status_code == 401
)
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
            next=safe_next(request.form.get("next")),
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
