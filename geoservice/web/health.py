"""Health check for load balancers and monitoring: reads, writes and free disk space."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from geoservice.store.db import engine_for

bp = Blueprint("health", __name__)

# Below this much free space where the database (SQLite) or the instance folder lives,
# the service reports itself unavailable before writes start failing.
MIN_FREE_BYTES = 64 * 1024 * 1024
PROBE = "healthz-probe"


def _storage_folders() -> list[Path]:
    engine = engine_for(current_app)
    folders = [Path(current_app.instance_path)]
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        folders.append(Path(engine.url.database).resolve().parent)
    return folders


def _free_space_problem() -> tuple[str | None, int | None]:
    least = None
    for folder in _storage_folders():
        # A folder not made yet will be made on the disk of its nearest existing parent.
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        free = shutil.disk_usage(folder).free
        least = free if least is None else min(least, free)
        if free < MIN_FREE_BYTES:
            return f"only {free // (1024 * 1024)} MB free in {folder}", least
    return None, least


def _write_probe() -> str | None:
    """Write a row and roll it back: a full disk or read-only database fails here."""
    engine = engine_for(current_app)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                connection.execute(
                    text("INSERT INTO data_versions (name, version) VALUES (:name, 0)"),
                    {"name": PROBE},
                )
            finally:
                transaction.rollback()
    except SQLAlchemyError as exc:
        original = getattr(exc, "orig", None) or exc
        return (str(original).strip().splitlines() or [type(original).__name__])[0]
    return None


@bp.get("/healthz")
def healthz():
    """200 when the database answers and takes a write and the disk has room; else 503."""
    engine = engine_for(current_app)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable", problems={"database": "does not answer"}), 503
    problems = {}
    write = _write_probe()
    if write:
        problems["write"] = write
    space, free = _free_space_problem()
    if space:
        problems["disk"] = space
    free_mb = None if free is None else free // (1024 * 1024)
    if problems:
        return jsonify(status="unavailable", problems=problems, free_mb=free_mb), 503
    # The contract's answer (SPEC §8), nothing more: monitors compare it whole.
    return jsonify(status="ok")
