"""Open311 GeoReport v2 as a client sees it: shapes from the standard, posting, the listing.

The example documents below are the standard's own (wiki.open311.org/GeoReport_v2 and
/Service_Discovery), trimmed to one item each: our answers must use their element names
and nesting, in XML and in JSON.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from geoservice import create_app
from geoservice.store import schema
from geoservice.store.aggregates import bump_version
from geoservice.store.db import engine_for, session_scope
from geoservice.store.models import Report
from geoservice.store.moderation import moderate
from geoservice.store.reports import new_receipt, receipt_digest

BASE = "/open311/v2"
FORMATS = ("xml", "json")

SPEC_DISCOVERY = """<?xml version="1.0" encoding="UTF-8"?>
<discovery>
    <changeset>2011-02-03 14:18</changeset>
    <contact>You can email or call for assistance api@mycity.org +1 (555) 555-5555</contact>
    <key_service>You can request a key here: http://api.mycity.gov/api_key/request</key_service>
    <endpoints>
        <endpoint>
            <specification>http://wiki.open311.org/GeoReport_v2</specification>
            <url>http://open311.mycity.gov/v2</url>
            <changeset>2010-11-23 09:01</changeset>
            <type>production</type>
            <formats>
                <format>text/xml</format>
            </formats>
        </endpoint>
    </endpoints>
</discovery>"""

SPEC_SERVICES = """<?xml version="1.0" encoding="utf-8"?>
<services>
    <service>
        <service_code>001</service_code>
        <service_name>Cans left out 24x7</service_name>
        <description>Garbage or recycling cans that have been left out.</description>
        <metadata>true</metadata>
        <type>realtime</type>
        <keywords>lorem, ipsum, dolor</keywords>
        <group>sanitation</group>
    </service>
</services>"""

SPEC_SERVICE_DEFINITION = """<?xml version="1.0" encoding="utf-8"?>
<service_definition>
    <service_code>DMV66</service_code>
    <attributes>
        <attribute>
            <variable>true</variable>
            <code>WHISHETN</code>
            <datatype>singlevaluelist</datatype>
            <required>true</required>
            <datatype_description></datatype_description>
            <order>1</order>
            <description>What is the ticket/tag/DL number?</description>
            <values>
                <value>
                    <key>123</key>
                    <name>Ford</name>
                </value>
            </values>
        </attribute>
    </attributes>
</service_definition>"""

SPEC_POST_RESPONSE = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
    <request>
        <service_request_id>293944</service_request_id>
        <service_notice>The City will inspect within 24 hours</service_notice>
        <account_id/>
    </request>
</service_requests>"""

SPEC_REQUESTS = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
    <request>
        <service_request_id>638344</service_request_id>
        <status>closed</status>
        <status_notes>Duplicate request.</status_notes>
        <service_name>Sidewalk and Curb Issues</service_name>
        <service_code>006</service_code>
        <description></description>
        <agency_responsible></agency_responsible>
        <service_notice></service_notice>
        <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
        <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
        <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
        <address>8TH AVE and JUDAH ST</address>
        <address_id>545483</address_id>
        <zipcode>94122</zipcode>
        <lat>37.762221815</lat>
        <long>-122.4651145</long>
        <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
    </request>
</service_requests>"""

SPEC_ERRORS = """<?xml version="1.0" encoding="utf-8"?>
<errors>
    <error>
        <code>403</code>
        <description>Invalid api_key received -- can't proceed with create_request.</description>
    </error>
</errors>"""

# Inside Mellerud/Holm; its digits must never come out of a public listing.
SECRET_LAT, SECRET_LON = 58.7012345, 12.4543217
SECRET_TEXT = "Hemlig-fritext-311"
GOOD = {
    "service_code": "drugs",
    "lat": "58.7005",
    "long": "12.4535",
    "attribute[time_of_day]": "night",
}
MARCH_10_LATE = datetime(2025, 3, 10, 22, 30, tzinfo=UTC)  # 23:30 on 10 March in Sweden
MARCH_11_EARLY = datetime(2025, 3, 10, 23, 30, tzinfo=UTC)  # 00:30 on 11 March in Sweden
MARCH = {"start_date": "2025-03-01", "end_date": "2025-03-31"}


def tag_paths(element: ET.Element, prefix: str = "") -> set[str]:
    path = f"{prefix}/{element.tag}" if prefix else element.tag
    paths = {path}
    for child in element:
        paths |= tag_paths(child, path)
    return paths


def xml_of(response) -> ET.Element:
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b"<?xml")
    return ET.fromstring(response.data)


def json_of(response):
    assert response.mimetype == "application/json"
    return json.loads(response.data)


def spec_json_keys(spec_xml: str, item_path: str) -> set[str]:
    """The JSON keys of an item: its XML children's names (the Spark convention)."""
    return {child.tag for child in ET.fromstring(spec_xml).find(item_path)}


def stored(db_session) -> list[Report]:
    db_session.rollback()  # end the previous read snapshot: see what the app committed since
    return list(db_session.scalars(select(Report)))


def add(app, *, lat=SECRET_LAT, lon=SECRET_LON, **fields) -> str:
    values = {
        "lat": lat,
        "lon": lon,
        "category": "drugs",
        "time_of_day": "night",
        "area_id": "mellerud-holm",
        "created_at": datetime.now(UTC),
        "description": SECRET_TEXT,
        "suggestion": SECRET_TEXT,
    } | fields
    with session_scope(app) as session:
        report = Report(**values)
        session.add(report)
        bump_version(session)
        session.flush()
        return report.id


def listed_ids(client, fmt: str = "json", **query) -> list[str]:
    response = client.get(f"{BASE}/requests.{fmt}", query_string=query)
    assert response.status_code == 200, response.data
    if fmt == "json":
        return [item["service_request_id"] for item in json_of(response)]
    return [el.findtext("service_request_id") for el in xml_of(response).iter("request")]


def error_fields(response, fmt: str) -> dict[str, int]:
    """Field named by each error → its code, checked against the standard's error shape."""
    if fmt == "json":
        errors = json_of(response)
        assert all(set(e) == spec_json_keys(SPEC_ERRORS, "error") for e in errors)
        pairs = [(e["description"], e["code"]) for e in errors]
    else:
        root = xml_of(response)
        assert tag_paths(root) == tag_paths(ET.fromstring(SPEC_ERRORS))
        pairs = [(e.findtext("description"), int(e.findtext("code"))) for e in root]
    return {description.split(":")[0]: code for description, code in pairs}


# --- discovery and services ---------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_endpoint_and_both_formats(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "xml":
        root = xml_of(response)
        assert tag_paths(root) == tag_paths(ET.fromstring(SPEC_DISCOVERY))
        endpoint = root.find("endpoints/endpoint")
        formats = [f.text for f in endpoint.iterfind("formats/format")]
        spec, url, kind = (endpoint.findtext(t) for t in ("specification", "url", "type"))
    else:
        body = json_of(response)
        assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
        (endpoint,) = body["endpoints"]
        formats = endpoint["formats"]
        spec, url, kind = endpoint["specification"], endpoint["url"], endpoint["type"]
    assert spec == "http://wiki.open311.org/GeoReport_v2"
    assert url == "http://localhost/open311/v2" and kind == "production"
    assert formats == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_ten_categories(client, fmt):
    response = client.get(f"{BASE}/services.{fmt}")
    if fmt == "xml":
        root = xml_of(response)
        assert tag_paths(root) == tag_paths(ET.fromstring(SPEC_SERVICES))
        services = [{child.tag: child.text for child in s} for s in root]
    else:
        services = json_of(response)
        assert all(set(s) == spec_json_keys(SPEC_SERVICES, "service") for s in services)
    assert len(services) == 10
    drugs = services[0]
    assert drugs["service_code"] == "drugs"
    assert drugs["service_name"] == "Narkotika (handel, användning)"
    assert drugs["type"] == "realtime" and drugs["group"] == "trygghet"
    assert drugs["metadata"] in (True, "true")
    assert "narkotika" in drugs["keywords"] and "114 14" in drugs["description"]
    english = client.get(f"{BASE}/services.json", query_string={"lang": "en"}).get_json()
    assert english[0]["service_name"] == "Drugs (dealing, use)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_our_attributes(client, fmt):
    response = client.get(f"{BASE}/services/lighting.{fmt}")
    assert response.status_code == 200
    if fmt == "xml":
        root = xml_of(response)
        assert tag_paths(root) <= tag_paths(ET.fromstring(SPEC_SERVICE_DEFINITION))
        code = root.findtext("service_code")
        attributes = {
            a.findtext("code"): {
                "required": a.findtext("required"),
                "datatype": a.findtext("datatype"),
                "order": int(a.findtext("order")),
                "keys": [v.findtext("key") for v in a.iterfind("values/value")],
            }
            for a in root.iterfind("attributes/attribute")
        }
        assert attributes["time_of_day"]["required"] == "true"
    else:
        body = json_of(response)
        code = body["service_code"]
        keys = spec_json_keys(SPEC_SERVICE_DEFINITION, "attributes/attribute")
        assert all(set(a) <= keys and set(a) >= keys - {"values"} for a in body["attributes"])
        attributes = {
            a["code"]: {
                "required": a["required"],
                "datatype": a["datatype"],
                "order": a["order"],
                "keys": [v["key"] for v in a.get("values", [])],
            }
            for a in body["attributes"]
        }
        assert attributes["time_of_day"]["required"] is True
    assert code == "lighting"
    assert list(attributes) == ["time_of_day", "weekend", "kind", "suggestion", "role", "age_band"]
    assert [a["order"] for a in attributes.values()] == [1, 2, 3, 4, 5, 6]
    assert attributes["time_of_day"]["keys"] == ["day", "evening", "night", "unknown"]
    assert attributes["weekend"]["keys"] == ["false", "true"]
    assert attributes["kind"]["keys"] == ["unsafe", "safe"]
    assert attributes["suggestion"]["datatype"] == "text"
    assert attributes["age_band"]["keys"][-1] == "65_plus"


def test_the_suggestion_attribute_asks_the_dialogue_question(client):
    body = client.get(f"{BASE}/services/drugs.json").get_json()
    suggestion = next(a for a in body["attributes"] if a["code"] == "suggestion")
    assert "säkerhet, tillit och trygghet" in suggestion["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_or_format_is_404_in_the_error_format(client, fmt):
    response = client.get(f"{BASE}/services/aliens.{fmt}")
    assert response.status_code == 404
    assert error_fields(response, fmt) == {"service_code": 404}
    unknown = client.get(f"{BASE}/services.csv")
    assert unknown.status_code == 404
    assert error_fields(unknown, "xml") == {"format": 404}


# --- posting --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_request_is_stored_without_contact_details(client, app, db_session, fmt):
    form = GOOD | {
        "api_key": "anything",
        "jurisdiction_id": "mellerud.se",
        "description": "Langning vid stationen",
        "attribute[weekend]": "true",
        "attribute[kind]": "unsafe",
        "attribute[suggestion]": "Mer belysning",
        "attribute[role]": "resident",
        "attribute[age_band]": "30_49",
        "email": "anna@example.se",
        "first_name": "Anna",
        "last_name": "Andersson",
        "phone": "070-1234567",
        "device_id": "device-42",
        "account_id": "acct-42",
        "address_string": "Storgatan 1",
        "media_url": "http://example.se/bild.jpg",
    }
    response = client.post(f"{BASE}/requests.{fmt}", data=form)
    assert response.status_code == 201, response.data
    if fmt == "xml":
        root = xml_of(response)
        assert tag_paths(root) == tag_paths(ET.fromstring(SPEC_POST_RESPONSE))
        answer = {child.tag: child.text for child in root.find("request")}
    else:
        (answer,) = json_of(response)
        assert set(answer) == spec_json_keys(SPEC_POST_RESPONSE, "request")
    assert answer["account_id"] is None
    (row,) = stored(db_session)
    assert answer["service_request_id"] == row.id
    code = re.search(r"Kvittokod: ([0-9A-Z-]{14})", answer["service_notice"]).group(1)
    assert receipt_digest(app.config["SECRET_KEY"], code) == row.receipt_hash
    assert "/kvitto" in answer["service_notice"]
    assert (row.source, row.area_id, row.category, row.time_of_day) == (
        "open311",
        "mellerud-holm",
        "drugs",
        "night",
    )
    assert (row.weekend, row.role, row.age_band) == (True, "resident", "30_49")
    assert (row.lat, row.lon) == (58.7005, 12.4535)
    assert row.description == "Langning vid stationen" and row.suggestion == "Mer belysning"
    everything = " ".join(str(getattr(row, c.key)) for c in Report.__table__.columns)
    for contact in ("anna@", "Anna", "070-1234567", "device-42", "acct-42", "Storgatan", "bild"):
        assert contact not in everything


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        (GOOD | {"lat": "57.7", "long": "11.97"}, {"lat"}),  # Göteborg
        (GOOD | {"lat": "NaN"}, {"lat"}),
        (GOOD | {"long": "inf"}, {"long"}),
        (GOOD | {"lat": "58,7x"}, {"lat"}),
        ({k: v for k, v in GOOD.items() if k != "lat"}, {"lat"}),
        (
            {"service_code": "drugs", "address_string": "Storgatan 1"},
            {"lat", "long", "attribute[time_of_day]"},
        ),
        (GOOD | {"attribute[time_of_day]": "teatime"}, {"attribute[time_of_day]"}),
        (GOOD | {"attribute[weekend]": "maybe"}, {"attribute[weekend]"}),
        (GOOD | {"attribute[colour]": "red"}, {"attribute[colour]"}),
        ({k: v for k, v in GOOD.items() if k != "long"} | {"lon": "12.45"}, {"lon", "long"}),
        (
            GOOD | {"description": "x" * 1001, "attribute[role]": "mayor"},
            {"description", "attribute[role]"},
        ),
        ({k: v for k, v in GOOD.items() if k != "service_code"}, {"service_code"}),
    ],
)
def test_invalid_requests_get_400_naming_each_field(client, db_session, form, fields):
    for fmt in FORMATS:
        response = client.post(f"{BASE}/requests.{fmt}", data=form)
        assert response.status_code == 400, response.data
        assert error_fields(response, fmt) == dict.fromkeys(fields, 400)
    assert stored(db_session) == []


def test_errors_speak_english_when_asked(client):
    body = client.post(f"{BASE}/requests.json?lang=en", data=GOOD | {"lat": "nan"}).get_json()
    assert body == [{"code": 400, "description": "lat: Must be a finite number."}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_code_is_404_and_nothing_is_stored(client, db_session, fmt):
    response = client.post(f"{BASE}/requests.{fmt}", data=GOOD | {"service_code": "aliens"})
    assert response.status_code == 404
    assert error_fields(response, fmt) == {"service_code": 404}
    assert stored(db_session) == []


def test_a_json_body_is_refused(client, db_session):
    response = client.post(f"{BASE}/requests.json", json=GOOD)
    assert response.status_code == 400
    assert error_fields(response, "json") == {"body": 400}
    assert stored(db_session) == []


def test_an_oversized_body_gets_413_in_the_error_format(client, db_session):
    response = client.post(f"{BASE}/requests.xml", data=GOOD | {"description": "x" * 70_000})
    assert response.status_code == 413
    assert error_fields(response, "xml") == {"request": 413}
    assert stored(db_session) == []


def test_open311_shares_the_submission_budget(tmp_path):
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
    api = client.post(
        "/api/v1/reports",
        json={"lat": 58.7, "lon": 12.45} | {"category": "drugs", "time_of_day": "night"},
    )
    codes = [client.post(f"{BASE}/requests.json", data=GOOD).status_code for _ in range(2)]
    assert (api.status_code, codes) == (201, [201, 429])
    limited = client.post(f"{BASE}/requests.xml", data=GOOD)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert error_fields(limited, "xml") == {"request": 429}
    engine_for(app).dispose()


# --- the public listing ------------------------------------------------------------------


def add_group(app, n: int, **fields) -> list[str]:
    """``n`` concerns of one group (each its own voice unless a client_key is given)."""
    return [add(app, **({"created_at": MARCH_10_LATE} | fields)) for _ in range(n)]


def holm_point(app) -> tuple[float, float]:
    with app.app_context():
        from geoservice.store.areas import current_layer

        lon, lat = current_layer().area_point("mellerud-holm")
    return round(lat, 5), round(lon, 5)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_listing_is_coarse_and_has_no_text(client, app, fmt):
    ids = add_group(app, 5)
    response = client.get(f"{BASE}/requests.{fmt}", query_string=MARCH)
    raw = response.get_data(as_text=True)
    assert SECRET_TEXT not in raw
    assert "58.70123" not in raw and "12.45432" not in raw
    if fmt == "xml":
        root = xml_of(response)
        assert tag_paths(root) <= tag_paths(ET.fromstring(SPEC_REQUESTS))
        items = [{child.tag: child.text for child in r} for r in root]
        for item in items:
            item["lat"], item["long"] = float(item["lat"]), float(item["long"])
    else:
        items = json_of(response)
        assert all(set(item) <= spec_json_keys(SPEC_REQUESTS, "request") for item in items)
    assert {item["service_request_id"] for item in items} == set(ids)
    for item in items:
        # The area's own fixed point, whatever the concern's point.
        assert (item["lat"], item["long"]) == holm_point(app)
        assert item["description"] is None
        assert (item["status"], item["status_notes"]) == (
            "open",
            "Mottagen: synpunkten väntar på granskning.",
        )
        # The month, not the day; no day of a status change either.
        assert item["requested_datetime"] == "2025-03-01T00:00:00+01:00"
        assert item["updated_datetime"] is None
        assert item["address"] == "Mellerud/Holm, Melleruds kommun"
        assert item["service_code"] == "drugs" and item["service_name"].startswith("Narkotika")


@pytest.fixture
def next_day(monkeypatch):
    """Move the app's calendar on by a day: public figures and the listing change daily."""
    from geoservice.web import insight

    today = insight.local_today()
    days = iter(range(1, 1000))

    def move() -> None:
        later = today + timedelta(days=next(days))
        monkeypatch.setattr(insight, "local_today", lambda: later)

    return move


def test_a_group_is_listed_only_with_k_distinct_voices(client, app):
    add_group(app, 4)
    # One client flooding a group with k concerns is still one voice.
    april = {"start_date": "2025-04-01", "end_date": "2025-04-30"}
    add_group(app, 5, created_at=MARCH_10_LATE.replace(month=4), client_key="same-client-same-day")
    assert listed_ids(client, **MARCH) == listed_ids(client, **april) == []
    # Five distinct voices make a group publishable, in full.
    may = {"start_date": "2025-05-01", "end_date": "2025-05-31"}
    add_group(app, 5, created_at=MARCH_10_LATE.replace(month=5))
    assert len(listed_ids(client, **may)) == 5


def test_a_published_month_is_not_recomputed(client, app, next_day):
    add_group(app, 4)
    assert listed_ids(client, **MARCH) == []
    # A concern stored late for March changes neither the figures nor the listing.
    add_group(app, 1)
    next_day()
    assert listed_ids(client, **MARCH) == []
    figures = client.get("/api/v1/areas", query_string={"from": "2025-03"}).get_json()
    holm = next(f for f in figures["features"] if f["id"] == "mellerud-holm")["properties"]
    assert holm["count"] is None


def test_a_group_the_public_map_hides_is_not_listed(client, app):
    # Two lighting concerns are hidden on the map, and drugs with them (else 11 - 9 = 2).
    add_group(app, 9)
    add_group(app, 2, category="lighting")
    assert listed_ids(client, **MARCH) == []
    figures = client.get("/api/v1/areas", query_string={"from": "2025-03"}).get_json()
    holm = next(f for f in figures["features"] if f["id"] == "mellerud-holm")["properties"]
    assert holm["category_mix"]["drugs"] is None and holm["count"] == 11


def test_a_group_whose_status_split_is_small_is_not_listed(client, app, next_day):
    ids = add_group(app, 10)
    with session_scope(app) as session:
        moderate(session, ids[0], user_name="polis", status="handled")
    # 9 open and 1 closed: counting closed entries would give 1.
    assert listed_ids(client, **MARCH) == []
    with session_scope(app) as session:
        for report_id in ids[1:5]:
            moderate(session, report_id, user_name="polis", status="handled")
    assert listed_ids(client, **MARCH) == []  # not before the next day
    next_day()
    assert set(listed_ids(client, **MARCH)) == set(ids)
    assert set(listed_ids(client, status="closed", **MARCH)) == set(ids[:5])
    # An erased concern takes its whole group out of the listing: the published count
    # (10) no longer matches what could be listed.
    with session_scope(app) as session:
        # Only the resident holds a code; give this planted row one we know.
        receipt = new_receipt()
        session.get(Report, ids[9]).receipt_hash = receipt_digest(app.config["SECRET_KEY"], receipt)
    assert client.delete(f"/api/v1/reports/{receipt}").status_code == 204
    next_day()
    assert listed_ids(client, **MARCH) == []


def test_dates_are_whole_months_and_filters_cannot_split_one(client, app):
    late = add_group(app, 3, created_at=MARCH_10_LATE)
    early = add_group(app, 2, created_at=MARCH_11_EARLY)
    body = client.get(f"{BASE}/requests.json", query_string=MARCH).get_json()
    assert {i["requested_datetime"] for i in body} == {"2025-03-01T00:00:00+01:00"}
    assert [i["service_request_id"] for i in body] == sorted(late + early)  # random ids
    # A month is in a window when its first day is: no day bound can split it.
    assert listed_ids(client, start_date="2025-03-11", end_date="2025-03-31") == []
    assert listed_ids(client, start_date="2025-03-02", end_date="2025-05-01") == []
    assert len(listed_ids(client, start_date="2025-02-15", end_date="2025-03-01")) == 5
    assert len(listed_ids(client, "xml", start_date="2025-03-01T00:00:00+01:00")) == 5
    assert listed_ids(client, start_date="2025-03-01T00:00:01+01:00") == []


def test_filters_by_service_and_status(client, app):
    theft = add_group(app, 5, category="theft")
    handled = add_group(app, 5)
    with session_scope(app) as session:
        for report_id in handled:
            moderate(session, report_id, user_name="polis", status="handled")
    assert set(listed_ids(client, service_code="theft", **MARCH)) == set(theft)
    both = listed_ids(client, "xml", service_code="theft,drugs", **MARCH)
    assert set(both) == set(theft + handled)
    assert set(listed_ids(client, status="open", **MARCH)) == set(theft)
    closed = client.get(f"{BASE}/requests.json", query_string={"status": "closed"} | MARCH)
    items = closed.get_json()
    assert {i["service_request_id"] for i in items} == set(handled)
    assert all(i["status"] == "closed" and i["status_notes"].startswith("Hanterad") for i in items)
    assert {i["updated_datetime"] for i in items} == {None}


def test_ids_override_the_other_filters_and_pages_follow(client, app):
    ids = sorted(add(app, created_at=datetime(2025, 3, day, 12, tzinfo=UTC)) for day in range(1, 6))
    wanted = f"{ids[0]},{ids[4]},no-such-id"
    assert set(listed_ids(client, service_request_id=wanted, service_code="theft")) == {
        ids[0],
        ids[4],
    }
    first = client.get(f"{BASE}/requests.json", query_string=MARCH | {"page_size": 2})
    assert [i["service_request_id"] for i in first.get_json()] == ids[:2]
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    last = client.get(f"{BASE}/requests.xml", query_string=MARCH | {"page_size": 2, "page": 3})
    assert [r.findtext("service_request_id") for r in xml_of(last)] == [ids[4]]
    assert "Link" not in last.headers


def test_without_dates_the_listing_covers_the_last_90_days_that_are_published(client, app):
    from geoservice.core.privacy.periods import latest_published
    from geoservice.web.insight import local_today

    month = latest_published(local_today())
    recent = add_group(app, 5, created_at=datetime(month.year, month.month, 12, tzinfo=UTC))
    add_group(app, 5)
    # This month is not over: its concerns are not listed yet.
    add_group(app, 5, created_at=datetime.now(UTC))
    assert set(listed_ids(client)) == set(recent)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start_date": "last week"}, "start_date"),
        ({"start_date": "2025-03-01T00:00:00"}, "start_date"),  # no time zone
        ({"end_date": "2025-02-30"}, "end_date"),
        ({"start_date": "9999-12-31"}, "start_date"),
        ({"start_date": "2025-03-10", "end_date": "2025-03-01"}, "end_date"),
        ({"start_date": "2025-01-01", "end_date": "2025-06-01"}, "end_date"),  # > 90 days
        ({"status": "pending"}, "status"),
        ({"service_code": "drugs,aliens"}, "service_code"),
        ({"page": "0"}, "page"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"service_request_id": ",".join(["x"] * 201)}, "service_request_id"),
    ],
)
def test_bad_listing_filters_get_400_naming_the_field(client, query, field):
    for fmt in FORMATS:
        response = client.get(f"{BASE}/requests.{fmt}", query_string=query)
        assert response.status_code == 400
        assert error_fields(response, fmt) == {field: 400}


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_in_the_same_public_view(client, app, fmt):
    ids = add_group(app, 5)
    one = client.get(f"{BASE}/requests/{ids[0]}.{fmt}")
    listing = client.get(f"{BASE}/requests.{fmt}", query_string={"service_request_id": ids[0]})
    assert one.status_code == 200
    assert one.data == listing.data
    missing = client.get(f"{BASE}/requests/no-such-id.{fmt}")
    assert missing.status_code == 404
    assert error_fields(missing, fmt) == {"service_request_id": 404}


def test_spam_duplicates_and_demo_data_are_not_listed(client, app):
    shown = add_group(app, 5)
    hidden = [add(app, status=s, created_at=MARCH_10_LATE) for s in ("spam", "duplicate")]
    hidden.append(add(app, status="not_relevant", created_at=MARCH_10_LATE))
    # A group with demo data in it is left out whole.
    hidden += add_group(app, 5, category="theft")
    hidden.append(add(app, category="theft", is_demo=True, created_at=MARCH_10_LATE))
    assert set(listed_ids(client, **MARCH)) == set(shown)
    assert listed_ids(client, service_request_id=",".join(hidden)) == []
    for report_id in hidden:
        assert client.get(f"{BASE}/requests/{report_id}.json").status_code == 404


def test_no_open311_route_leaks_a_point_a_text_a_time_or_a_receipt(client, app):
    ids = add_group(app, 5) + add_group(app, 5, category="theft")
    with session_scope(app) as session:
        for report_id in ids[5:]:
            moderate(session, report_id, user_name="polis", status="handled")
        receipts = [session.get(Report, i).receipt_hash for i in ids]
    routes = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("open311.")]
    assert len(routes) == 6
    checked = 0
    for rule in routes:
        if "GET" not in rule.methods:
            continue
        for fmt in FORMATS:
            for report_id in (ids[0], ids[5]):
                url = rule.rule.replace("<fmt>", fmt).replace("<service_code>", "drugs")
                url = url.replace("<service_request_id>", report_id)
                for query in ({}, {"lang": "en"}, MARCH):
                    response = client.get(url, query_string=query)
                    assert response.status_code == 200, url
                    text = response.get_data(as_text=True)
                    assert SECRET_TEXT not in text, url
                    for secret in ("58.70123", "12.45432", *receipts):
                        assert secret not in text, (url, secret)
                    moments = re.findall(r"\d{4}-\d\d-\d\dT[\d:.]+", text)
                    if "/requests" in url:  # discovery carries the API's changeset date
                        assert all(m.endswith("-01T00:00:00") for m in moments), (url, moments)
                    checked += 1
    assert checked == 5 * 2 * 2 * 3
