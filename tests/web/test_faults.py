"""A full disk or an unavailable database: 503 with a clear message, nothing half-written,
and /healthz says so."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, func, select

from geoservice import create_app
from geoservice.store.db import engine_for, session_scope
from geoservice.store.models import Report, StaffSession
from geoservice.web import health
from tests.conftest import STAFF_PASSWORD, csrf_token_from

GOOD = {"lat": 58.7005, "lon": 12.4535, "category": "drugs", "time_of_day": "night"}


def disk_full_error(engine):
    """The driver's own 'disk full' error, as the database raises it when a write needs room."""
    if engine.dialect.name == "postgresql":
        import psycopg

        return psycopg.errors.DiskFull("could not extend file: No space left on device")
    return sqlite3.OperationalError("database or disk is full")


@pytest.fixture
def full_disk(app):
    """Call it to make every write fail as on a full disk (reads still work); again to free."""
    engine = engine_for(app)

    def refuse(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            raise disk_full_error(engine)

    def switch(on: bool = True) -> None:
        if on:
            event.listen(engine, "before_cursor_execute", refuse)
        elif event.contains(engine, "before_cursor_execute", refuse):
            event.remove(engine, "before_cursor_execute", refuse)

    yield switch
    switch(False)


def count(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(Report))


def test_a_full_disk_answers_503_on_submissions_and_login(app, client, make_user, full_disk):
    make_user("police", "kommunpolis")
    token = csrf_token_from(client, "/")
    before = count(app)
    full_disk()
    api = client.post("/api/v1/reports", json=GOOD)
    assert api.status_code == 503 and "disk is full" in api.get_json()["errors"]["service"]
    assert api.headers["Retry-After"]
    form = client.post("/", data=GOOD | {"csrf_token": token})
    assert form.status_code == 503
    assert "disken är full" in form.get_data(as_text=True)
    open311 = client.post(
        "/open311/v2/requests.json",
        data={
            "service_code": "drugs",
            "lat": "58.7005",
            "long": "12.4535",
            "attribute[time_of_day]": "night",
        },
    )
    assert open311.status_code == 503 and open311.get_json()[0]["code"] == 503
    login = client.post(
        "/personal/logga-in",
        data={
            "name": "kommunpolis",
            "password": STAFF_PASSWORD,
            "csrf_token": csrf_token_from(client),
        },
    )
    assert login.status_code == 503 and "Inget av det du skickade sparades" in login.get_data(
        as_text=True
    )
    health_answer = client.get("/healthz")
    assert health_answer.status_code == 503
    assert (
        "full" in (problem := health_answer.get_json()["problems"]["write"]) or "space" in problem
    )
    # Nothing half-written.
    assert count(app) == before
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(StaffSession)) == 0


def test_after_the_disk_is_freed_everything_works_again(app, client, full_disk):
    full_disk()
    assert client.post("/api/v1/reports", json=GOOD).status_code == 503
    full_disk(False)
    assert client.post("/api/v1/reports", json=GOOD).status_code == 201
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_healthz_is_ok_then_reports_low_free_space(app, client, monkeypatch):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    monkeypatch.setattr(health, "MIN_FREE_BYTES", 1 << 62)
    answer = client.get("/healthz")
    assert answer.status_code == 503 and "MB free" in answer.get_json()["problems"]["disk"]


@pytest.mark.parametrize(
    "url",
    ["sqlite:////nonexistent-folder-i14/db.sqlite3", "postgresql+psycopg://postgres@127.0.0.1:1/x"],
)
def test_an_unavailable_database_answers_503_everywhere(tmp_path, url):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": url,
            "SECRET_KEY": "x",
            "RATELIMIT_ENABLED": False,
            "TILE_URL": "",
        }
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    api = client.post("/api/v1/reports", json=GOOD)
    assert api.status_code == 503 and "does not answer" in api.get_json()["errors"]["service"]
    for path in ("/", "/karta", "/lofte", "/api/v1/areas", "/open311/v2/requests.json"):
        response = client.get(path)
        assert response.status_code == 503, path
    engine_for(app).dispose()


def test_a_real_sqlite_database_that_cannot_grow_refuses_cleanly(app, client):
    """SQLite's own 'database or disk is full' (max_page_count), no simulation."""
    engine = engine_for(app)
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's page limit")
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(engine, "connect")
    def cap(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()
    text = "x" * 900
    codes = [
        client.post("/api/v1/reports", json=GOOD | {"description": f"{text} {i}"}).status_code
        for i in range(60)
    ]
    assert 503 in codes and set(codes) <= {201, 503}, codes
    assert count(app) == codes.count(201)
    event.remove(engine, "connect", cap)
    engine.dispose()
    assert client.post("/api/v1/reports", json=GOOD).status_code == 201
