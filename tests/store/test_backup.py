"""Backup and a tested restore of the embedded SQLite database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from geoservice.store.db import engine_for, session_scope
from geoservice.store.models import Report

GOOD = {"lat": 58.7, "lon": 12.45, "category": "drugs", "time_of_day": "night"}


def count(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(Report))


@pytest.fixture
def sqlite_only(app):
    if engine_for(app).dialect.name != "sqlite":
        pytest.skip("backup/restore commands cover SQLite; PostgreSQL uses pg_dump")


def test_backup_then_restore_brings_the_data_back(app, client, runner, tmp_path, sqlite_only):
    for _ in range(3):
        client.post("/api/v1/reports", json=GOOD)
    target = tmp_path / "backups" / "geoservice-2026-11-27.sqlite3"
    made = runner.invoke(args=["backup", str(target)])
    assert made.exit_code == 0, made.output
    client.post("/api/v1/reports", json=GOOD)
    assert count(app) == 4
    refused = runner.invoke(args=["restore", str(target)])
    assert refused.exit_code != 0 and "--yes" in refused.output
    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert count(app) == 3
    assert client.get("/healthz").status_code == 200


def test_backup_refuses_to_overwrite_and_restore_refuses_garbage(
    app, runner, tmp_path, sqlite_only
):
    target = tmp_path / "b.sqlite3"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "already exists" in again.output
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    before = count(app)
    bad = runner.invoke(args=["restore", str(junk), "--yes"])
    assert bad.exit_code != 0 and "not a geoservice SQLite backup" in bad.output
    assert count(app) == before
