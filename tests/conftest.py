"""Shared fixtures: an app on a fresh SQLite file (or GEOSERVICE_TEST_DATABASE_URL)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from geoservice import create_app
from geoservice.store import schema
from geoservice.store.db import engine_for, session_scope


def postgres_test_url() -> str | None:
    """The PostgreSQL server the suite's second run uses, or None on the SQLite run."""
    url = os.environ.get("GEOSERVICE_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def pytest_configure(config) -> None:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own.

    Every test drops and recreates the schema of the database it runs on, so two workers
    on one database would pull tables out from under each other. The worker's database
    (``<name>_gw0``, …) is created on the same server when missing.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = postgres_test_url()
    if not worker or not url or os.environ.get("GEOSERVICE_TEST_DATABASE_WORKER") == worker:
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    os.environ["GEOSERVICE_TEST_DATABASE_URL"] = base.set(database=name).render_as_string(
        hide_password=False
    )
    os.environ["GEOSERVICE_TEST_DATABASE_WORKER"] = worker


def _reset_database(app) -> None:
    """Drop every table so each test starts from an empty, freshly migrated schema."""
    engine = engine_for(app)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))


@pytest.fixture
def app(tmp_path):
    url = os.environ.get("GEOSERVICE_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 't.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
            "TILE_URL": "",
        }
    )
    _reset_database(app)
    schema.upgrade(engine_for(app))
    yield app
    engine_for(app).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """A session for checking what was stored."""
    with session_scope(app) as session:
        yield session


STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app):
    """Create a staff account and return its name."""
    from geoservice.store.accounts import create_user

    def make(role: str, name: str | None = None, organisation: str | None = None) -> str:
        name = name or f"{role}-user"
        if role == "partner":
            # A partner account belongs to an organisation (issue 18).
            organisation = organisation or "Mellerudsbostäder"
        with session_scope(app) as session:
            create_user(session, name, role, STAFF_PASSWORD, organisation=organisation)
        return name

    return make


def csrf_token_from(client, path: str = "/personal/logga-in") -> str:
    import re

    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def login(client, make_user):
    """Log ``client`` in with a new account of ``role``; return the account name."""

    def log_in(role: str, name: str | None = None, organisation: str | None = None) -> str:
        name = make_user(role, name, organisation)
        response = client.post(
            "/personal/logga-in",
            data={"name": name, "password": STAFF_PASSWORD, "csrf_token": csrf_token_from(client)},
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        return name

    return log_in
