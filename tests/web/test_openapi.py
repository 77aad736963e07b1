"""The OpenAPI document matches the routes, is valid 3.1, and the app keeps to it."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from geoservice.web.access import PUBLIC_ENDPOINTS
from geoservice.web.openapi import build_document

METHODS = {"get", "post", "put", "patch", "delete"}
# A few concerns inside Mellerud so maps, hotspots and plans have something to show.
SEED = [
    {"lat": 58.7005 + i * 0.0012, "lon": 12.4535, "category": c, "time_of_day": "night"}
    for i, c in enumerate(["drugs", "drugs", "lighting", "disorder", "drugs", "theft"])
]
# Bounded so the whole file stays well under a minute and a half on two cores. The app (one
# fresh database) is shared by the examples of one operation on purpose, hence the health check.
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield path, method.lower(), rule.endpoint


def test_the_document_lists_exactly_the_api_routes(app):
    document = build_document()
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }
    routed = {(path, method) for path, method, _ in _api_rules(app)}
    assert documented == routed


def test_every_operation_has_a_summary_an_id_responses_and_the_right_security(app):
    paths = build_document()["paths"]
    ids = []
    for path, method, endpoint in _api_rules(app):
        operation = paths[path][method]
        assert operation["summary"] and operation["responses"], (path, method)
        ids.append(operation["operationId"])
        assert "500" in operation["responses"], (path, method)
        public = endpoint in PUBLIC_ENDPOINTS
        assert (operation["security"] == []) is public, (path, method)
        assert ("401" in operation["responses"]) is not public, (path, method)
    assert len(ids) == len(set(ids))


def test_the_document_is_valid_openapi_3_1_and_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.1.") and document["servers"] == [{"url": "/"}]
    assert document["info"]["version"] and document["info"]["title"]
    validate(document)


def test_enums_come_from_the_codes_the_app_enforces():
    from geoservice.core.categories import CATEGORY_CODES, SAFE_REASON_CODES
    from geoservice.core.intake.validation import AGE_BANDS, ROLES

    body = build_document()["components"]["schemas"]["NewReport"]
    assert body["additionalProperties"] is False
    assert body["properties"]["category"]["enum"] == [*CATEGORY_CODES, *SAFE_REASON_CODES]
    assert set(ROLES) < set(body["properties"]["role"]["enum"])
    assert set(AGE_BANDS) < set(body["properties"]["age_band"]["enum"])


class AppUnderTest:
    """A WSGI entry point that forwards to the running test's app.

    Schemathesis binds an app when the schema is loaded, at import; each test has its own.
    """

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


APP_UNDER_TEST = AppUnderTest()


@pytest.fixture
def app_under_test(app, client):
    """This test's app, seeded with a few concerns, behind APP_UNDER_TEST."""
    for report in SEED:
        assert client.post("/api/v1/reports", json=report).status_code == 201
    APP_UNDER_TEST.app = app
    yield app
    APP_UNDER_TEST.app = None


@pytest.fixture
def police_token(make_user, runner) -> str:
    make_user("police", "kommunpolis")
    return runner.invoke(args=["create-token", "kommunpolis"]).output.strip()


# Rules that JSON Schema cannot state answer schema-valid requests with 422: the place must lie
# inside the municipality, `to` not before `from`, a category or a time band but not both, and
# `from_hour` differing from `to_hour`. Only there may valid data be refused, and only with 422.
CROSS_FIELD_RULES = [
    "createReport",
    "listAreas",
    "listStaffReports",
    "listHotspots",
    "getPatrolPlan",
    # Issue 18: the place must lie inside, the time not in the future nor a year ago.
    "createEvents",
]
CONFIG = {
    "operations": [
        {
            "include-operation-id": CROSS_FIELD_RULES,
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
                }
            },
        }
    ],
}
# Loaded from the dict, not with schemathesis.pytest.from_fixture: that loader sets
# Node._nodeid, which pytest 9 no longer has. So each operation gets its own fresh `app`.
api_schema = schemathesis.openapi.from_dict(
    build_document(), config=schemathesis.Config.from_dict(CONFIG)
)
api_schema.app = APP_UNDER_TEST


# One test for every operation: Schemathesis lets an [[operations]] entry in the config override
# `schema.include(tag=...)`, so staff and public operations are told apart by their tag here.
@api_schema.parametrize()
@FUZZ
def test_every_operation_keeps_the_documented_contract(case, app_under_test, police_token):
    staff = "staff" in case.operation.tags
    headers = {"Authorization": f"Bearer {police_token}"} if staff else None
    case.call_and_validate(headers=headers)


def test_receipts_of_new_concerns_can_be_read_and_erased(app_under_test, police_token):
    """Follow the documented links from a new concern's receipt to GET and DELETE."""
    token = {"Authorization": f"Bearer {police_token}"}

    class Workflow(api_schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": token} if "staff" in case.operation.tags else {}

    Workflow.run(settings=settings(FUZZ, max_examples=40, stateful_step_count=8))


def test_an_undeclared_method_gets_405_with_allow(client):
    response = client.put("/api/v1/categories")
    assert response.status_code == 405
    assert response.headers.get("Allow")


@pytest.mark.parametrize(
    "url",
    [
        # Found by schemathesis: dates so far off that date arithmetic overflowed ...
        "/api/v1/areas?to=5605-11",
        "/api/v1/reports?to=9999-12-31",
        "/api/v1/reports?from=0001-01-01",
        # ... and '²', for which str.isdigit() is true but int() fails.
        "/api/v1/hotspots?radius=%C2%B2",
        "/api/v1/patrol-plan?stops=%C2%B2",
    ],
)
def test_values_that_once_caused_server_errors_get_422(client, police_token, url):
    response = client.get(url, headers={"Authorization": f"Bearer {police_token}"})
    assert response.status_code == 422
