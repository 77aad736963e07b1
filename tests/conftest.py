"""Shared fixtures: an app on a fresh SQLite file (or GEOSERVICE_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import shutil

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


# What the migrations leave in a fresh PostgreSQL schema, kept per worker: a test starts
# from that state by TRUNCATE (a few ms) instead of dropping and migrating (~130 ms).
_POSTGRES_FRESH: dict = {}


def _postgres_state(conn) -> tuple:
    head = conn.scalar(text("SELECT version_num FROM alembic_version"))
    tables = conn.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    ).all()
    triggers = conn.scalar(text("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"))
    return head, tuple(tables), triggers


def _reset_postgres(engine) -> None:
    """Empty every table of a schema the migrations made, or make it anew when it differs."""
    fresh = _POSTGRES_FRESH.get(str(engine.url))
    if fresh is not None:
        with engine.begin() as conn:
            try:
                same = _postgres_state(conn) == fresh["state"]
            except Exception:
                same = False
        if same:
            with engine.begin() as conn:
                tables = [t for t in fresh["state"][1] if t != "alembic_version"]
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                for sequence in fresh["sequences"]:
                    conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
                for table, rows in fresh["rows"].items():
                    for row in rows:
                        columns, values = ", ".join(row), ", ".join(f":{c}" for c in row)
                        insert = f"INSERT INTO {table} ({columns}) VALUES ({values})"
                        conn.execute(text(insert), row)
            return
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    schema.upgrade(engine)
    with engine.begin() as conn:
        state = _postgres_state(conn)
        rows = {
            table: [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]
            for table in state[1]
            if table != "alembic_version"
        }
        sequences = conn.scalars(
            text("SELECT sequence_name FROM information_schema.sequences")
        ).all()
    _POSTGRES_FRESH[str(engine.url)] = {
        "state": state,
        "rows": {t: r for t, r in rows.items() if r},
        "sequences": sequences,
    }


def _reset_database(app) -> None:
    """Each test starts from an empty, freshly migrated schema."""
    engine = engine_for(app)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory):
    """A SQLite file at the newest schema, made once per worker and copied for each test."""
    folder = tmp_path_factory.mktemp("migrated")
    url = f"sqlite:///{folder / 'template.sqlite3'}"
    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "DATABASE_URL": url})
    schema.upgrade(engine_for(app))
    engine_for(app).dispose()
    return folder / "template.sqlite3"


@pytest.fixture
def app(tmp_path, _migrated_sqlite):
    url = os.environ.get("GEOSERVICE_TEST_DATABASE_URL")
    if not url:
        shutil.copyfile(_migrated_sqlite, tmp_path / "t.sqlite3")
        url = f"sqlite:///{tmp_path / 't.sqlite3'}"
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
