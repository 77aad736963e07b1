"""Create or upgrade the schema with Alembic; the migrations ship inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app, has_app_context
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the packaged migrations and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, *, secret_key: str | None = None) -> str:
    """Apply every pending migration; return the revision now in force.

    ``secret_key`` is the app's secret, which a migration that hashes stored secrets
    (receipt codes) needs; by default the current app's, when there is one.
    """
    if secret_key is None and has_app_context():
        secret_key = current_app.config.get("SECRET_KEY")
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        cfg.attributes["secret_key"] = secret_key
        command.upgrade(cfg, "head")
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """Return the schema revision the database carries (None when never initialised)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """Return the newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
