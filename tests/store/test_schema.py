"""The Alembic migrations build exactly the schema the models declare, on every backend."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from geoservice.store import schema
from geoservice.store.db import engine_for
from geoservice.store.models import Base


def test_migrations_match_the_models(app):
    engine = engine_for(app)
    assert schema.current_revision(engine) == schema.head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent(app):
    engine = engine_for(app)
    assert schema.upgrade(engine) == schema.head_revision()
