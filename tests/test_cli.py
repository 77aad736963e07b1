"""The command line: schema creation and the demo data."""

from __future__ import annotations

from sqlalchemy import func, inspect, select

from geoservice import create_app
from geoservice.store import schema
from geoservice.store.db import engine_for, session_scope
from geoservice.store.models import Report


def test_init_db_creates_then_reports_the_schema_is_current(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst"), "SECRET_KEY": "x"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "upgraded from empty" in first.output
    assert "reports" in inspect(engine_for(app)).get_table_names()
    second = runner.invoke(args=["init-db"])
    assert "already at revision" in second.output
    assert schema.current_revision(engine_for(app)) == schema.head_revision()
    engine_for(app).dispose()


def test_default_database_is_a_sqlite_file_in_the_instance_folder(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'geoservice.sqlite3'}"
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    again = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
    engine_for(app).dispose()
    engine_for(again).dispose()


def test_seed_demo_adds_flagged_rows_and_remove_deletes_exactly_them(app, runner, client):
    client.post(
        "/api/v1/reports",
        json={"lat": 58.7, "lon": 12.45, "category": "drugs", "time_of_day": "night"},
    )
    added = runner.invoke(args=["seed-demo", "--count", "300"])
    assert added.exit_code == 0, added.output
    with session_scope(app) as session:
        demo = session.scalar(select(func.count()).where(Report.is_demo.is_(True)))
        areas = set(session.scalars(select(Report.area_id).where(Report.is_demo.is_(True))))
        assert demo >= 290
        assert areas == {
            "bolstad",
            "fagerlid-jarn",
            "mellerud-holm",
            "rostock-dalskog-or",
            "skallerud",
        }
        assert session.scalar(select(func.count()).where(Report.source == "demo")) == demo
    removed = runner.invoke(args=["seed-demo", "--remove"])
    assert f"Removed {demo}" in removed.output
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 1


def test_create_user_reads_the_password_from_stdin(app, runner):
    created = runner.invoke(
        args=["create-user", "kommunpolis", "--role", "police"], input="a long enough secret\n"
    )
    assert created.exit_code == 0, created.output
    assert "a long enough secret" not in created.output
    again = runner.invoke(
        args=["create-user", "kommunpolis", "--role", "police"], input="a long enough secret\n"
    )
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["create-user", "x", "--role", "bra"], input="short\n")
    assert short.exit_code != 0 and "at least 12" in short.output
    bad_role = runner.invoke(args=["create-user", "y", "--role", "mayor"], input="x" * 20 + "\n")
    assert bad_role.exit_code != 0


def test_create_token_prints_a_token_once_and_stores_its_hash(app, runner):
    from geoservice.store.models import ApiToken

    runner.invoke(args=["create-user", "analys", "--role", "bra"], input="a long enough secret\n")
    token = runner.invoke(args=["create-token", "analys"]).output.strip()
    assert token.startswith("gst_") and len(token) > 30
    with session_scope(app) as session:
        stored = session.scalar(select(ApiToken.token_hash))
    assert stored != token and token not in stored
    missing = runner.invoke(args=["create-token", "nobody"])
    assert missing.exit_code != 0 and "no user named" in missing.output
