"""The receipt migration: stored codes become keyed hashes, and the old codes keep working.

Runs on SQLite, and on PostgreSQL when GEOSERVICE_TEST_DATABASE_URL names one.
"""

from __future__ import annotations

import importlib.util

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from geoservice.store import schema
from geoservice.store.reports import find_by_receipt, receipt_digest
from geoservice.store.schema import MIGRATIONS_DIR
from tests.conftest import postgres_test_url

SECRET = "migration-secret"
OLD_CODES = ("7KQ2-M9XD-4RTP", "AAAA-BBBB-CCCC")


def _load_migration():
    path = next(MIGRATIONS_DIR.glob("versions/*i15_receipt_hash.py"))
    spec = importlib.util.spec_from_file_location("i15_receipt_hash", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path):
    """An engine on a database at revision 0009 holding two concerns with plain codes."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    else:
        url = postgres_test_url()
        if url is None:
            pytest.skip("set GEOSERVICE_TEST_DATABASE_URL to a PostgreSQL database")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    cfg = schema.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0009")
        for number, code in enumerate(OLD_CODES):
            connection.execute(
                text(
                    "INSERT INTO reports (id, created_at, lon, lat, precision, kind, category, "
                    "time_of_day, status, receipt, source, is_demo, idempotency_key) VALUES "
                    f"('r{number}', '2025-01-01 12:00:00', 12.4535, 58.7005, 'point', "
                    f"'unsafe', 'drugs', 'night', 'new', :code, 'web', false, 'key-{number}-x')"
                ),
                {"code": code},
            )
    yield engine
    engine.dispose()


def test_the_migration_hashes_every_stored_code_and_drops_the_codes(old_database):
    schema.upgrade(old_database, secret_key=SECRET)
    columns = {c["name"] for c in inspect(old_database).get_columns("reports")}
    assert "receipt" not in columns and {"receipt_hash", "place_note"} <= columns
    with old_database.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, receipt_hash FROM reports")).all())
        dumped = " ".join(
            str(v) for row in connection.execute(text("SELECT * FROM reports")) for v in row
        )
    assert stored == {f"r{i}": receipt_digest(SECRET, code) for i, code in enumerate(OLD_CODES)}
    for code in OLD_CODES:
        assert code not in dumped and code.replace("-", "") not in dumped


def test_old_codes_still_open_their_concern_after_the_migration(old_database):
    from sqlalchemy.orm import Session

    schema.upgrade(old_database, secret_key=SECRET)
    with Session(old_database) as session:
        for number, code in enumerate(OLD_CODES):
            typed = code.lower().replace("-", " ").replace("0", "o")
            found = find_by_receipt(session, typed, secret=SECRET, floor_s=0)
            assert found is not None and found.id == f"r{number}"
        assert find_by_receipt(session, OLD_CODES[0], secret="another key", floor_s=0) is None


def test_a_database_with_concerns_is_not_migrated_without_the_secret(old_database):
    with pytest.raises(RuntimeError, match="secret key"):
        schema.upgrade(old_database)
    with old_database.connect() as connection:
        codes = connection.execute(text("SELECT receipt FROM reports ORDER BY id")).scalars()
        assert tuple(codes) == OLD_CODES  # nothing half-done: still the old schema


def test_the_migration_hashes_as_the_store_does():
    assert _load_migration()._digest(SECRET, OLD_CODES[0]) == receipt_digest(SECRET, OLD_CODES[0])


def test_downgrade_restores_the_columns(old_database):
    schema.upgrade(old_database, secret_key=SECRET)
    cfg = schema.alembic_config(old_database.url.render_as_string(hide_password=False))
    with old_database.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0009")
    columns = {c["name"] for c in inspect(old_database).get_columns("reports")}
    assert "receipt" in columns and "receipt_hash" not in columns
