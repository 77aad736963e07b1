"""A battery of hostile inputs across the form, the JSON API and file imports.

Each must get a 4xx with a clear message, store nothing, and never cause a 5xx.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from geoservice.store.models import Report

GOOD = {"lat": 58.7005, "lon": 12.4535, "category": "drugs", "time_of_day": "night"}
BORDER_POINT = None  # filled from the shipped outline in the test below


def stored(db_session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(Report))


def raw(client, body: str | bytes, content_type: str = "application/json"):
    return client.post("/api/v1/reports", data=body, content_type=content_type)


JSON_CASES = {
    "nan": '{"lat": NaN, "lon": 12.45, "category": "drugs", "time_of_day": "day"}',
    "infinity": '{"lat": 58.7, "lon": -Infinity, "category": "drugs", "time_of_day": "day"}',
    "out_of_range": json.dumps(GOOD | {"lat": 158.7}),
    "swapped": json.dumps(GOOD | {"lat": 12.4535, "lon": 58.7005}),
    "numeric_strings": json.dumps(GOOD | {"lat": "58.7005"}),
    "boolean_as_number": json.dumps(GOOD | {"lon": True}),
    "five_thousand_digits": '{"lat": ' + "5" * 5000 + ', "lon": 12.45}',
    "huge_float": json.dumps(GOOD | {"lat": 1e308}),
    "deep_nesting": '{"lat": ' + "[" * 10_000 + "]" * 10_000 + "}",
    "lone_surrogate": json.dumps(GOOD | {"description": "a\ud800b"}),
    "nul_byte": json.dumps(GOOD | {"description": "a\u0000b"}),
    "rtl_override": json.dumps(GOOD | {"suggestion": "abc\u202edcba"}),
    "zero_width": json.dumps(GOOD | {"description": "mörk\u200bgata"}),
    "duplicate_keys": '{"lat": 58.7, "lat": 58.8, "lon": 12.45, "category": "drugs"}',
    "extra_status_field": json.dumps(GOOD | {"status": "confirmed"}),
    "extra_area_field": json.dumps(GOOD | {"area_id": "bolstad"}),
    "text_too_long": json.dumps(GOOD | {"description": "ä" * 1001}),
    "array_body": json.dumps([GOOD]),
    "null_body": "null",
    "category_as_list": json.dumps(GOOD | {"category": ["drugs"]}),
    "weekend_as_string": json.dumps(GOOD | {"weekend": "yes"}),
    "invalid_utf8": b'{"description": "\xff\xfe"}',
    "script_injection_key": json.dumps(GOOD | {"<script>alert(1)</script>": 1}),
}


@pytest.mark.parametrize("name", sorted(JSON_CASES))
def test_hostile_json_is_refused_with_a_message(client, db_session, name):
    response = raw(client, JSON_CASES[name])
    assert 400 <= response.status_code < 500, (name, response.status_code)
    errors = response.get_json()["errors"]
    assert errors and all(isinstance(m, str) and m for m in errors.values())
    assert "<script>" not in response.get_data(as_text=True)
    assert stored(db_session) == 0


def test_form_encoded_body_to_the_json_route(client, db_session):
    response = client.post("/api/v1/reports", data={"lat": "58.7", "lon": "12.45"})
    assert response.status_code == 415 and stored(db_session) == 0


def test_oversized_body(client, db_session):
    response = raw(client, json.dumps(GOOD | {"description": "x" * 100_000}))
    assert response.status_code == 413 and stored(db_session) == 0


def test_chunked_oversized_body(client, db_session):
    body = b'{"description": "' + b"x" * 200_000 + b'"}'
    response = client.post(
        "/api/v1/reports",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        # What a WSGI server (gunicorn) sets for a chunked body without Content-Length.
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413 and stored(db_session) == 0


def test_points_on_and_just_outside_the_municipal_border(app, client, db_session):
    import shapely

    from geoservice.store.areas import shipped_layer

    layer = shipped_layer()
    outline = layer.outline.geometry.iloc[0]
    ring = outline.geoms[0].exterior if hasattr(outline, "geoms") else outline.exterior
    x, y = ring.coords[0]
    on_border = client.post("/api/v1/reports", json=GOOD | {"lat": y, "lon": x})
    # A point exactly on the border counts as inside (core/places/assign.py's edge rule).
    assert on_border.status_code == 201
    # Just west of the westernmost vertex lies outside whatever the outline's shape.
    west_x, west_y = min(ring.coords, key=lambda c: c[0])
    outward_x, outward_y = west_x - 0.0005, west_y
    assert not shapely.intersects_xy(outline, outward_x, outward_y)
    outside = client.post("/api/v1/reports", json=GOOD | {"lat": outward_y, "lon": outward_x})
    assert outside.status_code == 422 and "outside" in outside.get_json()["errors"]["lat"]
    assert stored(db_session) == 1


def _form(client, **fields):
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {
        "csrf_token": token,
        "lat": "58.7005",
        "lon": "12.4535",
        "category": "drugs",
        "time_of_day": "night",
    }
    data.update(fields)
    return client.post("/", data=data)


@pytest.mark.parametrize(
    "fields",
    [
        {"description": "<script>alert('x')</script>" + "\u202e"},
        {"lat": "NaN"},
        {"lat": "1e400"},
        {"lon": "12.45; DROP TABLE reports"},
        {"description": "a\x00b"},
        {"category": "drugs' OR '1'='1"},
        {"area_id": "../../etc/passwd", "lat": "", "lon": ""},
    ],
)
def test_hostile_form_input_is_refused(client, db_session, fields):
    response = _form(client, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page and 'id="error-summary"' in page
    assert stored(db_session) == 0


def test_script_in_an_accepted_text_is_escaped_on_the_receipt_page(client):
    body = GOOD | {"description": "<script>alert('x')</script>"}
    receipt = client.post("/api/v1/reports", json=body).get_json()["receipt"]
    page = client.get(f"/kvitto/{receipt}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def _polygon_file(tmp_path, geometry, name="hostile.geojson"):
    import geopandas as gpd

    path = tmp_path / name
    gpd.GeoDataFrame(
        {"id": ["a"], "name": ["A"], "population": [100]}, geometry=[geometry], crs=4326
    ).to_file(path)
    return path


def test_a_polygon_with_200000_vertices_is_refused(app, client, runner, tmp_path):
    import numpy as np
    from shapely.geometry import Polygon

    angles = np.linspace(0, 2 * np.pi, 200_000, endpoint=False)
    ring = np.column_stack([12.45 + 0.1 * np.cos(angles), 58.7 + 0.05 * np.sin(angles)])
    client.post("/api/v1/reports", json=GOOD)
    result = runner.invoke(args=["import-boundaries", str(_polygon_file(tmp_path, Polygon(ring)))])
    assert result.exit_code != 0 and "vertices" in result.output
    assert client.get("/api/v1/areas").get_json()["features"][0]["id"] == "bolstad"


def test_a_self_intersecting_polygon_is_repaired_or_refused_never_a_crash(runner, tmp_path):
    from shapely.geometry import Polygon

    bow_tie = Polygon([(12.3, 58.6), (12.6, 58.8), (12.6, 58.6), (12.3, 58.8)])
    result = runner.invoke(args=["import-boundaries", str(_polygon_file(tmp_path, bow_tie))])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "repaired" in result.output or "Error" in result.output


def test_hostile_rows_in_a_report_file_are_each_refused(runner, tmp_path, db_session):
    path = tmp_path / "hostile.csv"
    path.write_text(
        "lat,lon,category,time_of_day,description\n"
        "NaN,12.45,drugs,night,\n"
        '58.7,12.45,drugs,night,=HYPERLINK("http://evil")\u202e\n'
        "12.45,58.7,drugs,night,\n"
        "58.7,12.45,<script>,night,\n"
        "58.7,12.45,drugs,night,a\x00b\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-reports", str(path)])
    assert result.exit_code != 0
    assert all(f"row {row}: rejected" in result.output for row in range(2, 7))
    assert "0 valid rows, 5 rejected" in result.output
    assert stored(db_session) == 0
