"""A command on an uninitialised or unreachable database says so plainly, no traceback."""

from __future__ import annotations

import pytest

from geoservice import create_app
from geoservice.store.db import engine_for

COMMANDS = [
    ["boundaries", "list"],
    ["boundaries", "rollback"],
    ["list-tokens"],
    ["create-token", "anyone"],
    ["revoke-token", "1"],
    ["disable-user", "anyone"],
    ["purge", "--dry-run"],
    ["seed-demo", "--remove"],
]


@pytest.fixture
def fresh_app(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
            "SECRET_KEY": "x",
        }
    )
    yield app
    engine_for(app).dispose()


@pytest.mark.parametrize("args", COMMANDS)
def test_an_uninitialised_database_is_named_with_the_fix(fresh_app, args):
    result = fresh_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1, result.output
    assert "has no schema yet: run `geoservice init-db` first" in result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )


def test_an_unreachable_database_is_named(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/nothing",
            "SECRET_KEY": "x",
        }
    )
    result = app.test_cli_runner().invoke(args=["list-tokens"])
    assert result.exit_code == 1 and "cannot reach the database" in result.output
    assert "Traceback" not in result.output


def test_after_init_db_the_command_runs(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["list-tokens"]).output.strip() == "No API tokens."


def _wrapping_depth(function) -> int:
    depth = 0
    while hasattr(function, "__wrapped__"):
        function, depth = function.__wrapped__, depth + 1
    return depth


def test_creating_many_apps_does_not_nest_the_schema_check(tmp_path):
    """The commands are shared by every app of a process: the check wraps each only once."""
    from geoservice.cli import seed_demo

    create_app({"INSTANCE_PATH": str(tmp_path / "first"), "SECRET_KEY": "x"})
    depth = _wrapping_depth(seed_demo.callback)
    for n in range(3):
        create_app({"INSTANCE_PATH": str(tmp_path / f"i{n}"), "SECRET_KEY": "x"})
    assert _wrapping_depth(seed_demo.callback) == depth
