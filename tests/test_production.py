"""Production settings: a required secret, the proxy's client address, shared rate limits."""

from __future__ import annotations

import uuid

import pytest
import redis

from geoservice import create_app
from geoservice.cli import production_command
from geoservice.store import schema
from geoservice.store.db import engine_for

GOOD = {"lat": 58.7005, "lon": 12.4535, "category": "drugs", "time_of_day": "night"}


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("GEOSERVICE_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="SECRET_KEY must be set"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PRODUCTION": True})
    assert not (tmp_path / "secret_key").exists()


def test_serve_production_refuses_without_the_secret_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("GEOSERVICE_SECRET_KEY", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    result = app.test_cli_runner().invoke(args=["serve", "--production"])
    assert result.exit_code != 0 and "GEOSERVICE_SECRET_KEY" in result.output
    engine_for(app).dispose()


def test_the_production_command_runs_gunicorn_with_workers():
    command = production_command("/venv/bin/gunicorn", "127.0.0.1", 8000, 4)
    assert command[:3] == ["/venv/bin/gunicorn", "--workers", "4"]
    assert "127.0.0.1:8000" in command
    assert command[-1] == "geoservice.web.serving:production_app()"


def test_a_serving_worker_keeps_its_loaded_objects_out_of_the_collectors_walks(
    tmp_path, monkeypatch
):
    import gc

    from geoservice.web.serving import production_app

    monkeypatch.setenv("GEOSERVICE_INSTANCE_PATH", str(tmp_path))
    try:
        app = production_app()
        assert app.name == "geoservice"
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    engine_for(app).dispose()


def test_behind_one_proxy_the_forwarded_client_address_is_used(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "PROXY_COUNT": 1, "TILE_URL": ""}
    )
    seen = []
    app.add_url_rule(
        "/__addr", "addr", lambda: seen.append(__import__("flask").request.remote_addr) or ""
    )
    app.view_functions["addr"].permission = "aggregates"
    from geoservice.web import access

    public = access.PUBLIC_ENDPOINTS
    access.PUBLIC_ENDPOINTS = public | {"addr"}
    try:
        app.test_client().get(
            "/__addr", headers={"X-Forwarded-For": "203.0.113.7"}, base_url="http://10.0.0.2"
        )
    finally:
        access.PUBLIC_ENDPOINTS = public
    assert seen == ["203.0.113.7"]
    engine_for(app).dispose()


@pytest.fixture
def redis_url():
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield url
    redis.Redis.from_url(url).flushdb()


def test_rate_limits_in_redis_hold_across_workers(tmp_path, redis_url):
    """Two app instances (as two gunicorn workers) share one budget per client."""
    apps = []
    for name in ("a", "b"):
        app = create_app(
            {
                "INSTANCE_PATH": str(tmp_path / name),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
                "SECRET_KEY": "x",
                "REDIS_URL": redis_url,
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
                "REPORT_RATE_LIMIT": "2 per minute",
                "TILE_URL": "",
            }
        )
        schema.upgrade(engine_for(app))
        apps.append(app)
    apps[1].config["RATELIMIT_KEY_PREFIX"] = apps[0].config["RATELIMIT_KEY_PREFIX"]
    first, second = (app.test_client() for app in apps)
    assert first.post("/api/v1/reports", json=GOOD).status_code == 201
    assert second.post("/api/v1/reports", json=GOOD).status_code == 201
    assert first.post("/api/v1/reports", json=GOOD).status_code == 429
    assert second.post("/api/v1/reports", json=GOOD).status_code == 429
    for app in apps:
        engine_for(app).dispose()


def test_threads_per_worker_switch_gunicorn_to_its_threaded_workers():
    threaded = production_command("/venv/bin/gunicorn", "127.0.0.1", 8000, 2, threads=4)
    assert threaded[:5] == ["/venv/bin/gunicorn", "--workers", "2", "--threads", "4"]
    assert "--threads" not in production_command("/venv/bin/gunicorn", "127.0.0.1", 8000, 2)
