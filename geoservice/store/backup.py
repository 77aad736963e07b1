"""Online backup and restore of the embedded SQLite database (PostgreSQL: pg_dump)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine


class BackupError(ValueError):
    """A backup or restore could not be made; the message says why."""


def _sqlite_path(engine: Engine) -> Path:
    if engine.dialect.name != "sqlite":
        raise BackupError(
            "backup/restore here is for the embedded SQLite database; for PostgreSQL use "
            "pg_dump and pg_restore (docs/deployment.md)"
        )
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("the database is not a file")
    return Path(database)


def backup(engine: Engine, target: Path) -> int:
    """Copy the live database to ``target`` with SQLite's online backup; return its size.

    Writers may go on meanwhile: the backup API copies a consistent snapshot.
    """
    source = _sqlite_path(engine)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
    return target.stat().st_size


def restore(engine: Engine, source: Path, *, head_revision: str) -> str:
    """Replace the live database's contents with the backup ``source``.

    The backup must be a SQLite database carrying this code's schema revision (or an
    older one, upgraded afterwards by ``init-db``); anything else is refused before a
    byte of the live database changes.
    """
    target = _sqlite_path(engine)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as check:
            check.execute("PRAGMA quick_check").fetchone()
            revision = check.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a geoservice SQLite backup ({exc})") from None
    if (
        revision is None
        or not (revision[0].isascii() and revision[0].isdigit())
        or revision[0] > head_revision
    ):
        raise BackupError(f"{source} has schema revision {revision}, unknown to this version")
    engine.dispose()
    with closing(sqlite3.connect(source)) as backup_db, closing(sqlite3.connect(target)) as live:
        backup_db.backup(live)
    return revision[0]
