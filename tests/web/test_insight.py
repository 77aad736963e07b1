"""The public map and GET /api/v1/areas: figures, filters, k-protection, cache and leaks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from geoservice.core.privacy.periods import latest_published
from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import Report
from geoservice.web import insight
from geoservice.web.access import PUBLIC_ENDPOINTS
from geoservice.web.insight import default_months, local_today

# A distinctive point inside Mellerud/Holm: its digits must never appear in public output.
SECRET_LAT, SECRET_LON = 58.7012345, 12.4543217
SECRET_TEXT = "Hemlig-fritext-4711"
# Public figures count months that are over: the concerns are planted in the latest one.
LAST_MONTH = latest_published(local_today())
NOW = datetime(LAST_MONTH.year, LAST_MONTH.month, 14, 19, 37, tzinfo=UTC)
AREA_POINTS = {
    "mellerud-holm": (SECRET_LON, SECRET_LAT),
    "bolstad": (12.40, 58.60),
    "skallerud": (12.45, 58.80),
}


def add_reports(app, area_id: str, n: int, **fields) -> None:
    lon, lat = AREA_POINTS[area_id]
    with session_scope(app) as session:
        for _ in range(n):
            values = {
                "lon": lon,
                "lat": lat,
                "category": "drugs",
                "time_of_day": "night",
                "area_id": area_id,
                "created_at": NOW,
                "description": SECRET_TEXT,
                "suggestion": SECRET_TEXT,
            }
            values.update(fields)
            session.add(Report(**values))
        bump_version(session)


def properties(response) -> dict[str, dict]:
    return {f["properties"]["id"]: f["properties"] for f in response.get_json()["features"]}


def published_numbers(value, skip=("population", "k", "rate_per_1000")):
    """Every count in a JSON document (not populations, k, or rates of published counts)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in skip and key != "geometry":
                yield from published_numbers(item, skip)
    elif isinstance(value, list):
        for item in value:
            yield from published_numbers(item, skip)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield value


def test_areas_api_has_the_contracted_shape(client, app):
    add_reports(app, "mellerud-holm", 12)
    response = client.get("/api/v1/areas")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 5
    for feature in body["features"]:
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert {"id", "name", "population", "count", "rate_per_1000", "suppressed"} <= set(
            feature["properties"]
        )
    holm = properties(response)["mellerud-holm"]
    assert holm["count"] == 12 and holm["suppressed"] is False
    assert holm["rate_per_1000"] == pytest.approx(12 / 2672 * 1000, abs=0.01)
    assert sum(f["properties"]["population"] for f in body["features"]) == 9235


def test_small_counts_are_hidden_and_cannot_be_subtracted(client, app):
    add_reports(app, "mellerud-holm", 20)
    add_reports(app, "bolstad", 3)
    body = client.get("/api/v1/areas").get_json()
    props = properties(client.get("/api/v1/areas"))
    assert props["bolstad"]["count"] is None and props["bolstad"]["suppressed"] is True
    assert props["bolstad"]["rate_per_1000"] is None
    hidden = [p for p in props.values() if p["suppressed"]]
    # One hidden area and a published total would give it away by subtraction.
    assert len(hidden) >= 2 or body["total"] is None
    assert not [n for n in published_numbers(body) if 0 < n < 5]


def test_category_filter_reads_from_the_same_protected_table(client, app):
    add_reports(app, "mellerud-holm", 9, category="drugs")
    add_reports(app, "mellerud-holm", 2, category="lighting")
    add_reports(app, "skallerud", 8, category="lighting")
    whole = properties(client.get("/api/v1/areas"))
    lighting = properties(client.get("/api/v1/areas", query_string={"category": "lighting"}))
    assert whole["mellerud-holm"]["category_mix"]["lighting"] is None
    assert lighting["mellerud-holm"]["count"] is None
    assert lighting["skallerud"]["count"] == whole["skallerud"]["category_mix"]["lighting"] == 8


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2025-13"}, "from"),
        ({"from": "2025-03-01"}, "from"),
        ({"from": "2025-05", "to": "2025-01"}, "to"),
        ({"category": "ufo"}, "category"),
        ({"time_of_day": "noon"}, "time_of_day"),
        ({"category": "drugs", "time_of_day": "night"}, "time_of_day"),
        # Ranges of several months would subtract to the months inside them.
        ({"from": "2025-01", "to": "2025-03"}, "to"),
        # The current month is not over: its figures would grow day by day.
        ({"from": local_today().strftime("%Y-%m")}, "from"),
        ({"from": "2999-01"}, "from"),
    ],
)
def test_filters_that_are_not_coarse_or_known_get_422(client, query, field):
    response = client.get("/api/v1/areas", query_string=query)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_period_filter_counts_whole_months(client, app):
    add_reports(app, "mellerud-holm", 6, created_at=datetime(2024, 3, 31, 21, 30, tzinfo=UTC))
    # 21:30 UTC on 31 March is 23:30 in Stockholm: still March.
    march = properties(
        client.get("/api/v1/areas", query_string={"from": "2024-03", "to": "2024-03"})
    )
    april = properties(
        client.get("/api/v1/areas", query_string={"from": "2024-04", "to": "2024-04"})
    )
    assert march["mellerud-holm"]["count"] == 6
    assert april["mellerud-holm"]["count"] == 0


def test_a_published_month_never_changes(client, app, monkeypatch):
    add_reports(app, "mellerud-holm", 7)
    first = client.get("/api/v1/areas").data
    assert properties(client.get("/api/v1/areas"))["mellerud-holm"]["count"] == 7
    # A concern today belongs to this month, which is not published.
    receipt = client.post(
        "/api/v1/reports",
        json={"lat": 58.7, "lon": 12.45, "category": "theft", "time_of_day": "day"},
    ).get_json()["receipt"]
    client.delete(f"/api/v1/reports/{receipt}")
    # A revision of last month (moderation, a late concern) changes nothing published:
    # two versions of one month would subtract to what changed.
    with session_scope(app) as session:
        session.execute(update(Report).where(Report.category == "drugs").values(status="spam"))
        bump_version(session)
    add_reports(app, "bolstad", 2)
    assert client.get("/api/v1/areas").data == first
    today = local_today()
    monkeypatch.setattr(insight, "local_today", lambda: today + timedelta(days=1))
    query = {"from": LAST_MONTH.label}
    assert client.get("/api/v1/areas", query_string=query).data == first


def test_a_month_is_published_from_the_data_of_the_day_it_is_first_asked_for(client, app):
    add_reports(app, "mellerud-holm", 7)
    with session_scope(app) as session:
        session.execute(update(Report).values(status="spam"))
        bump_version(session)
    # Moderated before anyone asked: the publication counts what is active then.
    assert properties(client.get("/api/v1/areas"))["mellerud-holm"]["count"] == 0


def test_map_page_shows_areas_legend_filters_and_notes(client, app):
    add_reports(app, "mellerud-holm", 12)
    page = client.get("/karta").get_data(as_text=True)
    for area in ("Bolstad", "Fagerlid/Järn", "Mellerud/Holm", "Rostock/Dalskog/Ör", "Skållerud"):
        assert area in page
    assert 'id="legend"' in page and 'id="approximate-note"' in page
    assert 'id="promise-link"' in page and 'name="from"' in page
    assert "antal synpunkter" in page
    rate = client.get("/karta", query_string={"measure": "rate"}).get_data(as_text=True)
    assert "synpunkter per 1 000 invånare" in rate


def test_map_page_with_a_bad_filter_explains_and_still_draws(client):
    response = client.get("/karta", query_string={"from": "last year"})
    assert response.status_code == 422
    assert "ÅÅÅÅ-MM" in response.get_data(as_text=True)


def _public_get_routes(app):
    """Every GET route a visitor can reach without a receipt or a login."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in {"static", "assets.vendor"}:
            continue
        if rule.endpoint not in PUBLIC_ENDPOINTS:
            continue  # staff routes: refused without a login (tests/web/test_access.py)
        if rule.arguments == {"fmt"}:
            # Open311 answers in both formats.
            yield rule.rule.replace("<fmt>", "json")
            yield rule.rule.replace("<fmt>", "xml")
            continue
        if rule.arguments:
            # Receipt pages show the holder their own concern; Open311 single requests and
            # service definitions are walked in tests/web/test_open311.py.
            assert rule.endpoint in {
                "public.receipt",
                "api.get_report",
                "open311.service_definition",
                "open311.request_detail",
                # Published walk protocols: walked in tests/web/walks/test_public_walk_privacy.py.
                "walks_public.walk",
            }, rule
            continue
        yield rule.rule


def test_no_public_route_leaks_a_point_a_text_or_a_small_count(client, app):
    add_reports(app, "mellerud-holm", 23, category="drugs")
    add_reports(app, "mellerud-holm", 2, category="lighting")
    add_reports(app, "bolstad", 1, category="theft")
    add_reports(app, "skallerud", 4, category="vandalism", time_of_day="day")
    queries = [
        {},
        {"lang": "en"},
        {"category": "lighting"},
        {"category": "theft"},
        {"time_of_day": "day"},
        {"measure": "rate"},
    ]
    secret_coordinates = (f"{SECRET_LAT}", f"{SECRET_LON}", "58.70123", "12.45432")
    routes = list(_public_get_routes(app))
    assert "/karta" in routes and "/api/v1/areas" in routes
    for route in routes:
        for query in queries:
            response = client.get(route, query_string=query)
            text = response.get_data(as_text=True)
            assert response.status_code < 500, route
            assert SECRET_TEXT not in text, (route, query)
            for digits in secret_coordinates:
                assert digits not in text, (route, query, digits)
            if response.is_json and route != "/api/v1/openapi.json":  # a static schema
                small = [n for n in published_numbers(response.get_json()) if 0 < n < 5]
                assert not small, (route, query, small)


def test_public_json_never_has_a_timestamp_finer_than_a_day(client, app):
    add_reports(app, "mellerud-holm", 6)
    text = json.dumps(client.get("/api/v1/areas").get_json())
    assert "T" + NOW.strftime("%H:%M") not in text
    assert NOW.isoformat()[:13] not in text


@pytest.mark.parametrize(
    ("now", "months"),
    [
        (datetime(2026, 1, 15, 12, tzinfo=UTC), ("2025-12", "2025-12")),
        (datetime(2026, 12, 1, 0, tzinfo=UTC), ("2026-11", "2026-11")),
        # Already December in Sweden, still November in UTC: November is over.
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), ("2026-11", "2026-11")),
        (datetime(2026, 11, 30, 22, 30, tzinfo=UTC), ("2026-10", "2026-10")),
    ],
)
def test_the_default_period_is_the_latest_month_that_is_over_in_swedish_time(now, months):
    assert default_months(now) == months
