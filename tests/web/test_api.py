"""API v1 as a client sees it: each rule of the contract, idempotency and erasure."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from geoservice import create_app
from geoservice.store import schema
from geoservice.store.db import engine_for
from geoservice.store.models import Report

GOOD = {"lat": 58.7005, "lon": 12.4535, "category": "drugs", "time_of_day": "night"}


def stored_count(db_session) -> int:
    db_session.rollback()  # end the previous read snapshot: see what the app committed since
    return db_session.scalar(select(func.count()).select_from(Report))


def test_categories_lists_every_code_with_both_labels(client):
    body = client.get("/api/v1/categories").get_json()
    codes = [c["code"] for c in body]
    assert codes[0] == "drugs" and "other" in codes and len(codes) == 16
    assert all(set(c) == {"code", "label_sv", "label_en", "kind"} for c in body)
    safe = [c["code"] for c in body if c["kind"] == "safe"]
    assert safe == ["safe_lighting", "safe_people", "safe_kept", "safe_staffed"] + [
        "safe_overlooked",
        "safe_other",
    ]
    assert {c["kind"] for c in body if c["code"] in ("drugs", "theft", "other")} == {"unsafe"}


def test_a_concern_is_stored_in_its_area(client, db_session):
    response = client.post("/api/v1/reports", json=GOOD | {"weekend": True})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "receipt", "area"}
    assert body["area"] == {"id": "mellerud-holm", "name": "Mellerud/Holm"}
    row = db_session.get(Report, body["id"])
    assert (row.area_id, row.precision, row.status, row.source) == (
        "mellerud-holm",
        "point",
        "new",
        "api",
    )
    assert row.weekend is True
    assert row.created_at.tzinfo is not None
    assert row.client_key and "127.0.0.1" not in row.client_key


def test_the_same_idempotency_key_returns_the_first_answer(client, db_session):
    body = GOOD | {"idempotency_key": "key-0001-abcdef"}
    first = client.post("/api/v1/reports", json=body)
    again = client.post("/api/v1/reports", json=body)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert stored_count(db_session) == 1


def test_a_replayed_key_with_another_concern_is_refused(client, db_session):
    client.post("/api/v1/reports", json=GOOD | {"idempotency_key": "key-0002-abcdef"})
    other = GOOD | {"idempotency_key": "key-0002-abcdef", "category": "lighting"}
    response = client.post("/api/v1/reports", json=other)
    assert response.status_code == 409
    assert "idempotency_key" in response.get_json()["errors"]
    assert stored_count(db_session) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lat": 57.7, "lon": 11.97}, "lat"),  # Göteborg: outside the municipality
        ({"lat": "58.7"}, "lat"),
        ({"lon": False}, "lon"),
        ({"category": "aliens"}, "category"),
        ({"time_of_day": "teatime"}, "time_of_day"),
        ({"description": "x" * 1001}, "description"),
        ({"description": "bad\u0000byte"}, "description"),
        ({"status": "confirmed"}, "status"),
        ({"area_id": "bolstad"}, "area_id"),
    ],
)
def test_invalid_concerns_get_422_naming_the_field(client, db_session, body, field):
    response = client.post("/api/v1/reports", json=GOOD | body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert field in errors and errors[field]
    assert stored_count(db_session) == 0


@pytest.mark.parametrize(
    "raw",
    [
        '{"lat": NaN, "lon": 12.45, "category": "drugs", "time_of_day": "day"}',
        '{"lat": 58.7, "lon": Infinity, "category": "drugs", "time_of_day": "day"}',
    ],
)
def test_json_nan_and_infinity_are_refused(client, db_session, raw):
    response = client.post("/api/v1/reports", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert stored_count(db_session) == 0


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 5000 + "]" * 5000,
        '{"a":' * 3000 + "1" + "}" * 3000,
        '{"lat": ' + "1" * 5000 + "}",
        '{"lat": 58.7, "lat": 58.8}',
        "not json",
    ],
)
def test_unreadable_bodies_get_400_not_500(client, db_session, raw):
    response = client.post("/api/v1/reports", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"]
    assert stored_count(db_session) == 0


def test_form_encoded_body_to_the_json_route_is_refused(client, db_session):
    response = client.post("/api/v1/reports", data={"lat": "58.7"})
    assert response.status_code == 415
    assert stored_count(db_session) == 0


def test_oversized_body_gets_413(client, db_session):
    big = GOOD | {"description": "x" * 70_000}
    response = client.post("/api/v1/reports", json=big)
    assert response.status_code == 413
    assert "errors" in response.get_json()
    assert stored_count(db_session) == 0


def test_too_many_submissions_get_429_with_retry_after(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "limited"),
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": True,
            "REPORT_RATE_LIMIT": "2 per minute",
            "TILE_URL": "",
        }
    )
    schema.upgrade(engine_for(app))
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    codes = [client.post("/api/v1/reports", json=GOOD).status_code for _ in range(3)]
    form_after = client.post("/", data={"csrf_token": token})
    assert codes == [201, 201, 429]
    limited = client.post("/api/v1/reports", json=GOOD)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["errors"]
    # The form and the API share one budget per client.
    assert form_after.status_code == 429
    engine_for(app).dispose()


def test_receipt_shows_status_and_only_that_concern(client):
    mine = client.post("/api/v1/reports", json=GOOD | {"description": "min text"}).get_json()
    client.post("/api/v1/reports", json=GOOD | {"description": "någon annans text"})
    body = client.get(f"/api/v1/reports/{mine['receipt']}").get_json()
    assert body["status"] == "new" and body["receipt"] == mine["receipt"]
    assert body["description"] == "min text"
    assert "någon annans" not in str(body)
    # Lower case and without dashes is the same code.
    typed = mine["receipt"].replace("-", "").lower()
    assert client.get(f"/api/v1/reports/{typed}").status_code == 200


def test_unknown_receipt_is_404(client):
    assert client.get("/api/v1/reports/AAAA-BBBB-CCCC").status_code == 404
    assert client.delete("/api/v1/reports/AAAA-BBBB-CCCC").status_code == 404
    assert client.get("/api/v1/reports/nonsense").status_code == 404


def test_erasure_removes_the_row(client, db_session):
    receipt = client.post("/api/v1/reports", json=GOOD).get_json()["receipt"]
    assert client.delete(f"/api/v1/reports/{receipt}").status_code == 204
    assert client.get(f"/api/v1/reports/{receipt}").status_code == 404
    assert stored_count(db_session) == 0


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
