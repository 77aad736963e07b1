"""Every GET route, as every role, with edge-case periods and every filter value: no 5xx.

The roles come from the access module (a role added there is walked too); the routes from
``app.url_map``; path arguments from the seeded data plus unknown values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from geoservice.core.categories import CATEGORY_CODES, KINDS, STATUSES, TIME_BANDS
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.store.db import session_scope
from geoservice.store.demo import add_example_promises
from geoservice.store.models import Activity, Promise, Report
from geoservice.web.access import PERMISSIONS
from tests.conftest import STAFF_PASSWORD, csrf_token_from

ROLES = ("anonymous", *sorted(set().union(*PERMISSIONS.values())))
TODAY = datetime.now(LOCAL_ZONE).date()
DAY = timedelta(days=1)
# Each period twice over: as days (staff) and as months (public figures).
PERIODS = {
    "none": {},
    "empty": {"from": "", "to": ""},
    "future": {"from": "2099-01-01", "to": "2099-12-31"},
    "future months": {"from": "2099-01", "to": "2099-12"},
    "far past": {"from": "1900-01-01", "to": "1900-01-31"},
    "far past months": {"from": "1901-01", "to": "1902-12"},
    "one day": {"from": TODAY.isoformat(), "to": TODAY.isoformat()},
    "one month": {"from": TODAY.strftime("%Y-%m"), "to": TODAY.strftime("%Y-%m")},
    "reversed": {"from": TODAY.isoformat(), "to": (TODAY - 30 * DAY).isoformat()},
    "reversed months": {"from": "2026-06", "to": "2025-06"},
    "malformed": {"from": "2026-13-45", "to": "abc"},
    "impossible": {"from": "0001-01-01", "to": "2026-02-30"},
    "huge": {"from": "9999-12-31", "to": "99999-01-01"},
}
FILTERS = {
    "category": [*CATEGORY_CODES, "", "ufo"],
    "time_of_day": [*TIME_BANDS, "", "noon"],
    "kind": [*KINDS, "", "weird"],
    "weekend": ["true", "false", "", "maybe"],
    "status": [*STATUSES, "", "lost"],
    "weekday": ["mon", "sun", "weekend", "weekdays", "", "someday"],
    "from_hour": ["0", "23", "24", "-1", "x", ""],
    "to_hour": ["0", "24", "25", ""],
    "stops": ["1", "12", "0", "1000", "²"],
    "radius": ["100", "1000", "99", "1001", "²"],
    "cold": ["1", "true", "0", ""],
    "lang": ["sv", "en", "xx"],
    "page": ["1", "2", "0", "-1", "x"],
}
SLOW_ENDPOINTS = {"report.period_report_pdf", "exports.concerns"}
# The period report's own failure on a period without unsafe concerns is fixed on issue-16.
REPORT_ENDPOINTS = {
    "report.period_report",
    "report.period_report_pdf",
    "report.period_report_csv",
    "report.period_report_geojson",
}


@pytest.fixture
def seeded(app, client):
    now = datetime.now(UTC)
    receipts = []
    for i, (category, band) in enumerate(
        [("drugs", "night"), ("lighting", "evening"), ("drugs", "day"), ("theft", "night")]
    ):
        body = {
            "lat": 58.7005 + 0.001 * i,
            "lon": 12.4535,
            "category": category,
            "time_of_day": band,
            "description": "ring 070-123 45 67",
        }
        response = client.post("/api/v1/reports", json=body)
        assert response.status_code == 201
        # Only the resident holds the code (the database keeps its keyed hash).
        receipts.append(response.get_json()["receipt"])
    add_example_promises(app, now.date())
    with session_scope(app) as session:
        report = session.scalars(select(Report)).first()
        return {
            "receipt": [receipts[0], "0000-0000-0000", "x"],
            "report_id": [report.id, "no-such-id"],
            "service_request_id": [report.id, "no-such-id"],
            "promise_id": [session.scalar(select(Promise.id)), 999_999],
            "activity_id": [session.scalar(select(Activity.id)), 999_999],
            "fmt": ["json", "xml", "csv", "geojson", "gpkg", "pdf"],
            "table": ["areas", "categories", "time_bands", "band_week", "accuracy", "nope"],
            "layer": ["omraden", "hotspots", "nope"],
            "service_code": ["drugs", "nope"],
            "package": ["leaflet", "nope"],
            "filename": ["leaflet.js", "css/site.css", "../../etc/passwd"],
        }


def urls(app, arguments) -> list[tuple[str, str]]:
    """(endpoint, path) for every GET rule, each path argument filled in every way."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        combos = [{}]
        for name in sorted(rule.arguments):
            combos = [c | {name: v} for c in combos for v in arguments.get(name, ["x"])]
        for values in combos:
            path = rule.rule
            for name, value in values.items():
                path = path.replace(f"<{name}>", str(value))
                for converter in ("int", "path", "string"):
                    path = path.replace(f"<{converter}:{name}>", str(value))
            found.append((rule.endpoint, path))
    return found


def log_in(client, role: str, make_user) -> None:
    if role == "anonymous":
        return
    make_user(role, f"walk-{role}")
    response = client.post(
        "/personal/logga-in",
        data={
            "name": f"walk-{role}",
            "password": STAFF_PASSWORD,
            "csrf_token": csrf_token_from(client),
        },
    )
    assert response.status_code == 303


def walk(client, targets, queries) -> list[str]:
    failures = []
    for endpoint, path in targets:
        for label, query in queries(client, endpoint, path):
            response = client.get(path, query_string=query)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {path}?{query} ({label})")
            response.close()
    return failures


def period_queries(_client, endpoint, _path):
    if endpoint in SLOW_ENDPOINTS:
        return [(name, PERIODS[name]) for name in ("none", "future", "reversed", "malformed")]
    return list(PERIODS.items())


def filter_queries(client, endpoint, path):
    """Every value of every filter the route reads; a bogus value finds out which it reads.

    A route that ignores a parameter answers a nonsense value as it answers none; one that
    reads it refuses the value (422) or says so on the page. Only the parameters a route
    reads are walked value by value, which keeps the walk fast.
    """
    if endpoint in SLOW_ENDPOINTS or endpoint.startswith(("static", "assets.")):
        return [("bogus category", {"category": "ufo"})]
    first = client.get(path)
    baseline = first.status_code
    first.close()
    queries = []
    for name, values in FILTERS.items():
        bogus = {name: values[-1]}
        queries.append((f"{name}={values[-1]}", bogus))
        probe = client.get(path, query_string=bogus)
        probe.close()
        if probe.status_code >= 500 or probe.status_code != baseline:
            queries += [(f"{name}={value}", {name: value}) for value in values[:-1]]
    return queries


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_answers_5xx_for_any_period(app, client, make_user, seeded, role):
    log_in(client, role, make_user)
    targets = [(e, p) for e, p in urls(app, seeded) if e not in REPORT_ENDPOINTS]
    failures = walk(client, targets, period_queries)
    assert failures == [], "\n".join(failures[:40])


# Every filter value (and none), on one path per route, for the public and for the role
# that sees everything; the other roles are refused earlier or parse the same query.
@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_no_get_route_answers_5xx_for_any_filter(app, client, make_user, seeded, role):
    log_in(client, role, make_user)
    first_paths: dict[str, str] = {}
    for endpoint, path in urls(app, seeded):
        if endpoint not in REPORT_ENDPOINTS:
            first_paths.setdefault(endpoint, path)
    failures = walk(client, list(first_paths.items()), filter_queries)
    assert failures == [], "\n".join(failures[:40])


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_the_period_report_answers_no_5xx_for_any_period(app, client, make_user, seeded, role):
    log_in(client, role, make_user)
    targets = [(e, p) for e, p in urls(app, seeded) if e in REPORT_ENDPOINTS]
    failures = walk(client, targets, period_queries)
    assert failures == [], "\n".join(failures[:40])
