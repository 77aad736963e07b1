"""Access can be withdrawn: tokens expire and are revoked, accounts disabled, guesses throttled."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import select

from geoservice import create_app
from geoservice.store import schema
from geoservice.store.accounts import create_token, create_user
from geoservice.store.db import engine_for, session_scope
from geoservice.store.models import ApiToken, StaffSession
from tests.conftest import STAFF_PASSWORD, csrf_token_from


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_expires_and_is_listed_with_its_last_use(app, client, runner, make_user):
    make_user("police", "anna")
    made = runner.invoke(args=["create-token", "anna", "--days", "30"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[0]
    assert client.get("/api/v1/reports", headers=bearer(token)).status_code == 200
    with session_scope(app) as session:
        row = session.scalar(select(ApiToken))
        assert row.expires_at - row.created_at == timedelta(days=30)
        assert row.last_used_at is not None
    listing = runner.invoke(args=["list-tokens"]).output
    assert "anna" in listing and "last used 20" in listing and "active" in listing
    assert token not in listing
    # The default lifetime is GEOSERVICE_TOKEN_DAYS (90).
    with session_scope(app) as session:
        old = create_token(session, "anna", now=datetime.now(UTC) - timedelta(days=91))
        row = session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
        assert row.expires_at - row.created_at == timedelta(days=90)
    assert client.get("/api/v1/reports", headers=bearer(old)).status_code == 401
    assert "expired" in runner.invoke(args=["list-tokens"]).output


def test_revoke_token_by_id_by_token_and_by_account(app, client, runner, make_user):
    make_user("municipality", "bo")
    tokens = [runner.invoke(args=["create-token", "bo"]).stdout.split()[0] for _ in range(3)]
    assert all(client.get("/api/v1/reports", headers=bearer(t)).status_code == 200 for t in tokens)
    with session_scope(app) as session:
        first_id = session.scalars(select(ApiToken.id).order_by(ApiToken.id)).first()
    assert runner.invoke(args=["revoke-token", str(first_id)]).exit_code == 0
    assert client.get("/api/v1/reports", headers=bearer(tokens[0])).status_code == 401
    leaked = runner.invoke(args=["revoke-token", tokens[1]])
    assert leaked.exit_code == 0 and "Revoked 1" in leaked.output
    assert client.get("/api/v1/reports", headers=bearer(tokens[1])).status_code == 401
    assert client.get("/api/v1/reports", headers=bearer(tokens[2])).status_code == 200
    again = runner.invoke(args=["revoke-token", tokens[1]])
    assert again.exit_code != 0 and "no token in force" in again.output
    assert runner.invoke(args=["revoke-token", "--user", "bo"]).exit_code == 0
    assert client.get("/api/v1/reports", headers=bearer(tokens[2])).status_code == 401
    unknown = runner.invoke(args=["revoke-token", "--user", "nobody"])
    assert unknown.exit_code != 0 and "no user named" in unknown.output
    assert "Traceback" not in unknown.output


def test_disable_user_ends_sessions_logins_and_tokens(app, client, runner, login):
    login("police", "cecilia")
    token = runner.invoke(args=["create-token", "cecilia"]).stdout.split()[0]
    assert client.get("/personal/moderering").status_code == 200
    result = runner.invoke(args=["disable-user", "cecilia"])
    assert result.exit_code == 0, result.output
    with session_scope(app) as session:
        assert session.scalars(select(StaffSession)).all() == []
    assert client.get("/personal/moderering").status_code == 302
    assert client.get("/api/v1/reports", headers=bearer(token)).status_code == 401
    refused = client.post(
        "/personal/logga-in",
        data={"name": "cecilia", "password": STAFF_PASSWORD, "csrf_token": csrf_token_from(client)},
    )
    assert refused.status_code == 401
    token_refused = runner.invoke(args=["create-token", "cecilia"])
    assert token_refused.exit_code != 0 and "disabled" in token_refused.output
    assert runner.invoke(args=["disable-user", "cecilia", "--enable"]).exit_code == 0
    assert client.get("/api/v1/reports", headers=bearer(token)).status_code == 200


def test_the_admin_page_lists_and_withdraws_access(app, client, login, make_user, runner):
    make_user("police", "dora")
    token = runner.invoke(args=["create-token", "dora"]).stdout.split()[0]
    client.get("/api/v1/reports", headers=bearer(token))
    login("admin", "root")
    page = client.get("/personal/admin/konton")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="account-dora"' in text and 'id="tokens"' in text
    assert token not in text
    with session_scope(app) as session:
        token_id = session.scalar(select(ApiToken.id))
    csrf = csrf_token_from(client, "/personal/admin/konton")
    revoked = client.post(
        f"/personal/admin/nycklar/{token_id}/aterkalla", data={"csrf_token": csrf}
    )
    assert revoked.status_code == 303
    assert client.get("/api/v1/reports", headers=bearer(token)).status_code == 401
    disabled = client.post("/personal/admin/konton/dora/inaktivera", data={"csrf_token": csrf})
    assert disabled.status_code == 303
    assert "Inaktiverat" in client.get("/personal/admin/konton").get_data(as_text=True)
    assert (
        client.post(
            "/personal/admin/konton/nobody/inaktivera", data={"csrf_token": csrf}
        ).status_code
        == 404
    )
    mine = client.post("/personal/admin/konton/root/inaktivera", data={"csrf_token": csrf})
    assert mine.status_code == 400


@pytest.mark.parametrize("role", ["police", "municipality", "bra"])
def test_only_admins_withdraw_access(client, login, role):
    login(role)
    assert client.get("/personal/admin/konton").status_code == 403


def limited_app(tmp_path, name: str, **extra):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / name),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
            "SECRET_KEY": "t",
            "RATELIMIT_ENABLED": True,
            "TILE_URL": "",
            **extra,
        }
    )
    schema.upgrade(engine_for(app))
    return app


def guess(client, name: str, address: str) -> int:
    return client.post(
        "/personal/logga-in",
        data={"name": name, "password": "wrong guess", "csrf_token": csrf_token_from(client)},
        environ_base={"REMOTE_ADDR": address},
    ).status_code


def test_login_guesses_are_throttled_per_account_across_addresses(tmp_path):
    app = limited_app(tmp_path, "one")
    with session_scope(app) as session:
        create_user(session, "erik", "police", STAFF_PASSWORD)
    client = app.test_client()
    codes = [guess(client, "erik", f"10.0.0.{i}") for i in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429], codes
    # Another account is not locked by guesses at this one.
    assert guess(client, "frida", "10.0.0.99") == 401
    engine_for(app).dispose()


@pytest.fixture
def redis_url():
    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield url
    redis.Redis.from_url(url).flushdb()


def test_account_throttling_is_shared_by_workers_through_redis(tmp_path, redis_url):
    prefix = uuid.uuid4().hex
    workers = [
        limited_app(tmp_path, name, REDIS_URL=redis_url, RATELIMIT_KEY_PREFIX=prefix)
        for name in ("a", "b")
    ]
    clients = [app.test_client() for app in workers]
    codes = [guess(clients[i % 2], "gustav", f"10.1.0.{i}") for i in range(6)]
    assert codes == [401] * 5 + [429], codes
    for app in workers:
        engine_for(app).dispose()


def test_serve_production_without_redis_refuses_unless_told(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("GEOSERVICE_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("GEOSERVICE_REDIS_URL", raising=False)
    # serve --production marks the environment for the gunicorn it execs; with execv
    # stubbed that mark would stay behind for every later test of this process.
    monkeypatch.setenv("GEOSERVICE_PRODUCTION", "false")  # so that teardown removes it
    monkeypatch.delenv("GEOSERVICE_PRODUCTION")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40, "TILE_URL": ""})
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["serve", "--production", "--workers", "3"])
    assert refused.exit_code != 0 and "GEOSERVICE_REDIS_URL is unset" in refused.output
    assert "3 times" in refused.output
    started = []
    monkeypatch.setattr(os, "execv", lambda path, argv: started.append(argv))
    told = runner.invoke(args=["serve", "--production", "--workers", "3", "--without-redis"])
    assert told.exit_code == 0, told.output
    assert "WARNING: GEOSERVICE_REDIS_URL is unset" in told.stderr and started
    unreachable = (
        create_app(
            {
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": "x",
                "REDIS_URL": "redis://127.0.0.1:1/0",
            }
        )
        .test_cli_runner()
        .invoke(args=["serve", "--production"])
    )
    assert unreachable.exit_code != 0 and "cannot reach Redis" in unreachable.output
    engine_for(app).dispose()


@pytest.mark.parametrize(
    "target",
    [
        "/%0A/x",
        "/\n/x",
        "/%09/evil.example",
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "/%5Cevil.example",
        "/%2F/evil.example",
        "/%2f%2fevil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/ /x",
        "/\r\n/x",
        "/\u2028/x",
        "",
    ],
)
def test_login_next_accepts_only_a_plain_same_site_path(client, make_user, target):
    make_user("police", "hanna")
    form = client.get("/personal/logga-in", query_string={"next": target})
    assert form.status_code == 200
    response = client.post(
        "/personal/logga-in",
        data={
            "name": "hanna",
            "password": STAFF_PASSWORD,
            "csrf_token": csrf_token_from(client),
            "next": target,
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/personal/"


def test_login_next_keeps_a_plain_path(client, make_user):
    make_user("police", "ivar")
    response = client.post(
        "/personal/logga-in",
        data={
            "name": "ivar",
            "password": STAFF_PASSWORD,
            "csrf_token": csrf_token_from(client),
            "next": "/personal/hotspots?from=2026-01-01&category=drugs",
        },
    )
    assert response.headers["Location"] == "/personal/hotspots?from=2026-01-01&category=drugs"


def test_the_raw_query_string_with_a_newline_does_not_fail(client, make_user):
    make_user("police", "jonna")
    assert client.get("/personal/logga-in?next=/%0A/x").status_code == 200
    response = client.post(
        "/personal/logga-in?next=/%0A/x",
        data={
            "name": "jonna",
            "password": STAFF_PASSWORD,
            "csrf_token": csrf_token_from(client),
            "next": "/\n/x",
        },
    )
    assert response.status_code == 303 and "\n" not in response.headers["Location"]
