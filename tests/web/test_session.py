"""The session cookie: read and written as Flask does, built only when one was sent."""

from __future__ import annotations

from flask import request, session

from geoservice.web.session import SessionWhenSent


def test_a_request_without_cookie_gets_an_empty_session_and_sets_none(app, client):
    assert isinstance(app.session_interface, SessionWhenSent)
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_a_signed_cookie_is_read_back_and_a_forged_one_is_ignored(app):
    with app.test_request_context("/"):
        session["probe"] = "kept"
        cookie_value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie_value}"}):
        assert app.session_interface.open_session(app, request).get("probe") == "kept"
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie_value}x"}):
        assert app.session_interface.open_session(app, request).get("probe") is None
