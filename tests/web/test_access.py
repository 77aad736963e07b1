"""Access control walked from app.url_map: every staff route × every role, deny by default."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from geoservice.store.db import session_scope
from geoservice.store.models import StaffSession
from geoservice.web.access import PERMISSIONS, PUBLIC_ENDPOINTS
from tests.conftest import STAFF_PASSWORD, csrf_token_from

ROLES = ("police", "municipality", "bra", "admin", "partner")


def staff_routes(app):
    """(method, url, endpoint, permission) for every non-public route; args filled in."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        url = re.sub(r"<int:[^>]+>", "999999", rule.rule)
        url = re.sub(r"<[^>]+>", "does-not-exist", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url, rule.endpoint, getattr(view, "permission", None)


def call(client, method: str, url: str, **kwargs):
    data = {"csrf_token": csrf_token_from(client)} if method == "POST" else None
    return client.open(url, method=method, data=data, **kwargs)


def test_every_staff_route_declares_a_permission(app):
    routes = list(staff_routes(app))
    assert len(routes) >= 6
    undeclared = [endpoint for _, _, endpoint, permission in routes if permission is None]
    assert not undeclared, f"staff views without @requires: {undeclared}"


def test_anonymous_visitors_are_refused_everywhere(app, client):
    for method, url, _endpoint, _ in staff_routes(app):
        response = call(client, method, url)
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url)
            assert response.get_json()["errors"]
        else:
            assert response.status_code == 302, (method, url)
            assert "/personal/logga-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_spec_allows(app, client, login, role):
    login(role)
    # Logging out ends the walk, so it goes last.
    routes = sorted(staff_routes(app), key=lambda route: route[2] == "auth.logout")
    for method, url, _endpoint, permission in routes:
        response = call(client, method, url)
        allowed = role in PERMISSIONS[permission]
        if allowed:
            assert response.status_code not in (401, 403), (role, method, url)
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)


def test_bra_gets_403_on_exact_points_with_a_token_too(app, client, make_user, runner):
    make_user("bra", "radsledamot")
    make_user("police", "kommunpolis")
    bra = runner.invoke(args=["create-token", "radsledamot"]).output.strip()
    police = runner.invoke(args=["create-token", "kommunpolis"]).output.strip()
    assert bra.startswith("gst_") and police.startswith("gst_")
    denied = client.get("/api/v1/reports", headers={"Authorization": f"Bearer {bra}"})
    assert denied.status_code == 403
    allowed = client.get("/api/v1/reports", headers={"Authorization": f"Bearer {police}"})
    assert allowed.status_code == 200 and allowed.get_json()["type"] == "FeatureCollection"
    wrong = client.get("/api/v1/reports", headers={"Authorization": "Bearer gst_nonsense"})
    assert wrong.status_code == 401


def test_a_session_cookie_replayed_after_logout_opens_nothing(app, client, login):
    login("police")
    stolen = client.get_cookie("session").value
    assert client.get("/personal/moderering").status_code == 200
    token = csrf_token_from(client, "/personal/")
    assert client.post("/personal/logga-ut", data={"csrf_token": token}).status_code == 303
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/personal/moderering")
    assert response.status_code == 302 and "logga-in" in response.headers["Location"]


def test_login_starts_a_new_session(client, make_user):
    name = make_user("police")
    client.get("/personal/logga-in")
    before = client.get_cookie("session").value
    client.post(
        "/personal/logga-in",
        data={"name": name, "password": STAFF_PASSWORD, "csrf_token": csrf_token_from(client)},
    )
    assert client.get_cookie("session").value != before


@pytest.mark.parametrize(
    "field", ["last_seen", "created_at"], ids=["idle timeout", "absolute timeout"]
)
def test_old_sessions_end(app, client, login, field):
    from datetime import UTC, datetime, timedelta

    login("police")
    with session_scope(app) as session:
        session.execute(
            update(StaffSession).values({field: datetime.now(UTC) - timedelta(hours=11)})
        )
    response = client.get("/personal/moderering")
    assert response.status_code == 302


def test_wrong_password_is_refused_and_rate_limited(tmp_path, make_user):
    from geoservice import create_app
    from geoservice.store import schema
    from geoservice.store.db import engine_for

    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "limited"),
            "SECRET_KEY": "t",
            "RATELIMIT_ENABLED": True,
            "TILE_URL": "",
        }
    )
    schema.upgrade(engine_for(app))
    client = app.test_client()
    token = csrf_token_from(client)
    codes = [
        client.post(
            # A new name each time: this is the per-address limit (per account: its own test).
            "/personal/logga-in",
            data={"name": f"x{i}", "password": "y", "csrf_token": token},
        ).status_code
        for i in range(11)
    ]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    engine_for(app).dispose()


def test_cookie_flags(client, login):
    login("police")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_staff_pages_are_not_cached(client, login):
    login("police")
    assert client.get("/personal/moderering").headers["Cache-Control"] == "no-store"
