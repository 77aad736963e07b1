"""Withdrawing access: the admin page listing accounts and API tokens, to disable or revoke."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from geoservice.store.accounts import (
    AccountError,
    list_tokens,
    list_users,
    revoke_tokens,
    set_user_active,
)
from geoservice.store.db import get_session
from geoservice.web.access import audit, requires

bp = Blueprint("accounts", __name__, url_prefix="/personal/admin")


@bp.get("/konton")
@requires("admin")
def accounts_page():
    """Staff accounts and API tokens, with last use, expiry, and buttons to withdraw them."""
    db = get_session()
    return render_template(
        "staff/accounts.html",
        users=list_users(db),
        tokens=list_tokens(db),
        now=datetime.now(UTC),
    )


@bp.post("/konton/<name>/inaktivera")
@requires("admin")
def disable_account(name: str):
    """Disable an account (its sessions end now), or enable it again."""
    from flask import request

    enable = request.form.get("enable") == "1"
    if name == current_user.name and not enable:
        abort(400, "an administrator cannot disable their own account here")
    try:
        set_user_active(get_session(), name, enable)
    except AccountError:
        abort(404)
    audit("account_enabled" if enable else "account_disabled", target=f"user:{name}"[:120])
    return redirect(url_for("accounts.accounts_page", saved=1), 303)


@bp.post("/nycklar/<int:token_id>/aterkalla")
@requires("admin")
def revoke_token(token_id: int):
    """Revoke one API token at once."""
    try:
        revoke_tokens(get_session(), token_id=token_id)
    except AccountError:
        abort(404)
    audit("token_revoked", target=f"token:{token_id}")
    return redirect(url_for("accounts.accounts_page", saved=1), 303)
