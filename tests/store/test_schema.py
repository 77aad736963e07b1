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


def test_upgrading_fills_in_the_cell_of_concerns_stored_before(tmp_path):
    """0009 adds each concern's hex cell; rows stored before it get theirs too."""
    import h3
    from alembic import command
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = schema.alembic_config(str(engine.url))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0008")
        connection.execute(
            text(
                "INSERT INTO reports (id, created_at, lon, lat, precision, kind, category, "
                "time_of_day, status, receipt, source, is_demo) VALUES ('r1', "
                "'2025-01-01 12:00:00', 12.4535, 58.7005, 'point', 'unsafe', 'drugs', 'night', "
                "'new', 'AAAA-BBBB-CCCC', 'web', 0)"
            )
        )
    schema.upgrade(engine, secret_key="schema-test")
    with engine.connect() as connection:
        cell = connection.execute(text("SELECT cell FROM reports")).scalar_one()
    assert cell == h3.str_to_int(h3.latlng_to_cell(58.7005, 12.4535, 10))
    engine.dispose()
